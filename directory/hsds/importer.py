"""HSDS 3.0 tabular import: check the whole package, then write it in the caller's transaction.

Nothing is added to the session until every row of every table has been
checked, so a rejected package leaves the database exactly as it was (and the
caller's transaction usable). The checks: required columns and values, types
and formats, the enums Waypoint relies on, coordinates in range, ids that
point nowhere (in the package or the database), and recurrences Waypoint
cannot evaluate. All problems are collected and raised together.

Writing upserts by id, so importing a package twice changes nothing. A table
the package carries is authoritative for the entities the package carries;
a table it lacks leaves what Waypoint holds untouched:

- ``attributes`` replace the categories of the package's services,
  ``schedules`` their regular hours, ``waypoint_holiday_hours`` their
  holiday hours and ``languages`` their languages;
- ``waypoint_service_facts``, ``service_capacity``, ``waypoint_translations``
  and ``accessibility`` set those fields of the package's services and
  locations (a service with no row gets the defaults, or none).

Schedules: only weekly rules are evaluated, so ``freq`` other than WEEKLY or
empty, an ``interval`` other than 1, ``byweekno``/``bymonthday``/``byyearday``
and ``count`` are rejected with the row named, rather than kept and shown as
wrong hours. ``dtstart`` and ``until`` narrow ``valid_from``/``valid_to``.
The numeric ``timezone`` is ignored (times are local clock, America/Toronto),
with one warning. Rows marked ``notes = "waypoint:holiday"`` are the bounded
holiday rows a Waypoint export derives; they are skipped, as the facts they
come from arrive in ``waypoint_service_facts`` and ``waypoint_holiday_hours``.

Categories come from ``attributes`` linking a service to a taxonomy term: a
term coded with a canonical code maps directly; Waypoint's own export also
puts the canonical code in ``attribute.value`` (``link_type`` "category") when
the term is a foreign one it was mapped from; otherwise a mapping file maps
the term's code or name. Waypoint's 21 canonical terms themselves are not
stored (they are ``directory/data/taxonomy.yaml``); foreign terms are, and
``service_category.taxonomy_term_id`` records which one a category came from.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Column, Integer, delete, select
from sqlalchemy.orm import Session

from directory.hsds import cells
from directory.hsds.mapping import TaxonomyMapping, load_mapping
from directory.hsds.reports import HsdsImportError, ImportReport, Progress, ResourceCount, RowError
from directory.hsds.schema import (
    HOLIDAY_MARK,
    TRANSLATED,
    ResourceSpec,
    all_specs,
    canonical_term_id,
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
from directory.schedules import DAY_CODES
from directory.spatial import reindex
from directory.taxonomy import CODES

DESCRIPTOR = "datapackage.json"
_CHUNK = 500

# Each stored table: the model it writes, and HSDS column -> model column where they differ.
_TARGETS: dict[str, tuple[type[Base], dict[str, str]]] = {
    "organization": (Organization, {}),
    "service": (Service, {}),
    "location": (Location, {}),
    "service_at_location": (ServiceAtLocation, {}),
    "address": (Address, {}),
    "phone": (Phone, {}),
    "schedule": (Schedule, {}),
    "language": (Language, {}),
    "taxonomy_term": (TaxonomyTerm, {}),
    "accessibility": (Location, {"location_id": "id"}),
    "attribute": (ServiceCategory, {"link_id": "service_id"}),
    "waypoint_service_facts": (Service, {"service_id": "id"}),
    "service_capacity": (Service, {
        "available": "capacity_available", "maximum": "capacity_maximum",
        "unit": "capacity_unit", "updated": "capacity_updated_at"}),
    "waypoint_holiday_hours": (Schedule, {}),
    "waypoint_translations": (Service, {}),
}
# Columns read beyond those stored: checked, then folded into other fields or refused.
_READ_ALSO = {
    "schedule": ("dtstart", "until", "count", "interval", "byweekno", "bymonthday",
                 "byyearday", "timezone"),
    "accessibility": ("id", "details"),
    "attribute": ("id", "link_id", "link_type", "link_entity", "value"),
    "service_capacity": ("id", "service_id"),
    "waypoint_translations": ("entity", "entity_id", "field", "language", "value"),
}
# Ids that may point at the package or the database.
_REFERENCES: dict[str, dict[str, str]] = {
    "service": {"organization_id": "organization"},
    "location": {"organization_id": "organization"},
    "service_at_location": {"service_id": "service", "location_id": "location"},
    "address": {"location_id": "location"},
    "phone": {"service_id": "service", "location_id": "location",
              "organization_id": "organization", "service_at_location_id": "service_at_location"},
    "schedule": {"service_id": "service", "location_id": "location",
                 "service_at_location_id": "service_at_location"},
    "waypoint_holiday_hours": {"service_id": "service", "location_id": "location",
                               "service_at_location_id": "service_at_location"},
    "language": {"service_id": "service"},
}
# Ids of rows that describe an entity of this package, so must point into it.
_DESCRIBES = {
    "accessibility": ("location_id", "location"),
    "waypoint_service_facts": ("service_id", "service"),
    "service_capacity": ("service_id", "service"),
}
_ENTITY_MODELS: dict[str, type[Base]] = {
    "organization": Organization, "service": Service, "location": Location,
    "service_at_location": ServiceAtLocation, "taxonomy_term": TaxonomyTerm,
}
_UNEVALUABLE = ("byweekno", "bymonthday", "byyearday")
_FACTS = ("populations", "walk_in", "id_required", "health_card_required", "cost", "pets",
          "holiday_policy", "confidential", "coverage_km", "closed_reason", "closed_since",
          "closed_until", "last_verified_at", "version")
_CAPACITY = ("capacity_available", "capacity_maximum", "capacity_unit", "capacity_updated_at")


def import_package(session: Session, folder: Path, mapping: Path | None = None,
                   progress: Progress | None = None) -> ImportReport:
    """Import the HSDS 3.0 CSV package in ``folder`` into the session, or raise ``HsdsImportError``.

    ``mapping`` is a taxonomy mapping YAML for foreign category codes (see
    ``directory.hsds.mapping``). ``progress(resource, rows_done, rows_total)``
    is called while rows are written. The session is flushed, never committed.
    """
    folder = Path(folder)
    checker = _Checker(session)
    taxonomy_map = None
    if mapping is not None:
        taxonomy_map, mapping_errors = load_mapping(Path(mapping))
        checker.errors.extend(mapping_errors)
    tables = checker.read(folder)
    plan = checker.check(tables, taxonomy_map)
    if checker.errors:
        raise HsdsImportError(sorted(checker.errors, key=lambda e: (e.file, e.row or 0)))
    report = ImportReport(ignored_resources=checker.ignored, warnings=checker.warnings)
    written = _write(session, plan, progress)
    report.counts = {name: ResourceCount(len(tables[name].rows), written.get(name, 0))
                     for name in tables}
    report.unmapped_services = _unmapped(session, plan)
    return report


@dataclass
class _Table:
    name: str
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class _Plan:
    """Everything to write, as model column values, decided before anything is written."""

    present: set[str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    categories: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    service_names: dict[str, str] = field(default_factory=dict)
    # Rows of tables that set fields of other rows, per table.
    applied: dict[str, int] = field(default_factory=dict)


@dataclass
class _Ref:
    file: str
    row: int
    field: str
    entity: str
    value: str


class _Checker:
    """Reads and checks a package, collecting every problem before anything is written."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.errors: list[RowError] = []
        self.warnings: list[str] = []
        self.ignored: list[str] = []
        self.refs: list[_Ref] = []
        # Tables whose ids could not be read: ids pointing at them are not reported as
        # dangling, as the file's own error already says what is wrong.
        self.unreadable: set[str] = set()

    def error(self, file: str, row: int | None, field_name: str | None, message: str) -> None:
        self.errors.append(RowError(file, row, field_name, message))

    # Reading -------------------------------------------------------------------

    def read(self, folder: Path) -> dict[str, _Table]:
        """The stored tables of the package; other tables with rows go to ``ignored``."""
        if not folder.is_dir():
            self.error(str(folder), None, None, "not a folder")
            return {}
        tables: dict[str, _Table] = {}
        for name, (file, path) in self._locate(folder).items():
            if name not in _TARGETS and path.suffix.lower() != ".csv":
                continue
            table = self._read_csv(name, file, path)
            if table is None:
                self.unreadable.add(name)
                continue
            if name in _TARGETS:
                tables[name] = table
            elif table.rows:
                self.ignored.append(name)
        if not tables and not self.errors:
            self.error(str(folder), None, None, "no HSDS tables found (organizations.csv, "
                       "services.csv, locations.csv...)")
        return tables

    def _locate(self, folder: Path) -> dict[str, tuple[str, Path]]:
        """Resource name -> (file as named in errors, path), from datapackage.json or file names."""
        specs = all_specs()
        by_path = {spec.path: spec.name for spec in specs.values()}
        declared = self._declared(folder / DESCRIPTOR)
        found: dict[str, tuple[str, Path]] = {}
        if declared is None:
            for path in sorted(folder.glob("*.csv")):
                found[by_path.get(path.name, path.name)] = (path.name, path)
            return found
        for n, (name, file) in enumerate(declared):
            pure = PurePosixPath(file)
            key = name if name in specs else by_path.get(pure.name, name or file)
            path = folder / pure
            if key in found:
                self.error(DESCRIPTOR, None, f"resources[{n}].name", f"{key!r} is declared twice")
            elif "://" in file or pure.is_absolute() or ".." in pure.parts:
                self.error(DESCRIPTOR, None, f"resources[{n}].path",
                           f"{file!r}: only files inside the package folder can be read")
            elif key in _TARGETS and not path.is_file():
                self.error(file, None, None, "declared in datapackage.json but missing")
            elif key in _TARGETS and pure.suffix.lower() != ".csv":
                self.error(file, None, None, "only CSV tables can be imported")
            elif path.is_file():
                found[key] = (file, path)
                continue
            if key in _TARGETS:
                self.unreadable.add(key)
        listed = {path.resolve() for _, path in found.values()}
        for path in sorted(folder.glob("*.csv")):
            if path.resolve() not in listed:
                found.setdefault(path.name, (path.name, path))
        return found

    def _declared(self, descriptor: Path) -> list[tuple[str, str]] | None:
        """(name, path) of each resource in datapackage.json, or None to use the file names."""
        if not descriptor.is_file():
            return None
        try:
            raw = json.loads(descriptor.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            self.error(DESCRIPTOR, None, None, f"not UTF-8 ({exc.reason} at byte {exc.start})")
            return None
        except ValueError as exc:
            self.warnings.append(f"{DESCRIPTOR} is not a JSON data package descriptor ({exc}); "
                                 "read the tables by their standard HSDS file names instead")
            return None
        resources = raw.get("resources") if isinstance(raw, dict) else None
        if not isinstance(resources, list):
            self.error(DESCRIPTOR, None, "resources", "expected a list of resources")
            return []
        declared = []
        for n, res in enumerate(resources):
            path = res.get("path") if isinstance(res, dict) else None
            if not isinstance(path, str):
                self.error(DESCRIPTOR, None, f"resources[{n}].path",
                           "only a single local file path is supported")
                continue
            name = res.get("name")
            declared.append((name if isinstance(name, str) else "", path))
        return declared

    def _read_csv(self, name: str, file: str, path: Path) -> _Table | None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.error(file, None, None, f"cannot read: {exc.strerror}")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            self.error(file, None, None, f"not UTF-8: byte 0x{data[exc.start]:02X} on line {line}; "
                       "save the file as UTF-8")
            return None
        reader = csv.reader(io.StringIO(text, newline=""))
        records: list[list[str]] = []
        try:
            records = list(reader)
        except csv.Error as exc:
            self.error(file, reader.line_num, None, f"not valid CSV: {exc}")
            return None
        if not records or not any(c.strip() for c in records[0]):
            self.error(file, 1, None, "no header row")
            return None
        header = [c.strip() for c in records[0]]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        for column in duplicated:
            self.error(file, 1, column, "column appears more than once")
        rows = []
        for n, record in enumerate(records[1:], start=2):
            if not any(c.strip() for c in record):
                continue
            if len(record) != len(header):
                self.error(file, n, None, f"has {len(record)} cells; the header has {len(header)}")
                continue
            rows.append((n, dict(zip(header, record, strict=True))))
        return _Table(name, file, header, rows) if not duplicated else None

    # Checking ------------------------------------------------------------------

    def check(self, tables: dict[str, _Table], mapping: TaxonomyMapping | None) -> _Plan:
        """Parse and check every stored table; the plan is valid only if no error was recorded."""
        parsed = {name: self._parse(table, all_specs()[name]) for name, table in tables.items()}
        plan = _Plan(present=set(tables))
        ids = {entity: {v["id"] for _, v in parsed.get(entity, []) if v.get("id")}
               for entity in _ENTITY_MODELS}
        for name, rows in parsed.items():
            for column, entity in _REFERENCES.get(name, {}).items():
                self.refs.extend(_Ref(tables[name].file, n, column, entity, v[column])
                                 for n, v in rows if v.get(column))
            if name in _DESCRIBES:
                column, entity = _DESCRIBES[name]
                self._in_package(tables[name], rows, column, entity, ids[entity])
        translations = self._translations(plan, tables, parsed.get("waypoint_translations"), ids)
        self._organizations(plan, parsed, translations)
        self._locations(plan, parsed, translations)
        self._services(plan, parsed, translations)
        for name in ("service_at_location", "phone"):
            plan.rows[name] = [v for _, v in parsed.get(name, [])]
        self._addresses_and_languages(plan, tables, parsed)
        self._schedules(plan, tables, parsed)
        terms = self._terms(plan, parsed)
        if "attribute" in parsed:
            self._categories(plan, tables["attribute"], parsed["attribute"], ids["service"],
                             terms, mapping)
        self._resolve_references(ids)
        return plan

    def _parse(self, table: _Table, spec: ResourceSpec) -> list[tuple[int, dict[str, Any]]]:
        """Typed values of the columns Waypoint reads, with every bad cell reported."""
        model, renames = _TARGETS[table.name]
        columns = model.__table__.c
        also = _READ_ALSO.get(table.name, ())
        read = [f for f in spec.fields if renames.get(f.name, f.name) in columns or f.name in also]
        header = set(table.header)
        missing = {f.name for f in spec.fields if f.required and f.name not in header}
        for name in sorted(missing):
            self.error(table.file, 1, name, "required column is missing")
        if "id" in missing:
            self.unreadable.add(table.name)
        read_names = {f.name for f in read}
        unused = [c for c in table.header
                  if c not in read_names and any(r[c].strip() for _, r in table.rows)]
        if unused:
            self.warnings.append(
                f"{table.file}: columns not stored by Waypoint: {', '.join(unused)}")
        seen: dict[str, dict[Any, int]] = defaultdict(dict)
        out = []
        for n, cells_by_column in table.rows:
            values: dict[str, Any] = {}
            for spec_field in read:
                column = columns.get(renames.get(spec_field.name, spec_field.name))
                values[spec_field.name] = self._cell(table.file, n, spec_field,
                                                     cells_by_column.get(spec_field.name, ""),
                                                     column, spec_field.name in missing)
                value = values[spec_field.name]
                if spec_field.unique and value is not None:
                    if value in seen[spec_field.name]:
                        self.error(table.file, n, spec_field.name,
                                   f"{value!r} is also on row {seen[spec_field.name][value]}")
                    seen[spec_field.name].setdefault(value, n)
            out.append((n, values))
        return out

    def _cell(self, file: str, row: int, spec_field: Any, text: str, column: Column | None,
              column_missing: bool) -> Any:
        if not text.strip():
            allowed_empty = column is not None and _empty_default(column) == ""
            if spec_field.required and not column_missing and not allowed_empty:
                self.error(file, row, spec_field.name, "is required")
            return _empty_default(column) if column is not None else None
        try:
            value = cells.parse(text, spec_field)
        except cells.CellError as exc:
            self.error(file, row, spec_field.name, str(exc))
            return None
        if column is not None and isinstance(column.type, Integer) and isinstance(value, float):
            if not value.is_integer():
                self.error(file, row, spec_field.name, f"{text!r} is not a whole number")
                return None
            value = int(value)
        limit = getattr(column.type, "length", None) if column is not None else None
        if isinstance(value, str) and limit and len(value) > limit:
            self.error(file, row, spec_field.name, f"longer than {limit} characters")
            return None
        return value

    def _in_package(self, table: _Table, rows: list[tuple[int, dict[str, Any]]], column: str,
                    entity: str, ids: set[str]) -> None:
        if entity in self.unreadable:
            return
        for n, v in rows:
            if v.get(column) and v[column] not in ids:
                self.error(table.file, n, column,
                           f"no {entity} {v[column]} in this package's {all_specs()[entity].path}")

    def _translations(self, plan: _Plan, tables: dict[str, _Table],
                      rows: list[tuple[int, dict[str, Any]]] | None,
                      ids: dict[str, set[str]]) -> dict[tuple[str, str, str], str] | None:
        """(entity, id, field) -> French text, or None when the package has no translations."""
        if rows is None:
            return None
        file = tables["waypoint_translations"].file
        out: dict[tuple[str, str, str], str] = {}
        seen: dict[tuple[str, str, str], int] = {}
        for n, v in rows:
            entity, entity_id, name = v["entity"], v["entity_id"], v["field"]
            if entity is None or entity_id is None or name is None or v["value"] is None:
                continue
            if name not in TRANSLATED[entity]:
                self.error(file, n, "field", f"{entity} has no translated field {name!r} "
                           f"(only {', '.join(TRANSLATED[entity])})")
            elif entity not in self.unreadable and entity_id not in ids[entity]:
                self.error(file, n, "entity_id",
                           f"no {entity} {entity_id} in this package's {all_specs()[entity].path}")
            elif (entity, entity_id, name) in seen:
                self.error(file, n, "field",
                           f"translated twice (also row {seen[entity, entity_id, name]})")
            else:
                seen[entity, entity_id, name] = n
                out[entity, entity_id, name] = v["value"]
        plan.applied["waypoint_translations"] = len(out)
        return out

    def _organizations(self, plan: _Plan, parsed: dict[str, Any],
                       translations: dict[tuple[str, str, str], str] | None) -> None:
        for _, v in parsed.get("organization", []):
            values = dict(v)
            if translations is not None:
                values["name_fr"] = translations.get(("organization", v["id"], "name"))
                values["description_fr"] = translations.get(
                    ("organization", v["id"], "description"))
            plan.rows["organization"].append(values)

    def _locations(self, plan: _Plan, parsed: dict[str, Any],
                   translations: dict[tuple[str, str, str], str] | None) -> None:
        latitude, longitude = "latitude", "longitude"
        accessibility: dict[str, list[str]] | None = None
        if "accessibility" in parsed:
            accessibility = defaultdict(list)
            unattached = 0
            for _, v in parsed["accessibility"]:
                if v["location_id"]:
                    accessibility[v["location_id"]].extend(
                        t for t in (v["description"], v["details"]) if t)
                else:
                    unattached += 1
            plan.applied["accessibility"] = len(parsed["accessibility"]) - unattached
            if unattached:
                self.warnings.append(f"{all_specs()['accessibility'].path}: {unattached} row(s) "
                                     "without location_id not stored")
        for n, v in parsed.get("location", []):
            file = all_specs()["location"].path
            for name, bound in ((latitude, 90), (longitude, 180)):
                if v.get(name) is not None and not -bound <= v[name] <= bound:
                    self.error(file, n, name, f"{v[name]:g} is out of range (-{bound} to {bound})")
            if (v.get(latitude) is None) != (v.get(longitude) is None):
                self.error(file, n, latitude if v.get(latitude) is None else longitude,
                           "give both latitude and longitude, or neither")
            values = dict(v)
            if accessibility is not None:
                values["accessibility"] = "\n\n".join(accessibility.get(v["id"], [])) or None
            if translations is not None:
                values["accessibility_fr"] = translations.get(
                    ("location", v["id"], "accessibility"))
            plan.rows["location"].append(values)

    def _services(self, plan: _Plan, parsed: dict[str, Any],
                  translations: dict[tuple[str, str, str], str] | None) -> None:
        facts = {v["service_id"]: v for _, v in parsed.get("waypoint_service_facts", [])}
        capacity = {v["service_id"]: v for _, v in parsed.get("service_capacity", [])}
        for name in ("waypoint_service_facts", "service_capacity"):
            if name in parsed:
                plan.applied[name] = len(parsed[name])
        columns = Service.__table__.c
        for _, v in parsed.get("service", []):
            sid = v["id"]
            values = dict(v)
            plan.service_names[sid] = v["name"] or ""
            if "waypoint_service_facts" in parsed:
                fact = facts.get(sid, {})
                for name in _FACTS:
                    values[name] = fact[name] if name in fact else _empty_default(columns[name])
            if "service_capacity" in parsed:
                row = capacity.get(sid, {})
                values.update({"capacity_available": row.get("available"),
                               "capacity_maximum": row.get("maximum"),
                               "capacity_unit": row.get("unit"),
                               "capacity_updated_at": row.get("updated")})
            if translations is not None:
                for name in TRANSLATED["service"]:
                    values[f"{name}_fr"] = translations.get(("service", sid, name))
            plan.rows["service"].append(values)

    def _addresses_and_languages(self, plan: _Plan, tables: dict[str, _Table],
                                 parsed: dict[str, Any]) -> None:
        """Rows HSDS lets float free but Waypoint can only keep attached: skipped, and said so."""
        for name, needed in (("address", ("location_id",)), ("language", ("service_id", "code"))):
            skipped = 0
            for _, v in parsed.get(name, []):
                if all(v.get(column) for column in needed):
                    plan.rows[name].append(v)
                else:
                    skipped += 1
            if skipped:
                self.warnings.append(f"{tables[name].file}: {skipped} row(s) without "
                                     f"{' or '.join(needed)} not stored")

    def _schedules(self, plan: _Plan, tables: dict[str, _Table], parsed: dict[str, Any]) -> None:
        columns = set(Schedule.__table__.c.keys())
        timezone_given = False
        for n, v in parsed.get("schedule", []):
            if v.get("notes") == HOLIDAY_MARK:
                continue
            file = tables["schedule"].file
            timezone_given = timezone_given or v["timezone"] is not None
            if v["freq"] not in (None, "WEEKLY"):
                self.error(file, n, "freq", f"{v['freq']} rules cannot be evaluated; Waypoint "
                           "reads weekly rules only (WEEKLY or empty)")
            if v["interval"] not in (None, 1):
                self.error(file, n, "interval", f"every {v['interval']:g} weeks cannot be "
                           "evaluated; Waypoint reads weekly rules only (interval 1 or empty)")
            for name in _UNEVALUABLE:
                if v[name] is not None:
                    self.error(file, n, name, "rules limited by week, month day or year day "
                               "cannot be evaluated; Waypoint reads weekly rules only")
            if v["count"] is not None:
                self.error(file, n, "count", "a rule that ends after a number of occurrences "
                           "cannot be evaluated; give valid_to instead")
            starts = [d for d in (v["valid_from"], v["dtstart"]) if d is not None]
            ends = [d for d in (v["valid_to"], v["until"]) if d is not None]
            values = {k: val for k, val in v.items() if k in columns}
            values.update(kind="regular", freq="WEEKLY", valid_from=max(starts, default=None),
                          valid_to=min(ends, default=None),
                          byday=self._byday(file, n, v["byday"]))
            first, last = values["valid_from"], values["valid_to"]
            if first is not None and last is not None and last < first:
                self.error(file, n, "valid_to", "the schedule ends before it starts")
            plan.rows["schedule"].append(values)
        if timezone_given:
            self.warnings.append(f"{tables['schedule'].file}: the timezone column is ignored; "
                                 "times are read as local clock time in America/Toronto")
        for n, v in parsed.get("waypoint_holiday_hours", []):
            file = tables["waypoint_holiday_hours"].file
            byday = self._byday(file, n, v["byday"])
            plan.rows["waypoint_holiday_hours"].append(
                {**v, "kind": "holiday", "freq": "WEEKLY", "byday": byday})

    def _byday(self, file: str, row: int, byday: str | None) -> str:
        codes = [c.strip().upper() for c in (byday or "").split(",") if c.strip()]
        for code in codes:
            if code not in DAY_CODES:
                self.error(file, row, "byday", f"unknown weekday {code!r}; weekly rules use "
                           f"{', '.join(DAY_CODES)}")
        return ",".join(codes)

    def _terms(self, plan: _Plan, parsed: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
        """Term id -> (code, name) for the package's terms; canonical terms are not stored."""
        terms: dict[str, tuple[str | None, str]] = {}
        for _, v in parsed.get("taxonomy_term", []):
            terms[v["id"]] = (v["code"], v["name"])
            if not _is_canonical(v["id"], v["code"]):
                plan.rows["taxonomy_term"].append(v)
        return terms

    def _categories(self, plan: _Plan, table: _Table, rows: list[tuple[int, dict[str, Any]]],
                    service_ids: set[str], terms: dict[str, tuple[str | None, str]],
                    mapping: TaxonomyMapping | None) -> None:
        """Each package service's canonical codes, in attribute order, with their source term."""
        known = dict(terms)
        wanted = {v["taxonomy_term_id"] for _, v in rows
                  if v["taxonomy_term_id"] and v["taxonomy_term_id"] not in known}
        known.update({code_id: (code, code) for code in CODES
                      if (code_id := canonical_term_id(code)) in wanted})
        missing = sorted(wanted - set(known))
        for chunk in _chunks(missing):
            query = select(TaxonomyTerm).where(TaxonomyTerm.id.in_(chunk))
            for term in self.session.scalars(query):
                known[term.id] = (term.code, term.name)
        plan.categories = {sid: [] for sid in plan.service_names}
        other_entities = 0
        for n, v in rows:
            if (v["link_entity"] or "").strip().lower() != "service":
                other_entities += 1
                continue
            sid, term_id = v["link_id"], v["taxonomy_term_id"]
            if sid not in service_ids:
                if sid and "service" not in self.unreadable:
                    self.error(table.file, n, "link_id",
                               f"no service {sid} in this package's {all_specs()['service'].path}")
                continue
            if not term_id:
                continue
            if term_id not in known:
                if "taxonomy_term" in self.unreadable:
                    continue
                self.error(table.file, n, "taxonomy_term_id",
                           f"no taxonomy term {term_id} in the package or the database")
                continue
            code, name = known[term_id]
            category = _category(term_id, code, name, v, mapping)
            if category and category not in (c for c, _ in plan.categories[sid]):
                source = None if _is_canonical(term_id, code) else term_id
                plan.categories[sid].append((category, source))
        if other_entities:
            self.warnings.append(f"{table.file}: {other_entities} attribute(s) of entities other "
                                 "than services not stored")

    def _resolve_references(self, ids: dict[str, set[str]]) -> None:
        """Report ids that point to nothing in the package or the database."""
        absent: dict[str, set[str]] = defaultdict(set)
        refs = [ref for ref in self.refs if ref.entity not in self.unreadable]
        for ref in refs:
            if ref.value not in ids[ref.entity]:
                absent[ref.entity].add(ref.value)
        stored: dict[str, set[str]] = defaultdict(set)
        for entity, values in absent.items():
            model = _ENTITY_MODELS[entity]
            for chunk in _chunks(sorted(values)):
                query = select(model.id).where(model.id.in_(chunk))  # type: ignore[attr-defined]
                stored[entity].update(self.session.scalars(query))
        for ref in refs:
            if ref.value in absent[ref.entity] and ref.value not in stored[ref.entity]:
                self.error(ref.file, ref.row, ref.field,
                           f"no {ref.entity} {ref.value} in the package or the database")


def _category(term_id: str, code: str | None, name: str, attribute: dict[str, Any],
              mapping: TaxonomyMapping | None) -> str | None:
    """The canonical code an attribute gives its service, if any."""
    if code in CODES:
        return code
    if (attribute["link_type"] or "").strip() == "category" and attribute["value"] in CODES:
        return str(attribute["value"])
    return mapping.code_for(code, name) if mapping is not None else None


def _is_canonical(term_id: str, code: str | None) -> bool:
    """Waypoint's own term for a canonical code (generated, so never stored)."""
    return code in CODES and term_id == canonical_term_id(str(code))


def _empty_default(column: Column) -> Any:
    """What an empty cell means for a column: its scalar default when it cannot be NULL."""
    default = column.default
    if not column.nullable and default is not None and default.is_scalar:
        return default.arg
    return None


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[n:n + _CHUNK] for n in range(0, len(values), _CHUNK)]


# Writing ---------------------------------------------------------------------


def _write(session: Session, plan: _Plan, progress: Progress | None) -> dict[str, int]:
    """Upsert the plan in foreign-key order; returns rows written per resource."""
    written: dict[str, int] = {}
    for name, model in (("organization", Organization), ("location", Location),
                        ("address", Address), ("service", Service),
                        ("service_at_location", ServiceAtLocation), ("phone", Phone),
                        ("taxonomy_term", TaxonomyTerm)):
        written[name] = _upsert(session, model, plan.rows[name], name, progress)
    service_ids = list(plan.service_names)
    kinds = [kind for kind, name in (("regular", "schedule"), ("holiday", "waypoint_holiday_hours"))
             if name in plan.present]
    for chunk in _chunks(service_ids):
        if "attribute" in plan.present:
            session.execute(delete(ServiceCategory).where(ServiceCategory.service_id.in_(chunk)))
        if kinds:
            session.execute(delete(Schedule).where(Schedule.service_id.in_(chunk),
                                                   Schedule.kind.in_(kinds)))
        if "language" in plan.present:
            session.execute(delete(Language).where(Language.service_id.in_(chunk)))
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


def _unmapped(session: Session, plan: _Plan) -> list[tuple[str, str]]:
    ids = list(plan.service_names)
    with_category: set[str] = set()
    for chunk in _chunks(ids):
        with_category.update(session.scalars(
            select(ServiceCategory.service_id).where(ServiceCategory.service_id.in_(chunk))))
    return [(sid, plan.service_names[sid]) for sid in ids if sid not in with_category]
