"""HSDS 3.0 tabular packages in and out of the directory.

A package is a folder of CSV files with a ``datapackage.json``. Waypoint writes
every official table (validating against the official schemas) plus:

- ``waypoint_service_facts.csv``: populations, walk-in, ID and health-card
  rules, cost, pets, holiday policy, confidentiality, coverage, closures,
  verification date and version, one row per service;
- ``waypoint_translations.csv``: French names, descriptions, closure reasons
  and accessibility notes (the HSDS text columns hold English);
- ``service_capacity.csv`` and ``units.csv``: beds or places, as HSDS 3.1
  (``services.csv`` also gives ``last_verified_at`` as ``assured_date``);
- ``waypoint_holiday_hours.csv``: special statutory-holiday hours, which
  ``schedules.csv`` also spells out as bounded rows for the coming year.

See ``directory.hsds.importer`` for the import rules and
``directory.hsds.exporter`` for confidentiality and holiday rows.
"""

from directory.hsds.exporter import export_package
from directory.hsds.importer import import_package
from directory.hsds.reports import (
    ExportReport,
    HsdsImportError,
    ImportReport,
    ResourceCount,
    RowError,
)

__all__ = [
    "ExportReport",
    "HsdsImportError",
    "ImportReport",
    "ResourceCount",
    "RowError",
    "export_package",
    "import_package",
]
