"""One rule per HSDS table Waypoint stores: which model it fills and what its ids point at.

Reading, checking and planning an import all ask the same questions of a
table: is it stored at all, which model do its rows fill and under which
column names, which of its ids must resolve, and where. The answers live
here once, one declarative object per table, so adding or changing a table
is one edit that every step sees. What a column *is* (type, format,
required, unique) is not repeated: that is the table's schema in
``directory.hsds.schema``. Tables of the schema with no rule are not stored;
an import lists those that have rows as ignored. The few mappings of a value
that checking and planning both need (empty cells, weekly rules) are here
too, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from sqlalchemy import Column

from directory.hsds.schema import FieldSpec, ResourceSpec
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

_SITE_REFERENCES = {"service_id": "service", "location_id": "location",
                    "service_at_location_id": "service_at_location"}


@dataclass(frozen=True)
class TableRule:
    """How the rows of one HSDS table map onto Waypoint's models.

    ``model`` is the model the rows write or update; ``renames`` maps an HSDS
    column to the model's column where the names differ. A column is read when
    the model has it (after renaming) or it is in ``read_also``: read to be
    checked, then folded into other fields or refused.

    ``references`` maps a column to the table its ids point at, in the package
    or already in the database. ``describes`` is (column, table) for the id of
    the row a row adds facts to, which must be in the package itself.
    ``referable`` says other tables' ids point at this table's rows.
    """

    model: type[Base]
    renames: Mapping[str, str] = field(default_factory=dict)
    read_also: tuple[str, ...] = ()
    references: Mapping[str, str] = field(default_factory=dict)
    describes: tuple[str, str] | None = None
    referable: bool = False

    def model_column(self, hsds_column: str) -> str:
        return self.renames.get(hsds_column, hsds_column)

    def read_fields(self, spec: ResourceSpec) -> list[FieldSpec]:
        """The fields of the table's schema that an import reads, in the schema's order."""
        columns = self.model.__table__.c
        return [f for f in spec.fields
                if self.model_column(f.name) in columns or f.name in self.read_also]


RULES: dict[str, TableRule] = {
    "organization": TableRule(Organization, referable=True),
    "service": TableRule(Service, references={"organization_id": "organization"},
                         read_also=("assured_date",), referable=True),
    "location": TableRule(Location, references={"organization_id": "organization"},
                          referable=True),
    "service_at_location": TableRule(
        ServiceAtLocation, references={"service_id": "service", "location_id": "location"},
        referable=True),
    "address": TableRule(Address, references={"location_id": "location"}),
    "phone": TableRule(Phone, references={
        "service_id": "service", "location_id": "location", "organization_id": "organization",
        "service_at_location_id": "service_at_location"}),
    "schedule": TableRule(
        Schedule, references=_SITE_REFERENCES,
        read_also=("dtstart", "until", "count", "interval", "byweekno", "bymonthday",
                   "byyearday", "timezone")),
    "language": TableRule(Language, references={"service_id": "service"}),
    "taxonomy_term": TableRule(TaxonomyTerm, referable=True),
    "accessibility": TableRule(Location, renames={"location_id": "id"},
                               read_also=("id", "details"),
                               describes=("location_id", "location")),
    "attribute": TableRule(ServiceCategory, renames={"link_id": "service_id"},
                           read_also=("id", "link_id", "link_type", "link_entity", "value")),
    "waypoint_service_facts": TableRule(Service, renames={"service_id": "id"},
                                        describes=("service_id", "service")),
    "service_capacity": TableRule(
        Service, renames={"available": "capacity_available", "maximum": "capacity_maximum",
                          "updated": "capacity_updated_at"},
        read_also=("id", "service_id", "unit_id"), references={"unit_id": "unit"},
        describes=("service_id", "service")),
    # Folded into the capacity of the services it counts (``capacity_unit``), never stored.
    "unit": TableRule(Service, read_also=("scheme", "identifier"), referable=True),
    "waypoint_holiday_hours": TableRule(Schedule, references=_SITE_REFERENCES),
    "waypoint_translations": TableRule(
        Service, read_also=("entity", "entity_id", "field", "language", "value")),
}


def empty_value(column: Column) -> Any:
    """What an empty cell means for a column: its scalar default when it cannot be NULL."""
    default = column.default
    if not column.nullable and default is not None and default.is_scalar:
        return default.arg
    return None


def weekday_codes(byday: str | None) -> list[str]:
    """The weekday codes of a ``byday`` cell, upper-cased, in order; unknown codes included."""
    return [c.strip().upper() for c in (byday or "").split(",") if c.strip()]


def schedule_window(row: dict[str, Any]) -> tuple[date | None, date | None]:
    """A schedule row's first and last day: ``dtstart`` and ``until`` narrow ``valid_from/to``."""
    starts = [d for d in (row["valid_from"], row["dtstart"]) if d is not None]
    ends = [d for d in (row["valid_to"], row["until"]) if d is not None]
    return max(starts, default=None), min(ends, default=None)
