"""Checking every cell and id of a package before anything is written, naming each problem.

An import is all or nothing, so a rejected package must be named in full in
one go: no problem stops the check, each is recorded with its file, row and
field. The checks: required columns and values, types and formats (see
``directory.hsds.cells``), lengths and whole numbers the database needs,
unique values, coordinates in range, ids that point nowhere (in the package
or the database), translations of fields Waypoint does not translate,
weekdays, and recurrences Waypoint cannot evaluate (weekly rules and monthly
ones by weekday or day of the month are).

What passes is handed on as typed values, with the taxonomy terms the
package's attributes resolve to, for ``directory.hsds.planning``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Integer
from sqlalchemy.orm import Session

from directory.hsds import cells, store
from directory.hsds.reading import Package, Table
from directory.hsds.reports import Findings
from directory.hsds.rules import RULES, empty_value, schedule_window, weekday_codes
from directory.hsds.schema import (
    HOLIDAY_MARK,
    TRANSLATED,
    FieldSpec,
    ResourceSpec,
    all_specs,
    canonical_term_id,
)
from directory.schedules import DAY_CODES, parse_monthdays, parse_weeks
from directory.taxonomy import CODES

# (spreadsheet row, typed value by column) of one table.
Rows = list[tuple[int, dict[str, Any]]]
Terms = dict[str, tuple[str | None, str]]
_UNEVALUABLE = ("byweekno", "bymonthday", "byyearday")


@dataclass
class CheckedPackage:
    """A package's values, valid for planning only if checking recorded no error.

    ``ids`` are the ids of the package's rows of each referable table;
    ``terms`` is taxonomy term id -> (code, name) for the package's terms and
    any other term its attributes point at (canonical, or in the database).
    """

    tables: dict[str, Table]
    rows: dict[str, Rows]
    ids: dict[str, set[str]]
    terms: Terms


def check_package(session: Session, package: Package, findings: Findings, *,
                  replacing: bool = False, lenient: bool = False) -> CheckedPackage:
    """Parse and check every stored table; problems go to ``findings``.

    ``replacing`` (a restore) checks the package as if the database were empty:
    ids must resolve within the package itself. ``lenient`` (an import that
    skips invalid rows) also checks ids that point at a table that could not be
    read, as that table's rows will not be there to point at.
    """
    return _Checker(session, package, findings, replacing, lenient).check()


@dataclass
class _Reference:
    file: str
    row: int
    field: str
    entity: str
    value: str


class _Checker:
    def __init__(self, session: Session, package: Package, findings: Findings,
                 replacing: bool, lenient: bool) -> None:
        self.session = session
        self.replacing = replacing
        self.lenient = lenient
        self.tables = package.tables
        self.findings = findings
        self.references: list[_Reference] = []
        # Tables whose ids could not be read: ids pointing at them are not reported as
        # dangling, as the file's own error already says what is wrong.
        self.unreadable = set() if lenient else set(package.unreadable)

    def error(self, file: str, row: int | None, field_name: str | None, message: str) -> None:
        self.findings.error(file, row, field_name, message)

    def check(self) -> CheckedPackage:
        tables = self.tables
        rows = {name: self._parse(table, all_specs()[name]) for name, table in tables.items()}
        ids = {name: {v["id"] for _, v in rows.get(name, []) if v.get("id")}
               for name, rule in RULES.items() if rule.referable}
        for name, table_rows in rows.items():
            rule = RULES[name]
            for column, entity in rule.references.items():
                self.references.extend(_Reference(tables[name].file, n, column, entity, v[column])
                                       for n, v in table_rows if v.get(column))
            if rule.describes is not None:
                column, entity = rule.describes
                self._in_package(tables[name], table_rows, column, entity, ids[entity])
        if "waypoint_translations" in rows:
            self._translations(rows["waypoint_translations"], ids)
        self._coordinates(rows.get("location", []))
        self._schedules(rows.get("schedule", []), rows.get("waypoint_holiday_hours", []))
        terms = self._terms(rows)
        if "attribute" in rows:
            self._attributes(rows["attribute"], ids["service"], terms)
        self._resolve_references(ids)
        return CheckedPackage(tables, rows, ids, terms)

    def _parse(self, table: Table, spec: ResourceSpec) -> Rows:
        """Typed values of the columns Waypoint reads, with every bad cell reported."""
        rule = RULES[table.name]
        columns = rule.model.__table__.c
        read = rule.read_fields(spec)
        header = set(table.header)
        missing = {f.name for f in spec.fields if f.required and f.name not in header}
        for name in sorted(missing):
            self.error(table.file, 1, name, "required column is missing")
        if "id" in missing and not self.lenient:
            self.unreadable.add(table.name)
        read_names = {f.name for f in read}
        unused = [c for c in table.header
                  if c not in read_names and any(r[c].strip() for _, r in table.rows)]
        if unused:
            self.findings.warnings.append(
                f"{table.file}: columns not stored by Waypoint: {', '.join(unused)}")
        seen: dict[str, dict[Any, int]] = defaultdict(dict)
        out = []
        for n, cells_by_column in table.rows:
            values: dict[str, Any] = {}
            for spec_field in read:
                column = columns.get(rule.model_column(spec_field.name))
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

    def _cell(self, file: str, row: int, spec_field: FieldSpec, text: str, column: Column | None,
              column_missing: bool) -> Any:
        if not text.strip():
            allowed_empty = column is not None and empty_value(column) == ""
            if spec_field.required and not column_missing and not allowed_empty:
                self.error(file, row, spec_field.name, "is required")
            return empty_value(column) if column is not None else None
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

    def _in_package(self, table: Table, rows: Rows, column: str, entity: str,
                    ids: set[str]) -> None:
        """The ids of the rows these rows add facts to must be in the package itself."""
        if entity in self.unreadable:
            return
        for n, v in rows:
            if v.get(column) and v[column] not in ids:
                self.error(table.file, n, column,
                           f"no {entity} {v[column]} in this package's {all_specs()[entity].path}")

    def _translations(self, rows: Rows, ids: dict[str, set[str]]) -> None:
        file = self.tables["waypoint_translations"].file
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

    def _coordinates(self, rows: Rows) -> None:
        # Named by the standard file name, even when datapackage.json moved the table.
        file = all_specs()["location"].path
        latitude, longitude = "latitude", "longitude"
        for n, v in rows:
            for name, bound in ((latitude, 90), (longitude, 180)):
                if v.get(name) is not None and not -bound <= v[name] <= bound:
                    self.error(file, n, name, f"{v[name]:g} is out of range (-{bound} to {bound})")
            if (v.get(latitude) is None) != (v.get(longitude) is None):
                self.error(file, n, latitude if v.get(latitude) is None else longitude,
                           "give both latitude and longitude, or neither")

    def _schedules(self, regular: Rows, holiday: Rows) -> None:
        """Weekly and monthly rules can be evaluated; anything else is refused, not shown as
        wrong hours."""
        for n, v in regular:
            if v.get("notes") == HOLIDAY_MARK:
                continue
            file = self.tables["schedule"].file
            monthly = v["freq"] == "MONTHLY"
            if v["freq"] not in (None, "WEEKLY", "MONTHLY"):
                self.error(file, n, "freq", f"{v['freq']} rules cannot be evaluated; Waypoint "
                           "reads weekly and monthly rules only (WEEKLY, MONTHLY or empty)")
            if v["interval"] not in (None, 1):
                self.error(file, n, "interval", f"every {v['interval']:g} "
                           f"{'months' if monthly else 'weeks'} cannot be evaluated; Waypoint "
                           "reads rules that repeat every week or month (interval 1 or empty)")
            for name in _UNEVALUABLE:
                if v[name] is not None and not (monthly and name == "bymonthday"):
                    self.error(file, n, name, "rules limited by week, month day or year day "
                               "cannot be evaluated; Waypoint reads weekly rules, and monthly "
                               "ones by weekday or day of the month")
            if v["count"] is not None:
                self.error(file, n, "count", "a rule that ends after a number of occurrences "
                           "cannot be evaluated; give valid_to instead")
            if monthly:
                self._monthly(file, n, v["byday"], v["bymonthday"])
            else:
                self._weekdays(file, n, v["byday"])
            first, last = schedule_window(v)
            if first is not None and last is not None and last < first:
                self.error(file, n, "valid_to", "the schedule ends before it starts")
        for n, v in holiday:
            self._weekdays(self.tables["waypoint_holiday_hours"].file, n, v["byday"])

    def _monthly(self, file: str, row: int, byday: str | None, bymonthday: str | None) -> None:
        """A monthly rule names its weekdays (1WE,3WE; -1FR) or its days of the month (15)."""
        for name, parse, value in (("byday", parse_weeks, byday),
                                   ("bymonthday", parse_monthdays, bymonthday)):
            try:
                parse(value or "")
            except ValueError as exc:
                self.error(file, row, name, str(exc))
        if not (byday or "").strip() and not (bymonthday or "").strip():
            self.error(file, row, "byday", "a monthly rule needs weekdays (byday, e.g. 1WE,3WE "
                       "or -1FR) or days of the month (bymonthday, e.g. 15)")

    def _weekdays(self, file: str, row: int, byday: str | None) -> None:
        for code in weekday_codes(byday):
            if code not in DAY_CODES:
                self.error(file, row, "byday", f"unknown weekday {code!r}; weekly rules use "
                           f"{', '.join(DAY_CODES)}")

    def _terms(self, rows: dict[str, Rows]) -> Terms:
        """The package's terms, and the canonical or stored ones its attributes point at."""
        known = {v["id"]: (v["code"], v["name"]) for _, v in rows.get("taxonomy_term", [])}
        if "attribute" not in rows:
            return known
        wanted = {v["taxonomy_term_id"] for _, v in rows["attribute"]
                  if v["taxonomy_term_id"] and v["taxonomy_term_id"] not in known}
        known.update({code_id: (code, code) for code in CODES
                      if (code_id := canonical_term_id(code)) in wanted})
        if not self.replacing:
            known.update(store.stored_terms(self.session, wanted - set(known)))
        return known

    def _attributes(self, rows: Rows, service_ids: set[str], terms: Terms) -> None:
        """An attribute of a service must link a service of the package to a known term."""
        file = self.tables["attribute"].file
        for n, v in rows:
            if (v["link_entity"] or "").strip().lower() != "service":
                continue
            sid, term_id = v["link_id"], v["taxonomy_term_id"]
            if sid not in service_ids:
                if sid and "service" not in self.unreadable:
                    self.error(file, n, "link_id",
                               f"no service {sid} in this package's {all_specs()['service'].path}")
                continue
            if term_id and term_id not in terms and "taxonomy_term" not in self.unreadable:
                self.error(file, n, "taxonomy_term_id",
                           f"no taxonomy term {term_id} in the package or the database")

    def _resolve_references(self, ids: dict[str, set[str]]) -> None:
        """Report ids that point to nothing in the package or the database."""
        absent: dict[str, set[str]] = defaultdict(set)
        references = [ref for ref in self.references if ref.entity not in self.unreadable]
        for ref in references:
            if ref.value not in ids[ref.entity]:
                absent[ref.entity].add(ref.value)
        stored = {entity: set() if self.replacing
                  else store.stored_ids(self.session, RULES[entity].model, values)
                  for entity, values in absent.items()}
        for ref in references:
            if ref.value in absent[ref.entity] and ref.value not in stored[ref.entity]:
                self.error(ref.file, ref.row, ref.field,
                           f"no {ref.entity} {ref.value} in the package or the database")
