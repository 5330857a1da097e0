"""The import's dealings with the database: what it already holds, and writing a plan.

Checking asks which ids and taxonomy terms the database already has (a
package may point at rows imported before); writing upserts a checked plan.
Both go through here so every query stays bounded: ids are sent in chunks,
never as one ``IN`` list as long as the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.hsds.reports import Progress
from directory.models import (
    Address,
    Base,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchEntry,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceImport,
    TaxonomyTerm,
)
from directory.spatial import reindex

if TYPE_CHECKING:  # planning imports checking, which imports this module
    from directory.hsds.planning import Plan

_CHUNK = 500


def stored_ids(session: Session, model: type[Base], ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that ``model``'s table already holds."""
    found: set[str] = set()
    for chunk in chunks(sorted(ids)):
        query = select(model.id).where(model.id.in_(chunk))  # type: ignore[attr-defined]
        found.update(session.scalars(query))
    return found


def stored_terms(session: Session, ids: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    """Term id -> (code, name) of those of ``ids`` that the database already holds."""
    terms: dict[str, tuple[str | None, str]] = {}
    for chunk in chunks(sorted(ids)):
        for term in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.id.in_(chunk))):
            terms[term.id] = (term.code, term.name)
    return terms


def write_plan(session: Session, plan: Plan, progress: Progress | None) -> dict[str, int]:
    """Upsert the plan in foreign-key order; returns rows written per resource."""
    written: dict[str, int] = {}
    for name, model in (("organization", Organization), ("location", Location),
                        ("address", Address), ("service", Service),
                        ("service_at_location", ServiceAtLocation), ("phone", Phone),
                        ("taxonomy_term", TaxonomyTerm)):
        written[name] = _upsert(session, model, plan.rows[name], name, progress)
    service_ids = list(plan.service_names)
    # Services whose provider changed their hours after the package: stored hours stay.
    rehoured = [sid for sid in service_ids if sid not in plan.held_hours]
    kinds = [kind for kind, name in (("regular", "schedule"), ("holiday", "waypoint_holiday_hours"))
             if name in plan.present]
    for chunk in chunks(service_ids):
        if "attribute" in plan.present:
            session.execute(delete(ServiceCategory).where(ServiceCategory.service_id.in_(chunk)))
        if "language" in plan.present:
            session.execute(delete(Language).where(Language.service_id.in_(chunk)))
    for kind, ids in (("regular", rehoured), ("holiday", service_ids)):
        for chunk in chunks(ids) if kind in kinds else []:
            session.execute(delete(Schedule).where(Schedule.service_id.in_(chunk),
                                                   Schedule.kind == kind))
    if "attribute" in plan.present:
        session.add_all(
            ServiceCategory(service_id=sid, code=code, position=pos, taxonomy_term_id=term)
            for sid, codes in plan.categories.items() for pos, (code, term) in enumerate(codes))
        written["attribute"] = sum(len(codes) for codes in plan.categories.values())
    for name, model in (("schedule", Schedule), ("waypoint_holiday_hours", Schedule),
                        ("language", Language)):
        written[name] = _upsert(session, model, plan.rows[name], name, progress)
    written.update(plan.applied)
    session.flush()
    reindex(session, service_ids)
    return written


def wipe(session: Session) -> dict[str, int]:
    """Delete every row the directory holds (not accounts, nor the audit log): a restore.

    Returns the rows there were per table, children first."""
    before: dict[str, int] = {}
    for model in (SearchEntry, ServiceCategory, Language, Phone, Schedule, ServiceAtLocation,
                  Address, ServiceImport, Service, Location, Organization, TaxonomyTerm):
        result = session.execute(delete(model).execution_options(synchronize_session=False))
        before[model.__tablename__] = int(result.rowcount or 0)
    session.expunge_all()
    return before


def unmapped_services(session: Session, plan: Plan) -> list[tuple[str, str]]:
    """(id, name) of the plan's services that have no canonical category once written."""
    ids = list(plan.service_names)
    with_category: set[str] = set()
    for chunk in chunks(ids):
        with_category.update(session.scalars(
            select(ServiceCategory.service_id).where(ServiceCategory.service_id.in_(chunk))))
    return [(sid, plan.service_names[sid]) for sid in ids if sid not in with_category]


def _upsert(session: Session, model: type[Base], rows: list[dict[str, Any]], name: str,
            progress: Progress | None) -> int:
    """Insert new ids, update existing ones, a chunk at a time."""
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        existing = {obj.id: obj for obj in session.scalars(
            select(model).where(model.id.in_([v["id"] for v in chunk])))}  # type: ignore[attr-defined]
        for values in chunk:
            obj = existing.get(values["id"])
            if obj is None:
                session.add(model(**values))
            else:
                for key, value in values.items():
                    setattr(obj, key, value)
        session.flush()
        if progress is not None:
            progress(name, start + len(chunk), len(rows))
    return len(rows)


def chunks(values: list[Any]) -> list[list[Any]]:
    """``values`` in lists short enough for one ``IN``."""
    return [values[n:n + _CHUNK] for n in range(0, len(values), _CHUNK)]
