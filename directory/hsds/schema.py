"""The table schemas of a Waypoint HSDS package: the official ones, and Waypoint's extensions.

The official definitions are read from a copy of HSDS 3.0's ``datapackage.json``
shipped beside this module (the tests check it is byte-for-byte the upstream
file), so the exporter can copy them verbatim and the importer validates
against the same types, formats, enums and required flags.

Waypoint's extension resources are built here in code rather than kept in a
JSON file, because their enums must be exactly the model's constants
(``COSTS``, ``HOLIDAY_POLICIES``, ``POPULATIONS``): one source, no drift.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from directory.models import COSTS, HOLIDAY_POLICIES, POPULATIONS

OFFICIAL_DESCRIPTOR = Path(__file__).with_name("hsds-3.0-datapackage.json")

# Every id Waypoint derives for an export (canonical terms, attributes,
# accessibility rows, holiday rows...) is a UUIDv5 in this namespace, so two
# exports of the same data are identical files.
NAMESPACE = uuid.UUID("7ae0d44c-2cc4-46e4-8106-ad0db15d2e0f")
TAXONOMY = "waypoint"
# ``schedule.notes`` of the bounded statutory-holiday rows the exporter derives;
# the importer skips them (the facts they come from travel in extension tables).
HOLIDAY_MARK = "waypoint:holiday"
# ``unit.scheme`` of the units Waypoint exports: their identifier is the stored unit.
UNIT_SCHEME = "waypoint"
TRANSLATED = {
    "organization": ("name", "description"),
    "service": ("name", "description", "closed_reason"),
    "location": ("accessibility",),
}


@dataclass(frozen=True)
class FieldSpec:
    """One column of a table schema, reduced to what validation needs."""

    name: str
    type: str
    format: str | None = None
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class ResourceSpec:
    """One table: its resource name, file name, columns and full descriptor."""

    name: str
    path: str
    fields: tuple[FieldSpec, ...]
    descriptor: dict[str, Any]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _spec(descriptor: dict[str, Any]) -> ResourceSpec:
    fields = []
    for f in descriptor["schema"]["fields"]:
        constraints = f.get("constraints", {})
        fields.append(FieldSpec(
            name=f["name"], type=f.get("type", "string"),
            format=f.get("format") if f.get("format") not in (None, "default") else None,
            required=bool(constraints.get("required")), unique=bool(constraints.get("unique")),
            enum=tuple(constraints["enum"]) if "enum" in constraints else None,
            minimum=constraints.get("minimum"), pattern=constraints.get("pattern")))
    return ResourceSpec(descriptor["name"], descriptor["path"], tuple(fields), descriptor)


@lru_cache(maxsize=1)
def official_descriptor() -> dict[str, Any]:
    """HSDS 3.0's own ``datapackage.json``, as published by Open Referral."""
    return json.loads(OFFICIAL_DESCRIPTOR.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def official() -> dict[str, ResourceSpec]:
    """The official HSDS 3.0 tables by resource name, in the specification's order."""
    return {r["name"]: _spec(r) for r in official_descriptor()["resources"]}


def _field(name: str, type_: str, description: str, required: bool = False,
           **constraints: Any) -> dict[str, Any]:
    """A Table Schema field; ``type_`` "uuid" means a string in UUID format, as in HSDS."""
    field: dict[str, Any] = {"name": name, "type": "string" if type_ == "uuid" else type_,
                             "description": description}
    if type_ == "uuid":
        field["format"] = "uuid"
    field["constraints"] = {"required": required, **constraints}
    return field


def _resource(name: str, description: str, fields: list[dict[str, Any]],
              primary_key: str | list[str], foreign: dict[str, str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": fields, "primaryKey": primary_key}
    if foreign:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": target, "fields": "id"}}
            for column, target in foreign.items()]
    return {
        "name": name, "path": f"{name}.csv", "description": description, "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource",
        "schema": schema,
    }


@lru_cache(maxsize=1)
def extensions() -> dict[str, ResourceSpec]:
    """Waypoint's extension tables by resource name."""
    populations = "|".join(POPULATIONS)
    facts = _resource(
        "waypoint_service_facts",
        "Waypoint: what a person needs to know before walking over, one row per service.",
        [
            _field("service_id", "uuid", "The service these facts describe.", True, unique=True),
            _field("populations", "string", "Who is served, comma-separated.", True,
                   pattern=f"^({populations})(,({populations}))*$"),
            _field("walk_in", "boolean", "No appointment or referral needed.", True),
            _field("id_required", "boolean", "Photo ID is asked for.", True),
            _field("health_card_required", "boolean", "A health card is asked for.", True),
            _field("cost", "string", "What it costs.", True, enum=list(COSTS)),
            _field("pets", "boolean", "Pets are welcome.", True),
            _field("holiday_policy", "string",
                   "On statutory holidays: closed, open as usual, or special hours "
                   "(given in waypoint_holiday_hours).", True, enum=list(HOLIDAY_POLICIES)),
            _field("confidential", "boolean",
                   "A safe shelter: its address and coordinates are never published.", True),
            _field("coverage_km", "number", "For outreach: the radius served, in km.",
                   minimum=0),
            _field("closed_reason", "string", "Why it is temporarily closed (English)."),
            _field("closed_since", "date", "First day of a temporary closure."),
            _field("closed_until", "date", "Last day of a temporary closure."),
            _field("last_verified_at", "datetime", "When the listing was last confirmed."),
            _field("version", "integer", "Edit counter for optimistic concurrency.", True,
                   minimum=1),
        ],
        "service_id", {"service_id": "service"})
    translations = _resource(
        "waypoint_translations",
        "Waypoint: French text. The HSDS name and description columns hold English.",
        [
            _field("entity", "string", "The table of the translated row.", True,
                   enum=list(TRANSLATED)),
            _field("entity_id", "uuid", "The id of the translated row.", True),
            _field("field", "string", "The translated column.", True,
                   enum=sorted({f for fields in TRANSLATED.values() for f in fields})),
            _field("language", "string", "ISO 639-1 language of the value.", True, enum=["fr"]),
            _field("value", "string", "The translated text.", True),
        ],
        ["entity", "entity_id", "field", "language"], {})
    capacity = _resource(
        "service_capacity",
        "Beds or places, as HSDS 3.1 service_capacity (available and updated may be empty "
        "where only the maximum is known).",
        [
            _field("id", "uuid", "Identifier of this capacity row.", True, unique=True),
            _field("service_id", "uuid", "The service whose capacity this is.", True,
                   unique=True),
            _field("unit_id", "uuid", "What is counted: a row of units.csv.", True),
            _field("available", "integer", "Places free at the time of the update.", minimum=0),
            _field("maximum", "integer", "Places in total.", minimum=0),
            _field("description", "string", "Notes on this capacity."),
            _field("updated", "datetime", "When available was last reported."),
        ],
        "id", {"service_id": "service", "unit_id": "unit"})
    unit = _resource(
        "unit",
        "What a service_capacity counts, as HSDS 3.1 unit: 'bed', 'room'... Waypoint's own "
        f"rows have scheme '{UNIT_SCHEME}' and the word it shows as identifier ('beds').",
        [
            _field("id", "uuid", "Identifier of this unit.", True, unique=True),
            _field("name", "string", "The unit, singular: bed, room, place...", True),
            _field("scheme", "string", "The scheme the identifier belongs to."),
            _field("identifier", "string", "The unit's identifier in its scheme."),
            _field("uri", "string", "A URI naming the unit."),
        ],
        "id", {})
    unit["path"] = "units.csv"
    holiday_hours = _resource(
        "waypoint_holiday_hours",
        "Waypoint: the hours a service with holiday_policy 'special' keeps on every "
        "statutory holiday. schedules.csv carries them as bounded rows for the coming year.",
        [
            _field("id", "uuid", "Identifier of this rule.", True, unique=True),
            _field("service_id", "uuid", "The service the hours belong to."),
            _field("location_id", "uuid", "The location the hours belong to."),
            _field("service_at_location_id", "uuid", "The site the hours belong to."),
            _field("valid_from", "date", "First holiday date the rule applies to."),
            _field("valid_to", "date", "Last holiday date the rule applies to."),
            _field("byday", "string", "Weekdays the rule is limited to (usually empty)."),
            _field("opens_at", "time", "Opening time, local clock (America/Toronto)."),
            _field("closes_at", "time", "Closing time; not after opens_at means the next day."),
            _field("description", "string", "Free text about these hours."),
            _field("notes", "string", "Notes about these hours."),
        ],
        "id", {"service_id": "service", "location_id": "location",
               "service_at_location_id": "service_at_location"})
    return {r["name"]: _spec(r) for r in (facts, translations, capacity, unit, holiday_hours)}


def all_specs() -> dict[str, ResourceSpec]:
    """Every table Waypoint reads or writes, official first."""
    return {**official(), **extensions()}


def stable_id(*parts: str) -> str:
    """A UUIDv5 for something the exporter derives, the same on every export."""
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def canonical_term_id(code: str) -> str:
    """The taxonomy_term id of a canonical category code."""
    return stable_id("taxonomy_term", code)


def taxonomy_id() -> str:
    """The taxonomy row id of Waypoint's canonical category list."""
    return stable_id("taxonomy", TAXONOMY)
