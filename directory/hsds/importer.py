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

Except what a provider owns: a plain import never lowers a service's version,
never clears its confidential flag, and never overwrites a closure, a bed
count or hours a provider changed after the package's own date (see
``directory.hsds.ownership``). A restore (an admin backup) is the exception:
it replaces everything the directory holds, and is audited as one entry.

Schedules: weekly rules, and monthly ones by weekday ("1WE,3WE", "-1FR") or
day of the month ("15", "-1") are evaluated; other ``freq`` values, an
``interval`` other than 1, ``byweekno``/``byyearday``, ``bymonthday`` on a
weekly rule and ``count`` are rejected with the row named, rather than kept
and shown as wrong hours. ``dtstart`` and ``until`` narrow ``valid_from``/``valid_to``.
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

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from directory.access import Actor, Change, authorise
from directory.hsds import ownership
from directory.hsds.checking import check_package
from directory.hsds.mapping import load_mapping
from directory.hsds.planning import Plan, plan_import
from directory.hsds.reading import read_package
from directory.hsds.reports import Findings, HsdsImportError, ImportReport, Progress, ResourceCount
from directory.hsds.rules import RULES
from directory.hsds.skipping import Skipped, skip_invalid
from directory.hsds.store import unmapped_services, wipe, write_plan
from directory.models import AuditEntry
from directory.schedules import TZ

RESTORE_ACTION = "restore"


def import_package(session: Session, folder: Path, mapping: Path | None = None,
                   progress: Progress | None = None, *, restore_by: Actor | None = None,
                   skip_invalid_rows: bool = False, now: datetime | None = None) -> ImportReport:
    """Import the HSDS 3.0 CSV package in ``folder`` into the session, or raise ``HsdsImportError``.

    ``mapping`` is a taxonomy mapping YAML for foreign category codes (see
    ``directory.hsds.mapping``). ``progress(resource, rows_done, rows_total)``
    is called while rows are written. ``restore_by`` makes it a restore of an
    admin backup by that actor (who must be allowed ``Change.RESTORE``):
    everything the directory holds is replaced, with one audit entry.
    ``skip_invalid_rows`` imports every valid row and leaves out the invalid
    ones and what depends on them (``directory.hsds.skipping``), listed in the
    report's ``skipped``; a bad mapping file is still refused. ``now``
    (local clock, default the present) stamps the import. The session is
    flushed, never committed.
    """
    now = now or datetime.now(TZ).replace(tzinfo=None, microsecond=0)
    if restore_by is not None:
        authorise(session, restore_by, Change.RESTORE)
    findings = Findings()
    taxonomy_map = None
    if mapping is not None:
        taxonomy_map, mapping_errors = load_mapping(Path(mapping))
        findings.errors.extend(mapping_errors)
    package = read_package(Path(folder), RULES, findings)
    checked = check_package(session, package, findings, replacing=restore_by is not None,
                            lenient=skip_invalid_rows)
    errors = sorted(findings.errors, key=lambda e: (e.file, e.row or 0))
    skipped = Skipped()
    if errors:
        mapping_wrong = mapping is not None and taxonomy_map is None
        if not skip_invalid_rows or mapping_wrong:
            raise HsdsImportError(errors)
        skipped = skip_invalid(checked, errors)
        if not checked.tables:
            raise HsdsImportError(errors)
    plan = plan_import(checked, taxonomy_map, findings.warnings)
    _hold_skipped(plan, skipped)
    report = ImportReport(ignored_resources=package.ignored, warnings=findings.warnings,
                          skipped=sorted(skipped.rows, key=lambda e: (e.file, e.row or 0)))
    if restore_by is not None:
        before = wipe(session)
        held: dict[str, set[str]] = {}
    else:
        held = ownership.hold_back(session, plan)
    written = write_plan(session, plan, progress)
    ownership.record(session, plan, held, now)
    report.counts = {name: ResourceCount(len(table.rows), written.get(name, 0))
                     for name, table in package.tables.items()}
    for name, table in package.tables.items():  # a table skipped whole wrote nothing
        if name not in checked.tables:
            report.counts[name] = ResourceCount(len(table.rows), 0)
    report.unmapped_services = unmapped_services(session, plan)
    report.kept = [(sid, plan.service_names[sid], sorted(kinds))
                   for sid, kinds in sorted(held.items())]
    if restore_by is not None:
        session.add(AuditEntry(
            at=now, actor=restore_by.label(), account_id=restore_by.account_id,
            action=RESTORE_ACTION, service_id="",
            old_value=json.dumps(before),
            new_value=json.dumps({"package": str(folder),
                                  "rows": {k: c.upserted for k, c in report.counts.items()}})))
        session.flush()
    return report


def _hold_skipped(plan: Plan, skipped: Skipped) -> None:
    """Leave as stored what skipped rows would have set: hours, capacity, French text."""
    plan.held_hours.update(skipped.held_hours)
    plan.rows["schedule"] = [v for v in plan.rows["schedule"]
                             if v.get("service_id") not in skipped.held_hours]
    for entity, by_id in skipped.held_fields.items():
        for values in plan.rows[entity]:
            for column in by_id.get(values["id"], ()):
                values.pop(column, None)
