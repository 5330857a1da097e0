"""Accounts for providers, peer workers and admins: tokens, one-time link codes, links.

An account is created by an admin (``python -m directory accounts create``), which
prints its token once; only a SHA-256 digest is kept, like the link code. A person
links a Telegram chat (``/link CODE``) or an SMS number (``LINK CODE``) with the code,
which works once and for 24 hours; the link is kept against the pseudonymous sender
id the channel already uses, never the phone number or Telegram id. What an account
may do is decided in :mod:`directory.access`, not here.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.access import Actor, Change, Role, authorise
from directory.errors import DirectoryError
from directory.models import Account, AccountLink, Organization
from directory.schedules import TZ

LINK_CODE_HOURS = 24
# No 0/O, 1/I/L: the code is read off one screen and typed on a phone keypad.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class UnknownAccount(DirectoryError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"no account with id {account_id!r}")


class BadLinkCode(DirectoryError):
    """The code is unknown, used, expired, or its account is revoked."""


@dataclass(frozen=True)
class NewAccount:
    """What ``accounts create`` prints: the token and link code, shown this once."""

    id: str
    role: str
    org_id: str | None
    name: str
    token: str
    link_code: str
    link_code_expires_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "role": self.role, "org_id": self.org_id, "name": self.name,
                "token": self.token, "link_code": self.link_code,
                "link_code_expires_at": self.link_code_expires_at.replace(tzinfo=TZ).isoformat()}


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def normal_code(code: str) -> str:
    """A code as typed ("abcd efgh", "ABCD-EFGH") in its stored form."""
    return "".join(c for c in code.upper() if c.isalnum())


def create(session: Session, by: Actor, role: Role | str, name: str,
           org_id: str | None = None) -> NewAccount:
    """A new account with a fresh token and link code. Only an admin may create one."""
    authorise(session, by, Change.ACCOUNTS)
    role = Role(role)
    if not name.strip():
        raise DirectoryError("give the account a name people will recognise (--name)")
    if role is Role.PROVIDER:
        if not org_id:
            raise DirectoryError("a provider account needs its organization (--org ORG_ID)")
        if session.get(Organization, org_id) is None:
            raise DirectoryError(f"no organization with id {org_id!r}")
    elif org_id:
        raise DirectoryError(f"a {role.value} account takes no organization (drop --org)")
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = _now()
    account = Account(id=str(uuid.uuid4()), role=role.value, org_id=org_id, name=name.strip(),
                      token_digest=digest(token), link_code_digest=digest(code),
                      link_code_expires_at=now + timedelta(hours=LINK_CODE_HOURS),
                      created_at=now)
    session.add(account)
    session.flush()
    return NewAccount(account.id, account.role, org_id, account.name, token, code,
                      account.link_code_expires_at)  # type: ignore[arg-type]


def listing(session: Session, by: Actor) -> list[dict[str, object]]:
    """Every account, without secrets, with how many chats or numbers it has linked."""
    authorise(session, by, Change.ACCOUNTS)
    links: dict[str, int] = {}
    for account_id in session.scalars(select(AccountLink.account_id)):
        links[account_id] = links.get(account_id, 0) + 1
    return [{"id": a.id, "role": a.role, "org_id": a.org_id, "name": a.name,
             "created_at": a.created_at.isoformat(),
             "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
             "links": links.get(a.id, 0)}
            for a in session.scalars(select(Account).order_by(Account.created_at, Account.id))]


def revoke(session: Session, by: Actor, account_id: str) -> None:
    """Revoke an account: its token stops working and its links are removed."""
    authorise(session, by, Change.ACCOUNTS)
    account = session.get(Account, account_id)
    if account is None:
        raise UnknownAccount(account_id)
    if account.revoked_at is None:
        account.revoked_at = _now()
    account.link_code_digest = None
    session.execute(delete(AccountLink).where(AccountLink.account_id == account_id))


def actor_of(account: Account) -> Actor:
    return Actor(Role(account.role), account.name, account.id, account.org_id)


def by_token(session: Session, token: str) -> Actor | None:
    """The account a token belongs to, unless it is unknown or revoked."""
    if not token:
        return None
    account = session.scalars(select(Account).where(Account.token_digest == digest(token))).first()
    if account is None or account.revoked_at is not None:
        return None
    return actor_of(account)


def link(session: Session, code: str, channel: str, sender: str,
         contact: str | None = None, lang: str | None = None) -> Actor:
    """Link a chat or number (its pseudonymous ``sender``) to the code's account.

    ``contact`` is where reminders go, already sealed (``directory.contact``). The code
    works once: it is cleared here. Linking again moves the sender to the new account."""
    account = session.scalars(
        select(Account).where(Account.link_code_digest == digest(normal_code(code)))).first()
    if (account is None or account.revoked_at is not None
            or account.link_code_expires_at is None or account.link_code_expires_at < _now()):
        raise BadLinkCode("that link code is unknown, used or expired; ask for a new one")
    account.link_code_digest = None
    existing = session.get(AccountLink, (channel, sender))
    if existing is None:
        session.add(AccountLink(channel=channel, sender=sender, account_id=account.id,
                                linked_at=_now(), contact=contact, lang=lang))
    else:
        existing.account_id, existing.linked_at = account.id, _now()
        existing.contact, existing.lang = contact, lang
    session.flush()
    return actor_of(account)


def by_sender(session: Session, channel: str, sender: str) -> Actor | None:
    """The account a linked chat or number acts for, unless revoked."""
    row = session.get(AccountLink, (channel, sender))
    if row is None:
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.revoked_at is not None:
        return None
    return actor_of(account)


def unlink(session: Session, channel: str, sender: str) -> bool:
    """Remove a chat or number's link ("forget me", or leaving the job)."""
    result = session.execute(delete(AccountLink).where(AccountLink.channel == channel,
                                                       AccountLink.sender == sender))
    return bool(result.rowcount)
