"""Who owns what when a package meets a listing a provider has changed since.

A plain import updates the directory from a source; providers update their own
listings through ``directory.provider`` (audited). An import must never undo a
provider, so before a plan is written it is held back where the provider is
newer:

- a service's ``version`` is never lowered (the provider's edit counter: a
  lower one would let a stale edit through), and ``last_verified_at`` never
  moves back;
- ``confidential`` is never cleared (a safe shelter's address would be
  published), whatever the package says or leaves out;
- a closure, a bed count or the regular hours that a provider changed at or
  after the package's own date are kept as they are.

The package's date for a service is the later of its HSDS ``last_modified``
and ``assured_date`` (a date counts from its first minute, so a change made
that day is kept). A package that gives neither is taken to be as old as the
previous import of that service (``service_import``); a service never
imported keeps every recorded provider change. That record moves on only
when an import wrote the service with nothing held back, so importing the
same old package twice cannot undo on the second run what the first kept.

``directory.hsds.importer`` skips all this for ``restore`` (an admin backup
replaces everything, and says so in one audit entry).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hsds.store import chunks
from directory.models import AuditEntry, Service, ServiceImport

if TYPE_CHECKING:
    from directory.hsds.planning import Plan

# Columns of a service that one kind of provider change sets, by the change's name.
CLOSURE = ("closed_reason", "closed_reason_fr", "closed_since", "closed_until")
BEDS = ("capacity_available", "capacity_maximum", "capacity_unit", "capacity_updated_at")
HOURS = "hours"
# Audit actions of directory.provider, and what each one changes. An "undo"
# (directory.commands) changes what its entry's new value names.
PROVIDER_ACTIONS: dict[str, str] = {
    "close-temporarily": "closure", "reopen": "closure", "set-beds": "beds", "set-hours": HOURS,
}
UNDO = "undo"
_COLUMNS = {"closure": CLOSURE, "beds": BEDS}


def hold_back(session: Session, plan: Plan) -> dict[str, set[str]]:
    """Take out of ``plan`` what would undo a provider; returns service id -> kinds kept.

    Kinds are "closure", "beds" and "hours"; ``plan.held_hours`` gets the
    services whose stored regular hours stay.
    """
    ids = list(plan.service_names)
    stored = _stored(session, ids)
    imported = _imported(session, ids)
    changes = _provider_changes(session, ids)
    held: dict[str, set[str]] = defaultdict(set)
    for values in plan.rows["service"]:
        sid = values["id"]
        service = stored.get(sid)
        if service is None:
            continue
        _never_back(values, service)
        since = plan.dates.get(sid) or imported.get(sid)
        for kind, at in changes.get(sid, {}).items():
            if since is None or at >= since:
                held[sid].add(kind)
                for column in _COLUMNS.get(kind, ()):
                    values.pop(column, None)
    plan.held_hours.update(sid for sid, kinds in held.items() if HOURS in kinds)
    if plan.held_hours:
        sites = {v["id"]: v["service_id"] for v in plan.rows["service_at_location"]}
        plan.rows["schedule"] = [
            v for v in plan.rows["schedule"]
            if (v.get("service_id") or sites.get(v.get("service_at_location_id") or ""))
            not in plan.held_hours]
    return dict(held)


def record(session: Session, plan: Plan, held: dict[str, set[str]], now: datetime) -> None:
    """Note the import time of each service of the plan written with nothing held back."""
    done = [sid for sid in plan.service_names if not held.get(sid)]
    existing: dict[str, ServiceImport] = {}
    for chunk in chunks(done):
        existing.update((r.service_id, r) for r in session.scalars(
            select(ServiceImport).where(ServiceImport.service_id.in_(chunk))))
    for sid in done:
        if sid in existing:
            existing[sid].imported_at = now
        else:
            session.add(ServiceImport(service_id=sid, imported_at=now))


def _never_back(values: dict[str, Any], service: Service) -> None:
    """The edit counter and verification date only go forward; a safe shelter stays safe."""
    if "version" in values:
        values["version"] = max(service.version, values["version"] or 0)
    if "confidential" in values:
        values["confidential"] = bool(service.confidential or values["confidential"])
    if service.last_verified_at is not None and values.get("last_verified_at") is not None:
        values["last_verified_at"] = max(service.last_verified_at, values["last_verified_at"])
    elif "last_verified_at" in values and values["last_verified_at"] is None:
        values["last_verified_at"] = service.last_verified_at


def _stored(session: Session, ids: list[str]) -> dict[str, Service]:
    out: dict[str, Service] = {}
    for chunk in chunks(ids):
        out.update((s.id, s) for s in session.scalars(select(Service).where(Service.id.in_(chunk))))
    return out


def _imported(session: Session, ids: list[str]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for chunk in chunks(ids):
        out.update(session.execute(select(ServiceImport.service_id, ServiceImport.imported_at)
                                   .where(ServiceImport.service_id.in_(chunk))).all())
    return out


def _provider_changes(session: Session, ids: list[str]) -> dict[str, dict[str, datetime]]:
    """Service id -> kind of change -> when a provider last made it."""
    out: dict[str, dict[str, datetime]] = defaultdict(dict)
    for chunk in chunks(ids):
        rows = session.execute(
            select(AuditEntry.service_id, AuditEntry.action, AuditEntry.at, AuditEntry.new_value)
            .where(AuditEntry.service_id.in_(chunk),
                   AuditEntry.action.in_([*PROVIDER_ACTIONS, UNDO])))
        for sid, action, at, new in rows:
            kinds = _undone(new) if action == UNDO else {PROVIDER_ACTIONS[action]}
            for kind in kinds:
                if kind not in out[sid] or at > out[sid][kind]:
                    out[sid][kind] = at
    return out


def _undone(new_value: str | None) -> set[str]:
    """What an undo put back, from the columns its audit entry names."""
    try:
        restored = json.loads(new_value or "{}")
    except ValueError:
        return set()
    if not isinstance(restored, dict):
        return set()
    kinds = {kind for kind, columns in _COLUMNS.items() if set(columns) & set(restored)}
    return kinds | ({HOURS} if "schedule" in restored else set())
