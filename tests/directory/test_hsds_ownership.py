"""Imports never undo providers; a restore replaces everything, audited once."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from directory.access import Actor, Forbidden, Role
from directory.db import session_scope
from directory.hsds import export_package, import_package
from directory.hsds.schema import canonical_term_id
from directory.models import AuditEntry, Schedule, Service, ServiceImport
from directory.provider import WeeklyHours, close_temporarily, set_beds, set_hours
from directory.schedules import TZ
from tests.directory.fixtures.hsds.packages import (
    dump,
    rewrite,
    rows_of,
    set_cell,
    small_package,
    uid,
    write_package,
)

ROOT = Path(__file__).resolve().parents[2]
op = Actor.operator
BREAKFAST, SHOWERS, NURSE = uid("svc:breakfast"), uid("svc:showers"), uid("svc:nurse")
OLD, NEW = "2020-01-02T03:04:05Z", "2100-01-01T00:00:00Z"


def facts(sid: str, *, confidential: bool = False, version: int = 1) -> dict[str, str]:
    return {"service_id": sid, "populations": "all", "walk_in": "true", "id_required": "false",
            "health_card_required": "false", "cost": "free", "pets": "false",
            "holiday_policy": "open", "confidential": str(confidential).lower(),
            "version": str(version)}


def package(folder: Path, modified: str | None = OLD) -> Path:
    """The small package, with facts, a bed count, and one date for every service."""
    small_package(folder)
    write_package(folder, {
        "waypoint_service_facts": [facts(BREAKFAST), facts(SHOWERS), facts(NURSE)],
        "service_capacity": [{"id": uid("cap:breakfast"), "service_id": BREAKFAST,
                              "unit_id": uid("unit:bed"), "available": "5", "maximum": "10"}],
        "unit": [{"id": uid("unit:bed"), "name": "bed"}],
    })
    rows = rows_of(folder, "services.csv")
    for row in rows:
        row["last_modified"] = modified or ""
    rewrite(folder, "services.csv", rows)
    # Waypoint's own term ids, so that a backup of it imports again (a foreign term with
    # a canonical code would be exported beside the canonical one: a duplicate code).
    terms = rows_of(folder, "taxonomy_terms.csv")
    canonical = {t["id"]: canonical_term_id(t["code"]) for t in terms}
    rewrite(folder, "taxonomy_terms.csv", [{**t, "id": canonical[t["id"]]} for t in terms])
    rewrite(folder, "attributes.csv", [{**a, "taxonomy_term_id": canonical[a["taxonomy_term_id"]]}
                                       for a in rows_of(folder, "attributes.csv")])
    return folder


def provider_changes(url: str) -> None:
    """Close the nurse clinic, give breakfast 2 free beds, and move the showers to Monday."""
    with session_scope(url) as s:
        close_temporarily(s, NURSE, "no nurse this week", op("clinic desk"),
                          since=date(2026, 12, 1), until=date(2026, 12, 31))
        set_beds(s, BREAKFAST, 2, op("night desk"))
        set_hours(s, SHOWERS, [WeeklyHours(frozenset({0}), time(8), time(9))], op("front desk"))


def state(url: str) -> dict[str, object]:
    with session_scope(url) as s:
        nurse, breakfast = s.get(Service, NURSE), s.get(Service, BREAKFAST)
        hours = s.execute(select(Schedule.byday, Schedule.opens_at)
                          .where(Schedule.service_id == SHOWERS)).all()
        return {"closed": nurse.closed_reason, "beds": breakfast.capacity_available,
                "hours": [tuple(h) for h in hours],
                "versions": {s_.id: s_.version for s_ in s.scalars(select(Service))},
                "name": breakfast.name}


PROVIDERS = {"closed": "no nurse this week", "beds": 2, "hours": [("MO", time(8))]}
PACKAGES = {"closed": None, "beds": 5, "hours": [("SA,SU", time(10))]}


def test_an_older_package_keeps_what_providers_changed_since(db_url: str, tmp_path: Path) -> None:
    folder = package(tmp_path / "p")
    with session_scope(db_url) as s:
        import_package(s, folder)
    provider_changes(db_url)
    set_cell(folder, "services.csv", 2, "name", "Breakfast Club")
    with session_scope(db_url) as s:
        report = import_package(s, folder)
    assert report.kept == sorted([(BREAKFAST, "Breakfast Club", ["beds"]),
                                  (SHOWERS, "Shower Program", ["hours"]),
                                  (NURSE, "Nurse Clinic", ["closure"])])
    after = state(db_url)
    assert {k: after[k] for k in PROVIDERS} == PROVIDERS
    assert after["name"] == "Breakfast Club"  # the rest of the package still lands
    assert after["versions"] == {BREAKFAST: 2, SHOWERS: 2, NURSE: 2}  # never lowered to 1


def test_a_newer_package_wins_but_never_lowers_a_version(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        import_package(s, package(tmp_path / "old"))
    provider_changes(db_url)
    with session_scope(db_url) as s:
        report = import_package(s, package(tmp_path / "new", modified=NEW))
    assert report.kept == []
    after = state(db_url)
    assert {k: after[k] for k in PACKAGES} == PACKAGES
    assert after["versions"] == {BREAKFAST: 2, SHOWERS: 2, NURSE: 2}
    bumped = package(tmp_path / "bumped", modified=NEW)
    set_cell(bumped, "waypoint_service_facts.csv", 2, "version", "7")
    with session_scope(db_url) as s:
        import_package(s, bumped)
    assert state(db_url)["versions"] == {BREAKFAST: 7, SHOWERS: 2, NURSE: 2}


def test_assured_date_dates_the_package_from_the_start_of_that_day(db_url: str,
                                                                  tmp_path: Path) -> None:
    folder = package(tmp_path / "p", modified=None)
    with session_scope(db_url) as s:
        import_package(s, folder)
    provider_changes(db_url)
    rows = rows_of(folder, "services.csv")
    today = datetime.now(TZ).date()
    for row, assured in zip(rows, (today, today + timedelta(days=1), today - timedelta(days=1))):
        row["assured_date"] = assured.isoformat()
    rewrite(folder, "services.csv", rows)
    with session_scope(db_url) as s:
        report = import_package(s, folder)
    # Assured today: the provider's change today is kept. Tomorrow: the package is newer.
    assert [(sid, kinds) for sid, _, kinds in report.kept] == sorted(
        [(BREAKFAST, ["beds"]), (NURSE, ["closure"])])
    assert state(db_url)["hours"] == PACKAGES["hours"]


def test_confidential_is_never_cleared(db_url: str, tmp_path: Path) -> None:
    folder = package(tmp_path / "p")
    set_cell(folder, "waypoint_service_facts.csv", 4, "confidential", "true")
    with session_scope(db_url) as s:
        import_package(s, folder)
    set_cell(folder, "waypoint_service_facts.csv", 4, "confidential", "false")
    with session_scope(db_url) as s:
        import_package(s, folder)
        assert s.get(Service, NURSE).confidential
    rewrite(folder, "waypoint_service_facts.csv", rows_of(folder, "waypoint_service_facts.csv")[:2])
    with session_scope(db_url) as s:
        import_package(s, folder)
        assert s.get(Service, NURSE).confidential


def test_an_undated_package_is_as_old_as_the_previous_import(db_url: str,
                                                             tmp_path: Path) -> None:
    folder = package(tmp_path / "p", modified=None)
    with session_scope(db_url) as s:
        import_package(s, folder)
    provider_changes(db_url)
    for _ in range(2):  # the same old package twice cannot undo on the second run
        with session_scope(db_url) as s:
            assert len(import_package(s, folder).kept) == 3
        assert {k: v for k, v in state(db_url).items() if k in PROVIDERS} == PROVIDERS
    with session_scope(db_url) as s:
        imported = s.scalar(select(ServiceImport.imported_at)
                            .where(ServiceImport.service_id == NURSE))
        s.execute(update(AuditEntry).values(at=imported - timedelta(minutes=1)))
    with session_scope(db_url) as s:
        assert import_package(s, folder).kept == []
    assert {k: v for k, v in state(db_url).items() if k in PACKAGES} == PACKAGES


def test_a_service_never_imported_keeps_every_provider_change(db_url: str,
                                                              tmp_path: Path) -> None:
    folder = package(tmp_path / "p", modified=None)
    with session_scope(db_url) as s:
        import_package(s, folder)
    provider_changes(db_url)
    with session_scope(db_url) as s:
        s.execute(delete(ServiceImport))
        for entry in s.scalars(select(AuditEntry)):
            entry.at -= timedelta(days=365)
    with session_scope(db_url) as s:
        assert len(import_package(s, folder).kept) == 3


def test_restore_replaces_everything_in_one_audit_entry(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        import_package(s, package(tmp_path / "p"))
        export_package(s, tmp_path / "backup", include_confidential=True)
    backup = dump(db_url)
    provider_changes(db_url)
    extra = write_package(tmp_path / "extra", {
        "organization": [{"id": uid("org:extra"), "name": "Extra", "description": "x"}],
        "service": [{"id": uid("svc:extra"), "organization_id": uid("org:extra"),
                     "name": "Extra", "status": "active"}]})
    with session_scope(db_url) as s:
        import_package(s, extra)
    with pytest.raises(Forbidden):
        with session_scope(db_url) as s:
            import_package(s, tmp_path / "backup", restore_by=Actor(Role.PEER, "peer"))
    with session_scope(db_url) as s:
        import_package(s, tmp_path / "backup", restore_by=op("ana"))
    after = dump(db_url)
    audit = after.pop("audit_log")
    assert after == {k: v for k, v in backup.items() if k != "audit_log"}
    restores = [row for row in audit if row[4] == "restore"]
    assert len(restores) == 1 and restores[0][2] == "ana"
    assert len(audit) == 1 + 3 + 1  # refused peer, three provider changes, one restore


@pytest.mark.slow
def test_restore_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        import_package(s, package(tmp_path / "p"))
        export_package(s, tmp_path / "backup", include_confidential=True)
    provider_changes(db_url)
    run = subprocess.run([sys.executable, "-m", "directory", "--db", db_url, "import",
                          "--restore", str(tmp_path / "backup"), "--by", "ana"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("restored ")
    assert {k: v for k, v in state(db_url).items() if k in PACKAGES} == PACKAGES
    with session_scope(db_url) as s:
        assert s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "restore")).all() \
            == ["ana"]


def test_an_undo_counts_as_a_provider_change(db_url: str, tmp_path: Path) -> None:
    folder = package(tmp_path / "p")
    with session_scope(db_url) as s:
        import_package(s, folder)
    with session_scope(db_url) as s:
        s.add(AuditEntry(at=datetime.now(TZ).replace(tzinfo=None), actor="desk", action="undo",
                         service_id=NURSE, old_value="{}",
                         new_value='{"undoes": 1, "closed_reason": "flood"}'))
        s.add(AuditEntry(at=datetime.now(TZ).replace(tzinfo=None), actor="desk", action="undo",
                         service_id=SHOWERS, old_value="{}",
                         new_value='{"undoes": 2, "schedule": []}'))
    with session_scope(db_url) as s:
        assert [(sid, kinds) for sid, _, kinds in import_package(s, folder).kept] == sorted(
            [(NURSE, ["closure"]), (SHOWERS, ["hours"])])
