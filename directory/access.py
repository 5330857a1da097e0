"""Who may do what to which listing: the one place Waypoint decides it.

Every front end (the CLI, the provider commands on Telegram and SMS, the web page
and the API) asks :func:`authorise` before reading a listing for editing or
changing it, so a rule written here holds everywhere. The rules:

- a **provider** reads and changes only its own organization's services;
- a **peer** (peer and outreach workers) reads any listing and changes none;
- an **admin** reads and changes everything, and alone manages accounts and
  sees the stale queue.

A refusal raises :class:`Forbidden` with a sentence the front end can show, and is
written to the audit log at once, in its own transaction, so it is kept even
though the caller's transaction then rolls back.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.errors import DirectoryError, UnknownService
from directory.models import AuditEntry, Service
from directory.schedules import TZ
from words import say


class Role(str, enum.Enum):
    PROVIDER = "provider"
    PEER = "peer"
    ADMIN = "admin"


class Change(str, enum.Enum):
    """Every kind of thing an account can ask to do."""

    READ = "read"            # see a listing as its editor (version, hours as data)
    HOURS = "hours"
    CLOSE = "close"
    REOPEN = "reopen"
    BEDS = "beds"
    CONFIRM = "confirm"      # "still correct": sets last_verified_at
    ACCOUNTS = "accounts"    # create, list, revoke accounts
    STALE_QUEUE = "stale_queue"
    RESTORE = "restore"      # replace everything from a backup


SERVICE_CHANGES = frozenset({Change.READ, Change.HOURS, Change.CLOSE, Change.REOPEN,
                             Change.BEDS, Change.CONFIRM})
ALLOWED: dict[Role, frozenset[Change]] = {
    Role.PROVIDER: SERVICE_CHANGES,
    Role.PEER: frozenset({Change.READ}),
    Role.ADMIN: frozenset(Change),
}


class Forbidden(DirectoryError):
    """The account may not do this. ``text(lang)`` says why, for the person; ``str()`` is
    the English sentence, for the audit log and the CLI."""

    def __init__(self, key: str, **values: str) -> None:
        self.key, self.values = key, values
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        return say(self.key, lang, **self.values)


@dataclass(frozen=True)
class Actor:
    """Who acts: an account, or the operator of the admin CLI (``account_id`` None)."""

    role: Role
    name: str
    account_id: str | None = None
    org_id: str | None = None

    @classmethod
    def operator(cls, name: str) -> Actor:
        """The person at the admin CLI, who has the database itself (``--by NAME``)."""
        if not name.strip():
            raise DirectoryError("say who makes the change (--by NAME)")
        return cls(Role.ADMIN, name.strip())

    def label(self) -> str:
        """How the audit log names the actor."""
        return self.name if self.account_id is None else f"{self.name} ({self.role.value})"


def authorise(session: Session, actor: Actor, change: Change,
              service_id: str | None = None) -> Service | None:
    """Allow ``change`` (on ``service_id`` for a service change) or raise :class:`Forbidden`.

    Returns the service when one is named. An unknown service raises
    :class:`UnknownService` for every role alike."""
    service = None
    if service_id is not None:
        service = session.get(Service, service_id)
        if service is None:
            raise UnknownService(service_id)
    refused = refusal(actor, change, service)
    if refused is not None:
        record_refusal(session, actor, change, service_id, str(refused))
        raise refused
    return service


def refusal(actor: Actor, change: Change, service: Service | None) -> Forbidden | None:
    """Why ``actor`` may not make ``change`` to ``service``, or None when it may."""
    if change not in ALLOWED[actor.role]:
        return Forbidden("refused_role", role=actor.role.value, change=change.value)
    if change in SERVICE_CHANGES and change is not Change.READ and service is None:
        return Forbidden("refused_no_service")
    if actor.role is Role.PROVIDER and service is not None:
        if not actor.org_id or service.organization_id != actor.org_id:
            return Forbidden("refused_other_organization")
    return None


def services_of(session: Session, actor: Actor) -> list[Service]:
    """The services an actor may change: its organization's, or all for an admin."""
    query = select(Service).order_by(Service.name, Service.id)
    if actor.role is Role.PROVIDER:
        query = query.where(Service.organization_id == (actor.org_id or ""))
    elif actor.role is not Role.ADMIN:
        return []
    return list(session.scalars(query))


def record_refusal(session: Session, actor: Actor, change: Change, service_id: str | None,
                   reason: str) -> None:
    """Write the refusal in its own transaction: the caller's will roll back."""
    with Session(bind=session.get_bind(), future=True) as own, own.begin():
        own.add(AuditEntry(at=datetime.now(TZ).replace(tzinfo=None, microsecond=0),
                           actor=actor.label(), account_id=actor.account_id,
                           action=f"refused {change.value}", service_id=service_id or "",
                           old_value=None,
                           new_value=json.dumps({"reason": reason}, ensure_ascii=False)))
