"""HSDS 3.0 tabular import: check the whole package, then write it in the caller's transaction.

Nothing is added to the session until every row of every table has been
checked, so a rejected package leaves the database exactly as it was (and the
caller's transaction usable). The checks: required columns and values, types
and formats, the enums Waypoint relies on, coordinates in range, ids that
point nowhere (in the package or the database), and recurrences Waypoint
cannot evaluate. All problems are collected and raised together.

Each step is a module of its own: ``reading`` finds the tables and splits them
into cells, ``checking`` judges every cell and id, ``planning`` turns what
passed into model values and ``store`` writes them; ``rules`` holds the one
rule per table that they share.

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

from pathlib import Path

from sqlalchemy.orm import Session

from directory.hsds.checking import check_package
from directory.hsds.mapping import load_mapping
from directory.hsds.planning import plan_import
from directory.hsds.reading import read_package
from directory.hsds.reports import Findings, HsdsImportError, ImportReport, Progress, ResourceCount
from directory.hsds.rules import RULES
from directory.hsds.store import unmapped_services, write_plan


def import_package(session: Session, folder: Path, mapping: Path | None = None,
                   progress: Progress | None = None) -> ImportReport:
    """Import the HSDS 3.0 CSV package in ``folder`` into the session, or raise ``HsdsImportError``.

    ``mapping`` is a taxonomy mapping YAML for foreign category codes (see
    ``directory.hsds.mapping``). ``progress(resource, rows_done, rows_total)``
    is called while rows are written. The session is flushed, never committed.
    """
    findings = Findings()
    taxonomy_map = None
    if mapping is not None:
        taxonomy_map, mapping_errors = load_mapping(Path(mapping))
        findings.errors.extend(mapping_errors)
    package = read_package(Path(folder), RULES, findings)
    checked = check_package(session, package, findings)
    if findings.errors:
        raise HsdsImportError(sorted(findings.errors, key=lambda e: (e.file, e.row or 0)))
    plan = plan_import(checked, taxonomy_map, findings.warnings)
    report = ImportReport(ignored_resources=package.ignored, warnings=findings.warnings)
    written = write_plan(session, plan, progress)
    report.counts = {name: ResourceCount(len(table.rows), written.get(name, 0))
                     for name, table in package.tables.items()}
    report.unmapped_services = unmapped_services(session, plan)
    return report
