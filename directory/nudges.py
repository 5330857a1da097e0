"""Reminders to providers: "your listing was last confirmed 30 days ago; reply OK if
it is still correct". One message on a linked chat or number, at most one a week per
account.

The servers run :func:`due` and :func:`claim` on a timer; several may run at once, so
an account is claimed with one conditional write, and only the server whose write
counted sends. What to send and how is the channel's business (``bot.nudger``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from directory.freshness import NUDGE_DAYS, Policy
from directory.models import Account, AccountLink, AccountNudge, Service

EVERY_DAYS = 7


@dataclass(frozen=True)
class Due:
    """An account to remind, where, and about which services (oldest first)."""

    account_id: str
    channel: str
    contact: str  # sealed (directory.contact)
    services: tuple[str, ...]  # names
    lang: str = "en"


def due(session: Session, policy: Policy | None = None) -> list[Due]:
    """Provider accounts with a linked chat or number, a listing unconfirmed for 30
    days, and no reminder in the last week."""
    policy = policy or Policy()
    old = policy.now - timedelta(days=NUDGE_DAYS)
    recent = policy.now - timedelta(days=EVERY_DAYS)
    nudged = {a: t for a, t in session.execute(select(AccountNudge.account_id,
                                                      AccountNudge.sent_at))}
    out = []
    accounts = session.scalars(select(Account).where(
        Account.role == "provider", Account.revoked_at.is_(None)).order_by(Account.id))
    for account in accounts:
        if account.id in nudged and nudged[account.id] > recent:
            continue
        link = session.scalars(select(AccountLink).where(
            AccountLink.account_id == account.id, AccountLink.contact.is_not(None))
            .order_by(AccountLink.linked_at.desc())).first()
        if link is None or not link.contact:
            continue
        names = tuple(session.scalars(select(Service.name).where(
            Service.organization_id == account.org_id, Service.status == "active",
            Service.last_verified_at.is_not(None), Service.last_verified_at <= old)
            .order_by(Service.last_verified_at, Service.name)))
        if names:
            out.append(Due(account.id, link.channel, link.contact, names,
                           "fr" if link.lang == "fr" else "en"))
    return out


def claim(session: Session, account_id: str, now: datetime) -> bool:
    """Take the right to remind this account now; False when another server (or a
    reminder within the week) already has. Commit right after, then send."""
    taken = session.execute(
        update(AccountNudge)
        .where(AccountNudge.account_id == account_id,
               AccountNudge.sent_at <= now - timedelta(days=EVERY_DAYS))
        .values(sent_at=now).execution_options(synchronize_session=False))
    if taken.rowcount == 1:
        return True
    if session.get(AccountNudge, account_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(AccountNudge(account_id=account_id, sent_at=now))
    except IntegrityError:
        return False
    return True
