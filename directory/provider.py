"""Provider updates: hours, temporary closures, beds, "still correct". Audited, never
silently overwritten, and each one allowed or refused by :mod:`directory.access` first.

Each update bumps ``service.version`` with a compare-and-set
(``UPDATE … WHERE version = :seen``). A caller that read version N and
passes ``expected_version=N`` is refused with ``StaleUpdate`` if anyone else
changed the service since; without it, the version read in the same
transaction is used, so two concurrent writers still cannot both win.

Each audit entry's old value holds every column the change overwrote, as it was
(and for hours, the whole schedule rows), so a change can be undone exactly
(:mod:`directory.commands`, UNDO).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from directory.access import Actor, Change, authorise
from directory.errors import DirectoryError, StaleUpdate, UnknownService
from directory.models import AuditEntry, Schedule, Service
from directory.schedules import TZ, format_days, format_weeks, monthly_rule


@dataclass(frozen=True)
class WeeklyHours:
    """Hours on ``days``; or, given ``monthly`` ("1WE,3WE", "-1FR") or ``monthdays``
    ("15"), only on those weekdays or days of each month (``days`` is then ignored)."""

    days: frozenset[int]
    opens: time
    closes: time
    monthly: str = ""
    monthdays: str = ""


def _now() -> datetime:
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def _bump(session: Session, service_id: str, expected_version: int | None,
          values: dict[str, Any]) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise UnknownService(service_id)
    seen = service.version if expected_version is None else expected_version
    result = session.execute(
        update(Service).where(Service.id == service_id, Service.version == seen)
        .values(version=seen + 1, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleUpdate(
            f"service {service_id} was changed by someone else (you had version {seen}, "
            f"it is now {service.version}); reload it and try again")
    session.refresh(service)
    return service


def _audit(session: Session, service_id: str, actor: Actor, action: str,
           old: Any, new: Any) -> None:
    session.add(AuditEntry(at=_now(), actor=actor.label(), account_id=actor.account_id,
                           action=action, service_id=service_id,
                           old_value=json.dumps(old, default=str, ensure_ascii=False),
                           new_value=json.dumps(new, default=str, ensure_ascii=False)))


def _was(session: Session, service_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The columns ``values`` is about to overwrite, as they are now."""
    service = session.get(Service, service_id)
    return {} if service is None else {column: getattr(service, column) for column in values}


def _schedule_rows(session: Session, service_id: str) -> list[dict[str, Any]]:
    """The service's regular schedule rows as set_hours deletes them: every column."""
    rows = session.scalars(select(Schedule).where(Schedule.service_id == service_id,
                                                  Schedule.kind == "regular")
                           .order_by(Schedule.id))
    columns = [c.name for c in Schedule.__table__.columns if c.name not in ("service_id", "kind")]
    return [{column: getattr(r, column) for column in columns} for r in rows]


def _current_hours(session: Session, service_id: str) -> list[dict[str, str]]:
    rows = session.scalars(select(Schedule).where(Schedule.service_id == service_id,
                                                  Schedule.kind == "regular")
                           .order_by(Schedule.id))
    return [{"byday": r.byday, "opens": str(r.opens_at), "closes": str(r.closes_at)} for r in rows]


def set_hours(session: Session, service_id: str, hours: list[WeeklyHours], actor: Actor,
              expected_version: int | None = None) -> Service:
    """Replace the service's regular weekly hours."""
    authorise(session, actor, Change.HOURS, service_id)
    if not hours:
        raise DirectoryError("give at least one set of hours")
    changes = {"last_verified_at": _now()}
    old = {"schedule": _schedule_rows(session, service_id), **_was(session, service_id, changes)}
    service = _bump(session, service_id, expected_version, changes)
    session.execute(delete(Schedule).where(Schedule.service_id == service_id,
                                           Schedule.kind == "regular"))
    for h in hours:
        if h.monthly or h.monthdays:
            rule = monthly_rule(h.monthly, h.monthdays, h.opens, h.closes)
            session.add(Schedule(id=str(uuid.uuid4()), service_id=service_id, kind="regular",
                                 freq="MONTHLY", byday=format_weeks(rule.weeks),
                                 bymonthday=",".join(map(str, rule.monthdays)) or None,
                                 opens_at=h.opens, closes_at=h.closes))
            continue
        session.add(Schedule(id=str(uuid.uuid4()), service_id=service_id, kind="regular",
                             freq="WEEKLY", byday=format_days(h.days), opens_at=h.opens,
                             closes_at=h.closes))
    session.flush()
    _audit(session, service_id, actor, "set-hours", old, _current_hours(session, service_id))
    return service


def close_temporarily(session: Session, service_id: str, reason: str, actor: Actor,
                      reason_fr: str | None = None, until: date | None = None,
                      since: date | None = None, expected_version: int | None = None) -> Service:
    """Mark a service closed (from today unless ``since``) with a reason shown to clients."""
    authorise(session, actor, Change.CLOSE, service_id)
    if not reason.strip():
        raise DirectoryError("a closure needs a reason clients can read")
    start = since or _now().date()
    if until is not None and until < start:
        raise DirectoryError(f"the closure ends ({until}) before it starts ({start})")
    changes = {"closed_reason": reason.strip(), "closed_reason_fr": (reason_fr or "").strip() or None,
               "closed_since": start, "closed_until": until, "last_verified_at": _now()}
    before = _was(session, service_id, changes)
    service = _bump(session, service_id, expected_version, changes)
    _audit(session, service_id, actor, "close-temporarily", before, [reason, start, until])
    return service


def reopen(session: Session, service_id: str, actor: Actor,
           expected_version: int | None = None) -> Service:
    """End a temporary closure."""
    authorise(session, actor, Change.REOPEN, service_id)
    changes = {"closed_reason": None, "closed_reason_fr": None, "closed_since": None,
               "closed_until": None, "last_verified_at": _now()}
    before = _was(session, service_id, changes)
    service = _bump(session, service_id, expected_version, changes)
    _audit(session, service_id, actor, "reopen", before, None)
    return service


def set_beds(session: Session, service_id: str, available: int, actor: Actor,
             maximum: int | None = None, unit: str | None = None,
             expected_version: int | None = None) -> Service:
    """Record how many beds (or spots) are free right now."""
    old = authorise(session, actor, Change.BEDS, service_id)
    assert old is not None
    top = maximum if maximum is not None else old.capacity_maximum
    if available < 0 or (top is not None and available > top):
        raise DirectoryError(f"beds free must be between 0 and {top if top is not None else 'the maximum'}")
    now = _now()
    changes = {"capacity_available": available, "capacity_maximum": top,
               "capacity_unit": unit or old.capacity_unit or "beds", "capacity_updated_at": now,
               "last_verified_at": now}
    before = _was(session, service_id, changes)
    service = _bump(session, service_id, expected_version, changes)
    _audit(session, service_id, actor, "set-beds", before, [available, top])
    return service


def confirm(session: Session, service_id: str, actor: Actor,
            expected_version: int | None = None) -> Service:
    """"Still correct": the listing was checked and nothing changed."""
    authorise(session, actor, Change.CONFIRM, service_id)
    changes = {"last_verified_at": _now()}
    before = _was(session, service_id, changes)
    service = _bump(session, service_id, expected_version, changes)
    _audit(session, service_id, actor, "confirm", before, service.last_verified_at)
    return service


AUDIT_RETENTION_DAYS = 730


def purge_audit(session: Session, days: float = AUDIT_RETENTION_DAYS) -> int:
    """Delete audit entries older than ``days`` (default two years); returns how many."""
    if days <= 0:
        raise DirectoryError("keep the audit log for a positive number of days")
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < _now() - timedelta(days=days)))
    return int(result.rowcount or 0)
