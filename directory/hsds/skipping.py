"""``import --skip-invalid``: leave out the invalid rows and what depends on them, name each.

Checking (``directory.hsds.checking``) names every problem by file, row and
field. Where the default import then refuses the whole package, this keeps
every row that has no problem and nothing to lean on that was left out:

- a row with a problem is skipped; a table whose header or file is wrong
  (a required column missing, not UTF-8...) is skipped whole;
- a row whose id points at a skipped row is skipped too (a service whose
  organization was skipped, a phone of a skipped site...), and so on, until
  nothing more falls;
- a service whose ``waypoint_service_facts`` row was skipped is skipped: it
  would otherwise get default facts, and a safe shelter would lose its
  ``confidential`` flag;
- if one schedule row of a service is skipped, the service keeps the hours it
  has and its other rows are skipped as well: part of a week would show it
  closed when it is open;
- a skipped capacity, accessibility or translation row leaves the fields it
  would have set as they are.

Every skipped row is returned as a ``RowError``: the problem itself, or which
skipped row it depended on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from directory.hsds.checking import CheckedPackage
from directory.hsds.reports import RowError
from directory.hsds.rules import RULES
from directory.hsds.schema import all_specs

# Fields a describing row sets on the row it describes: (entity, columns).
_HELD_FIELDS = {
    "service_capacity": ("service", ("capacity_available", "capacity_maximum", "capacity_unit",
                                     "capacity_updated_at")),
    "accessibility": ("location", ("accessibility",)),
}


@dataclass
class Skipped:
    """What an import that skips invalid rows left out, and what it must leave as stored."""

    rows: list[RowError] = field(default_factory=list)
    # Services whose stored hours stay, as one of their schedule rows was skipped.
    held_hours: set[str] = field(default_factory=set)
    # entity -> id -> model columns to leave as stored.
    held_fields: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))


def skip_invalid(checked: CheckedPackage, errors: list[RowError]) -> Skipped:
    """Take the invalid rows and their dependents out of ``checked``; say which and why."""
    return _Skipper(checked).run(errors)


class _Skipper:
    def __init__(self, checked: CheckedPackage) -> None:
        self.checked = checked
        self.out = Skipped()
        # table -> spreadsheet rows to leave out
        self.bad: dict[str, set[int]] = defaultdict(set)
        by_file = {all_specs()[name].path: name for name in checked.tables}
        by_file.update({table.file: name for name, table in checked.tables.items()})
        self.by_file = by_file

    def run(self, errors: list[RowError]) -> Skipped:
        whole: set[str] = set()
        for error in errors:
            self.out.rows.append(error)
            name = self.by_file.get(error.file)
            if name is None:
                continue  # a file that could not be read at all: nothing of it is there
            if error.row is None or error.row == 1:
                whole.add(name)
            else:
                self.bad[name].add(error.row)
        for name in sorted(whole):
            self._drop_table(name, [e for e in errors if self.by_file.get(e.file) == name
                                    and (e.row is None or e.row == 1)][0])
        self._cascade()
        self._apply()
        return self.out

    def _drop_table(self, name: str, cause: RowError) -> None:
        """A table whose header or file is wrong: every row of it is left out."""
        table = self.checked.tables[name]
        for n, _ in table.rows:
            if n not in self.bad[name]:
                self.bad[name].add(n)
                self.out.rows.append(RowError(table.file, n, cause.field,
                                              f"the table was skipped: {cause.message}"))

    def _skip(self, name: str, row: int, column: str, message: str) -> None:
        self.bad[name].add(row)
        self.out.rows.append(RowError(self.checked.tables[name].file, row, column, message))

    def _cascade(self) -> None:
        """Skip rows that lean on skipped rows, until nothing more falls."""
        changed = True
        while changed:
            changed = False
            gone = self._gone()
            for name, rows in self.checked.rows.items():
                for n, v in rows:
                    if n in self.bad[name]:
                        continue
                    cause = self._leans_on(name, v, gone)
                    if cause is not None:
                        self._skip(name, n, *cause)
                        changed = True
            changed = self._services_without_facts() or changed
            changed = self._partial_weeks() or changed

    def _gone(self) -> dict[str, dict[str, int]]:
        """entity -> id -> row, of the skipped rows whose id no kept row carries."""
        gone: dict[str, dict[str, int]] = defaultdict(dict)
        for name, rows in self.checked.rows.items():
            if not RULES[name].referable:
                continue
            kept = {v.get("id") for n, v in rows if n not in self.bad[name]}
            for n, v in rows:
                if n in self.bad[name] and v.get("id") and v["id"] not in kept:
                    gone[name].setdefault(v["id"], n)
        return gone

    def _leans_on(self, name: str, v: dict[str, Any],
                  gone: dict[str, dict[str, int]]) -> tuple[str, str] | None:
        """(column, why) if the row points at a skipped row."""
        rule = RULES[name]
        pointers = dict(rule.references)
        if rule.describes is not None:
            pointers[rule.describes[0]] = rule.describes[1]
        if name == "waypoint_translations" and v.get("entity"):
            pointers = {"entity_id": v["entity"]}
        if name == "attribute":
            pointers = {"taxonomy_term_id": "taxonomy_term"}
            if (v.get("link_entity") or "").strip().lower() == "service":
                pointers["link_id"] = "service"
        for column, entity in pointers.items():
            value = v.get(column)
            if value and value in gone.get(entity, {}):
                file = self.checked.tables[entity].file
                return column, f"{entity} {value} was skipped ({file} row {gone[entity][value]})"
        return None

    def _services_without_facts(self) -> bool:
        """A service must not lose its facts: without them it would get the defaults."""
        if "waypoint_service_facts" not in self.checked.rows:
            return False
        lost = {v["service_id"]: n for n, v in self.checked.rows["waypoint_service_facts"]
                if n in self.bad["waypoint_service_facts"] and v.get("service_id")}
        changed = False
        for n, v in self.checked.rows.get("service", []):
            if n not in self.bad["service"] and v.get("id") in lost:
                file = self.checked.tables["waypoint_service_facts"].file
                self._skip("service", n, "id", f"its facts were skipped ({file} row "
                           f"{lost[v['id']]}); without them it would get the defaults "
                           "(not confidential, walk-in, free...)")
                changed = True
        return changed

    def _partial_weeks(self) -> bool:
        """A service with a skipped schedule row keeps its stored hours, not part of a week."""
        if "schedule" not in self.checked.rows:
            return False
        rows = self.checked.rows["schedule"]
        kept_services = {v["id"] for n, v in self.checked.rows.get("service", [])
                         if n not in self.bad["service"]}
        sites = {v["id"]: v["service_id"] for _, v in self.checked.rows.get(
            "service_at_location", []) if v.get("id")}

        def owner(v: dict[str, Any]) -> str | None:
            return v.get("service_id") or sites.get(v.get("service_at_location_id") or "")

        first_bad: dict[str, int] = {}
        for n, v in rows:
            sid = owner(v)
            if n in self.bad["schedule"] and sid:
                first_bad.setdefault(sid, n)
        changed = False
        for n, v in rows:
            sid = owner(v)
            if sid in first_bad and n not in self.bad["schedule"]:
                self._skip("schedule", n, "service_id",
                           f"another schedule row of service {sid} was skipped (row "
                           f"{first_bad[sid]}); its stored hours are kept")
                changed = True
        self.out.held_hours = {sid for sid in first_bad if sid in kept_services}
        return changed

    def _apply(self) -> None:
        """Leave the skipped rows out of the checked package, and note the fields to hold."""
        checked = self.checked
        for name, (entity, columns) in _HELD_FIELDS.items():
            column = RULES[name].describes[0]  # type: ignore[index]
            for n, v in checked.rows.get(name, []):
                if n in self.bad[name] and v.get(column):
                    self.out.held_fields[entity][v[column]].update(columns)
        for n, v in checked.rows.get("waypoint_translations", []):
            if n in self.bad["waypoint_translations"] and v.get("entity") and v.get("entity_id") \
                    and v.get("field"):
                self.out.held_fields[v["entity"]][v["entity_id"]].add(f"{v['field']}_fr")
        checked.tables = dict(checked.tables)  # the package's own list stays whole
        for name in list(checked.rows):
            checked.rows[name] = [(n, v) for n, v in checked.rows[name] if n not in self.bad[name]]
            if not checked.rows[name] and self.bad[name]:
                del checked.rows[name]
                del checked.tables[name]
        for name in checked.ids:
            checked.ids[name] = {v["id"] for _, v in checked.rows.get(name, []) if v.get("id")}
