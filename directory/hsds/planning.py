"""Turning a checked package into the write plan: every row as model column values.

HSDS and Waypoint cut the same facts differently, so the plan folds them
together before anything is written: facts, capacity and French text onto
the services, organizations and locations they describe; accessibility rows
into their location's text; schedules into weekly rules whose dates
``dtstart`` and ``until`` narrow; attributes into canonical categories.
Rows HSDS lets float free but Waypoint can only keep attached are skipped,
and a warning says how many.

Planning runs only on a package that checking passed (``directory.hsds.checking``),
so it records no errors and asks nothing of the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from directory.hsds.checking import CheckedPackage, Rows
from directory.hsds.mapping import TaxonomyMapping
from directory.hsds.rules import RULES, empty_value, schedule_window, weekday_codes
from directory.hsds.schema import (
    HOLIDAY_MARK,
    TRANSLATED,
    UNIT_SCHEME,
    all_specs,
    canonical_term_id,
)
from directory.models import Schedule, Service
from directory.schedules import format_weeks, parse_monthdays, parse_weeks
from directory.taxonomy import CODES

Translations = dict[tuple[str, str, str], str]


@dataclass
class Plan:
    """Everything to write, as model column values, decided before anything is written."""

    # The tables the package carries: each replaces what it covers for the package's entities.
    present: set[str]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    categories: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    service_names: dict[str, str] = field(default_factory=dict)
    # Rows of tables that set fields of other rows, per table.
    applied: dict[str, int] = field(default_factory=dict)
    # Each service's date in the package: the later of last_modified and assured_date.
    dates: dict[str, datetime] = field(default_factory=dict)
    # Services whose stored regular hours stay (``directory.hsds.ownership``).
    held_hours: set[str] = field(default_factory=set)


def plan_import(checked: CheckedPackage, mapping: TaxonomyMapping | None,
                warnings: list[str]) -> Plan:
    """The plan for a package that passed checking; notes on what is not stored go to ``warnings``."""
    return _Planner(checked, mapping, warnings).plan()


class _Planner:
    def __init__(self, checked: CheckedPackage, mapping: TaxonomyMapping | None,
                 warnings: list[str]) -> None:
        self.checked = checked
        self.mapping = mapping
        self.warnings = warnings

    def plan(self) -> Plan:
        rows = self.checked.rows
        plan = Plan(present=set(self.checked.tables))
        translations = self._translations(plan, rows.get("waypoint_translations"))
        self._organizations(plan, rows, translations)
        self._locations(plan, rows, translations)
        self._services(plan, rows, translations)
        for name in ("service_at_location", "phone"):
            plan.rows[name] = [v for _, v in rows.get(name, [])]
        self._addresses_and_languages(plan, rows)
        self._schedules(plan, rows)
        self._terms(plan, rows)
        if "attribute" in rows:
            self._categories(plan, rows["attribute"])
        return plan

    def _file(self, name: str) -> str:
        return self.checked.tables[name].file

    def _translations(self, plan: Plan, rows: Rows | None) -> Translations | None:
        """(entity, id, field) -> French text, or None when the package has no translations."""
        if rows is None:
            return None
        out: Translations = {}
        for _, v in rows:
            entity, entity_id, name = v["entity"], v["entity_id"], v["field"]
            if entity is None or entity_id is None or name is None or v["value"] is None:
                continue
            out[entity, entity_id, name] = v["value"]
        plan.applied["waypoint_translations"] = len(out)
        return out

    def _organizations(self, plan: Plan, rows: dict[str, Rows],
                       translations: Translations | None) -> None:
        for _, v in rows.get("organization", []):
            values = dict(v)
            if translations is not None:
                values["name_fr"] = translations.get(("organization", v["id"], "name"))
                values["description_fr"] = translations.get(
                    ("organization", v["id"], "description"))
            plan.rows["organization"].append(values)

    def _locations(self, plan: Plan, rows: dict[str, Rows],
                   translations: Translations | None) -> None:
        accessibility: dict[str, list[str]] | None = None
        if "accessibility" in rows:
            accessibility = defaultdict(list)
            unattached = 0
            for _, v in rows["accessibility"]:
                if v["location_id"]:
                    accessibility[v["location_id"]].extend(
                        t for t in (v["description"], v["details"]) if t)
                else:
                    unattached += 1
            plan.applied["accessibility"] = len(rows["accessibility"]) - unattached
            if unattached:
                self.warnings.append(f"{all_specs()['accessibility'].path}: {unattached} row(s) "
                                     "without location_id not stored")
        for _, v in rows.get("location", []):
            values = dict(v)
            if accessibility is not None:
                values["accessibility"] = "\n\n".join(accessibility.get(v["id"], [])) or None
            if translations is not None:
                values["accessibility_fr"] = translations.get(
                    ("location", v["id"], "accessibility"))
            plan.rows["location"].append(values)

    def _services(self, plan: Plan, rows: dict[str, Rows],
                  translations: Translations | None) -> None:
        facts = {v["service_id"]: v for _, v in rows.get("waypoint_service_facts", [])}
        capacity = {v["service_id"]: v for _, v in rows.get("service_capacity", [])}
        units = {v["id"]: _unit(v) for _, v in rows.get("unit", [])}
        for name in ("waypoint_service_facts", "service_capacity"):
            if name in rows:
                plan.applied[name] = len(rows[name])
        if "unit" in rows:
            plan.applied["unit"] = len({v["unit_id"] for v in capacity.values()} & set(units))
        columns = Service.__table__.c
        # The facts table's columns are the service's own, under the same names.
        fact_columns = [f.name for f in all_specs()["waypoint_service_facts"].fields
                        if f.name != "service_id"]
        capacity_columns = RULES["service_capacity"].renames
        for _, v in rows.get("service", []):
            sid = v["id"]
            values = dict(v)
            assured = values.pop("assured_date", None)
            if assured is not None:  # the facts' exact time, where given, overrides it
                values["last_verified_at"] = datetime.combine(assured, time())
            dates = [d for d in (v["last_modified"], assured and datetime.combine(assured, time()))
                     if d is not None]
            if dates:
                plan.dates[sid] = max(dates)
            plan.service_names[sid] = v["name"] or ""
            if "waypoint_service_facts" in rows:
                fact = facts.get(sid, {})
                for name in fact_columns:
                    values[name] = fact[name] if name in fact else empty_value(columns[name])
            if "service_capacity" in rows:
                row = capacity.get(sid, {})
                values.update({column: row.get(name) for name, column in capacity_columns.items()})
                values["capacity_unit"] = units.get(row.get("unit_id") or "")
            if translations is not None:
                for name in TRANSLATED["service"]:
                    values[f"{name}_fr"] = translations.get(("service", sid, name))
            plan.rows["service"].append(values)

    def _addresses_and_languages(self, plan: Plan, rows: dict[str, Rows]) -> None:
        """Rows HSDS lets float free but Waypoint can only keep attached: skipped, and said so."""
        for name, needed in (("address", ("location_id",)), ("language", ("service_id", "code"))):
            skipped = 0
            for _, v in rows.get(name, []):
                if all(v.get(column) for column in needed):
                    plan.rows[name].append(v)
                else:
                    skipped += 1
            if skipped:
                self.warnings.append(f"{self._file(name)}: {skipped} row(s) without "
                                     f"{' or '.join(needed)} not stored")

    def _schedules(self, plan: Plan, rows: dict[str, Rows]) -> None:
        """Weekly and monthly rules; the holiday rows a Waypoint export derives are skipped."""
        columns = set(Schedule.__table__.c.keys())
        timezone_given = False
        for _, v in rows.get("schedule", []):
            if v.get("notes") == HOLIDAY_MARK:
                continue
            timezone_given = timezone_given or v["timezone"] is not None
            valid_from, valid_to = schedule_window(v)
            values = {k: val for k, val in v.items() if k in columns}
            values.update(kind="regular", freq="WEEKLY", valid_from=valid_from, valid_to=valid_to,
                          byday=",".join(weekday_codes(v["byday"])), bymonthday=None)
            if v["freq"] == "MONTHLY":
                days = parse_monthdays(v["bymonthday"] or "")
                values.update(freq="MONTHLY", byday=format_weeks(parse_weeks(v["byday"] or "")),
                              bymonthday=",".join(str(d) for d in days) or None)
            plan.rows["schedule"].append(values)
        if timezone_given:
            self.warnings.append(f"{self._file('schedule')}: the timezone column is ignored; "
                                 "times are read as local clock time in America/Toronto")
        for _, v in rows.get("waypoint_holiday_hours", []):
            plan.rows["waypoint_holiday_hours"].append(
                {**v, "kind": "holiday", "freq": "WEEKLY",
                 "byday": ",".join(weekday_codes(v["byday"]))})

    def _terms(self, plan: Plan, rows: dict[str, Rows]) -> None:
        """The package's foreign terms; canonical terms are generated, so never stored."""
        for _, v in rows.get("taxonomy_term", []):
            if not _is_canonical(v["id"], v["code"]):
                plan.rows["taxonomy_term"].append(v)

    def _categories(self, plan: Plan, rows: Rows) -> None:
        """Each package service's canonical codes, in attribute order, with their source term."""
        service_ids = self.checked.ids["service"]
        plan.categories = {sid: [] for sid in plan.service_names}
        other_entities = 0
        for _, v in rows:
            if (v["link_entity"] or "").strip().lower() != "service":
                other_entities += 1
                continue
            sid, term_id = v["link_id"], v["taxonomy_term_id"]
            if sid not in service_ids or not term_id:
                continue
            code, name = self.checked.terms[term_id]
            category = _category(code, name, v, self.mapping)
            if category and category not in (c for c, _ in plan.categories[sid]):
                source = None if _is_canonical(term_id, code) else term_id
                plan.categories[sid].append((category, source))
        if other_entities:
            self.warnings.append(f"{self._file('attribute')}: {other_entities} attribute(s) of "
                                 "entities other than services not stored")


def _unit(row: dict[str, Any]) -> str | None:
    """The word Waypoint shows for a unit: its own identifier ("beds"), or the unit's name."""
    if row["scheme"] == UNIT_SCHEME and row["identifier"]:
        return str(row["identifier"])
    return row["name"]


def _category(code: str | None, name: str, attribute: dict[str, Any],
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
