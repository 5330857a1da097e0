"""HSDS 3.0 tabular export: every official table, plus Waypoint's extension tables.

The official tables carry only official columns and validate against the
official schemas (tables Waypoint does not keep, such as funding, are written
with their header only, so every foreign key resolves). What HSDS leaves out
travels in the ``waypoint_*`` tables and HSDS 3.1's ``service_capacity`` and
``unit`` (beds: available, maximum, the unit, when updated), declared in
``datapackage.json`` with schemas of their own. Ids the export derives are
UUIDv5 (``directory.hsds.schema.stable_id``), so exporting the same data on
the same day gives identical files.

Confidential services (safe shelters): a public export writes their
locations with the area ("Ottawa, ON") as the name and no coordinates,
description, transportation or accessibility, and drops their addresses; the
rows stay so services, sites and phones still link up. ``include_confidential``
(an admin backup) keeps everything.

Statutory holidays: for a service whose ``holiday_policy`` is ``closed`` or
``special``, ``schedules.csv`` gets one bounded row per statutory holiday of
its province in the coming year (``valid_from = valid_to =`` the date,
``byday`` its weekday): "Closed: statutory holiday (...)" with no hours, or
"Statutory holiday hours: ..." with the special hours. A consumer reading only
HSDS sees the right hours on those dates. The rows carry
``notes = "waypoint:holiday"`` and a Waypoint import skips them: it takes the
policy from ``waypoint_service_facts`` and the special hours themselves
(rules with no dates) from ``waypoint_holiday_hours``, so a re-import gets back
exactly what was exported.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.hsds.cells import format_cell
from directory.hsds.reports import ExportReport, Progress
from directory.hsds.schema import (
    HOLIDAY_MARK,
    TAXONOMY,
    TRANSLATED,
    UNIT_SCHEME,
    ResourceSpec,
    all_specs,
    canonical_term_id,
    extensions,
    official,
    official_descriptor,
    stable_id,
    taxonomy_id,
)
from directory.models import (
    Address,
    Base,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    TaxonomyTerm,
)
from directory.schedules import DAY_CODES, TZ, holiday_name
from directory.taxonomy import CODES, get_taxonomy

Row = dict[str, Any]
# The unit of a capacity given without one (HSDS 3.1 requires a unit).
DEFAULT_UNIT = "beds"
_PROGRESS_EVERY = 500


def export_package(session: Session, folder: Path, include_confidential: bool = False,
                   progress: Progress | None = None, *, today: date | None = None) -> ExportReport:
    """Write the directory as an HSDS 3.0 CSV package in ``folder`` (created if needed).

    ``include_confidential`` keeps safe shelters' addresses and coordinates: an
    admin backup, never to be published. ``today`` (default: today in
    Toronto) starts the year of statutory holidays written to schedules.csv.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = _Collector(session, include_confidential,
                        today or datetime.now(TZ).date()).tables()
    report = ExportReport(folder=folder)
    for spec in all_specs().values():
        rows = tables.get(spec.name, [])
        _write_csv(folder / spec.path, spec, rows, progress)
        report.counts[spec.name] = len(rows)
    descriptor = {
        "name": "waypoint-directory",
        "title": "Waypoint service directory (HSDS 3.0)" + (
            " - ADMIN BACKUP with confidential locations: never publish" if include_confidential
            else ""),
        "description": "Services for people who are unhoused or use drugs, in English and French. "
                       "Official HSDS 3.0 tables, plus Waypoint's extension tables (waypoint_*) "
                       "and HSDS 3.1's service_capacity and unit. Opening times are local "
                       "clock time, America/Toronto.",
        "profile": official_descriptor()["profile"],
        "resources": [spec.descriptor for spec in all_specs().values()],
    }
    (folder / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report


def _write_csv(path: Path, spec: ResourceSpec, rows: list[Row], progress: Progress | None) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(spec.names)
        for n, row in enumerate(rows, 1):
            writer.writerow([format_cell(row.get(name)) for name in spec.names])
            if progress is not None and (n % _PROGRESS_EVERY == 0 or n == len(rows)):
                progress(spec.name, n, len(rows))


def _official(obj: Base, spec_name: str) -> Row:
    """The official columns of a row, read from the model's columns of the same name."""
    columns = type(obj).__table__.c
    return {name: getattr(obj, name) for name in official()[spec_name].names if name in columns}


def _all(session: Session, model: type[Base], *order: Any) -> list[Any]:
    """Every row of a table, by id unless told otherwise, so exports are reproducible."""
    key = order or (model.id,)  # type: ignore[attr-defined]
    return list(session.scalars(select(model).order_by(*key)))


class _Collector:
    """Reads the directory once and builds every table's rows."""

    def __init__(self, session: Session, include_confidential: bool, today: date) -> None:
        self.session = session
        self.today = today
        self.organizations: list[Organization] = _all(session, Organization)
        self.services: list[Service] = _all(session, Service)
        self.locations: list[Location] = _all(session, Location)
        self.sites: list[ServiceAtLocation] = _all(session, ServiceAtLocation)
        self.addresses: list[Address] = _all(session, Address)
        self.schedules: list[Schedule] = _all(session, Schedule)
        self.terms: list[TaxonomyTerm] = _all(session, TaxonomyTerm)
        confidential = {s.id for s in self.services if s.confidential}
        self.hidden = set() if include_confidential else {
            site.location_id for site in self.sites if site.service_id in confidential}

    def tables(self) -> dict[str, list[Row]]:
        hidden = self.hidden
        return {
            "organization": [_official(o, "organization") for o in self.organizations],
            "service": [self._service(s) for s in self.services],
            "location": [self._location(loc) for loc in self.locations],
            "service_at_location": [_official(s, "service_at_location") for s in self.sites],
            "address": [_official(a, "address") for a in self.addresses
                        if a.location_id not in hidden],
            "phone": [_official(p, "phone") for p in _all(self.session, Phone)],
            "schedule": [_official(s, "schedule") for s in self.schedules if s.kind == "regular"]
            + self._holiday_rows(),
            "language": [_official(lang, "language") for lang in _all(self.session, Language)],
            "accessibility": [
                {"id": stable_id("accessibility", loc.id), "location_id": loc.id,
                 "description": loc.accessibility}
                for loc in self.locations if loc.accessibility and loc.id not in hidden],
            "taxonomy": self._taxonomies(),
            "taxonomy_term": self._terms(),
            "attribute": self._attributes(),
            "waypoint_service_facts": [self._facts(s) for s in self.services],
            "waypoint_translations": self._translations(),
            "service_capacity": [
                {"id": stable_id("service_capacity", s.id), "service_id": s.id,
                 "unit_id": _unit_id(s.capacity_unit), "available": s.capacity_available,
                 "maximum": s.capacity_maximum, "updated": s.capacity_updated_at}
                for s in self._counted()],
            "unit": [{"id": _unit_id(word), "name": _singular(word), "scheme": UNIT_SCHEME,
                      "identifier": word}
                     for word in sorted({s.capacity_unit or DEFAULT_UNIT for s in self._counted()})],
            "waypoint_holiday_hours": [
                {name: getattr(s, name) for name in extensions()["waypoint_holiday_hours"].names}
                for s in self.schedules if s.kind == "holiday"],
        }

    def _counted(self) -> list[Service]:
        """Services with a capacity."""
        return [s for s in self.services if any(getattr(s, name) is not None for name in (
            "capacity_available", "capacity_maximum", "capacity_unit", "capacity_updated_at"))]

    def _service(self, service: Service) -> Row:
        row = _official(service, "service")
        if service.last_verified_at is not None:
            row["assured_date"] = service.last_verified_at.date()
        return row

    def _location(self, location: Location) -> Row:
        row = _official(location, "location")
        if location.id in self.hidden:
            first = next((a for a in self.addresses if a.location_id == location.id), None)
            area = f"{first.city}, {first.state_province}" if first is not None else None
            row.update(name=area, alternate_name=None, description=None, transportation=None,
                       latitude=None, longitude=None)
        return row

    def _taxonomies(self) -> list[Row]:
        rows = [{"id": taxonomy_id(), "name": "Waypoint categories",
                 "description": "The canonical categories Waypoint searches by: what people ask "
                                "for, from shelter and meals to income support.",
                 "version": "1"}]
        foreign = {t.taxonomy_id: t.taxonomy for t in self.terms if t.taxonomy_id}
        rows.extend({"id": tid, "name": foreign[tid] or "Imported taxonomy",
                     "description": "The taxonomy of imported terms; Waypoint keeps only its id "
                                    "and name."}
                    for tid in sorted(foreign))
        return rows

    def _terms(self) -> list[Row]:
        taxonomy = get_taxonomy()
        rows = []
        for code in CODES:
            category = taxonomy.get(code)
            parent = canonical_term_id(category.parent) if category.parent else None
            rows.append({"id": canonical_term_id(code), "code": code,
                         "name": category.label["en"], "description": category.description["en"],
                         "parent_id": parent, "taxonomy": TAXONOMY, "language": "en",
                         "taxonomy_id": taxonomy_id()})
        return rows + [_official(t, "taxonomy_term") for t in self.terms]

    def _attributes(self) -> list[Row]:
        stored = {t.id for t in self.terms}
        rows = []
        for category in _all(self.session, ServiceCategory, ServiceCategory.service_id,
                             ServiceCategory.position, ServiceCategory.code):
            source = category.taxonomy_term_id if category.taxonomy_term_id in stored else None
            rows.append({"id": stable_id("attribute", category.service_id, category.code),
                         "link_id": category.service_id,
                         "taxonomy_term_id": source or canonical_term_id(category.code),
                         "link_type": "category", "link_entity": "service",
                         # The canonical code a foreign term was mapped to, so a re-import
                         # needs no mapping file.
                         "value": category.code if source else None})
        return rows

    def _facts(self, service: Service) -> Row:
        names = extensions()["waypoint_service_facts"].names
        return {"service_id": service.id,
                **{name: getattr(service, name) for name in names if name != "service_id"}}

    def _translations(self) -> list[Row]:
        rows: list[Row] = []
        for entity, objects in (("organization", self.organizations),
                                ("service", self.services), ("location", self.locations)):
            for obj in objects:
                if entity == "location" and obj.id in self.hidden:
                    continue
                rows.extend({"entity": entity, "entity_id": obj.id, "field": name,
                             "language": "fr", "value": getattr(obj, f"{name}_fr")}
                            for name in TRANSLATED[entity] if getattr(obj, f"{name}_fr"))
        return rows

    def _holiday_rows(self) -> list[Row]:
        """Bounded schedule rows for each statutory holiday of the coming year."""
        provinces = self._provinces()
        templates: dict[str, list[Schedule]] = {}
        for rule in self.schedules:
            if rule.kind == "holiday" and rule.service_id and rule.opens_at and rule.closes_at:
                templates.setdefault(rule.service_id, []).append(rule)
        calendars: dict[str, list[tuple[date, str]]] = {}
        rows: list[Row] = []
        for service in self.services:
            if service.holiday_policy not in ("closed", "special"):
                continue
            province = provinces.get(service.id, "ON")
            if province not in calendars:
                calendars[province] = list(_holidays(province, self.today))
            for day, name in calendars[province]:
                rules = [r for r in templates.get(service.id, [])
                         if (r.valid_from is None or r.valid_from <= day)
                         and (r.valid_to is None or day <= r.valid_to)]
                base = {"valid_from": day, "valid_to": day, "freq": "WEEKLY",
                        "byday": DAY_CODES[day.weekday()], "notes": HOLIDAY_MARK}
                if service.holiday_policy == "special" and rules:
                    rows.extend({**base, "id": stable_id("holiday", r.id, day.isoformat()),
                                 "service_id": r.service_id, "location_id": r.location_id,
                                 "service_at_location_id": r.service_at_location_id,
                                 "opens_at": r.opens_at, "closes_at": r.closes_at,
                                 "description": f"Statutory holiday hours: {name}"}
                                for r in rules)
                else:
                    rows.append({**base, "id": stable_id("holiday", service.id, day.isoformat()),
                                 "service_id": service.id,
                                 "description": f"Closed: statutory holiday ({name})"})
        return rows

    def _provinces(self) -> dict[str, str]:
        """Each service's province, from its first site's address, as listings read it."""
        by_location: dict[str, str] = {}
        for address in self.addresses:
            by_location.setdefault(address.location_id, (address.state_province or "ON").upper())
        out: dict[str, str] = {}
        for site in self.sites:
            if site.location_id in by_location:
                out.setdefault(site.service_id, by_location[site.location_id])
        return out


def _unit_id(word: str | None) -> str:
    return stable_id("unit", word or DEFAULT_UNIT)


def _singular(word: str) -> str:
    """HSDS names a unit in the singular: "beds" -> "bed"."""
    return word[:-1] if len(word) > 1 and word.endswith("s") else word


def _holidays(province: str, start: date) -> Iterable[tuple[date, str]]:
    """Statutory holidays from ``start`` for a year, with their English names."""
    try:
        end = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 1, day=28)
    for n in range((end - start).days):
        day = start + timedelta(days=n)
        name = holiday_name(day, province)
        if name is not None:
            yield day, name
