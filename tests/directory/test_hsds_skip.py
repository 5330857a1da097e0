"""``import --skip-invalid``: every valid row lands; each invalid row and its dependents are named."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select

from directory.db import session_scope
from directory.hsds import HsdsImportError, RowError, import_package
from directory.models import Location, Organization, Schedule, Service, ServiceAtLocation
from tests.directory.fixtures.hsds.packages import (
    OFFICIAL_EXAMPLE,
    rewrite,
    rows_of,
    set_cell,
    small_package,
    uid,
    write_package,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
# The official example's truly invalid rows, and the rows that lean on them.
EXAMPLE_SKIPPED = {
    ("locations.csv", 2, "latitude"): "100 is out of range (-90 to 90)",
    ("locations.csv", 2, "organization_id"):
        "no organization 985e4a42-bd9f-4edc-911d-0243a4640aca in the package or the database",
    ("schedules.csv", 2, "byweekno"): "rules limited by week",
    ("schedules.csv", 2, "byyearday"): "rules limited by week",
    ("schedules.csv", 2, "count"): "a rule that ends after a number of occurrences",
    ("service_at_location.csv", 2, "location_id"):
        f"location {EXAMPLE_LOCATION} was skipped (locations.csv row 2)",
    ("addresses.csv", 2, "location_id"):
        f"location {EXAMPLE_LOCATION} was skipped (locations.csv row 2)",
    ("phones.csv", 2, "location_id"):
        f"location {EXAMPLE_LOCATION} was skipped (locations.csv row 2)",
    ("accessibility.csv", 2, "location_id"):
        f"location {EXAMPLE_LOCATION} was skipped (locations.csv row 2)",
}


def reasons(skipped: list[RowError]) -> dict[tuple[str, int | None, str | None], str]:
    return {(e.file, e.row, e.field): e.message for e in skipped}


def where(skipped: list[RowError]) -> set[tuple[str, int | None]]:
    return {(e.file, e.row) for e in skipped}


def assert_reasons(skipped: list[RowError], expected: dict[tuple[str, int, str], str]) -> None:
    got = reasons(skipped)
    assert set(got) == set(expected)
    for key, start in expected.items():
        assert got[key].startswith(start), (key, got[key])


def test_the_official_example_imports_but_its_invalid_rows(db_url: str) -> None:
    with session_scope(db_url) as session:
        report = import_package(session, OFFICIAL_EXAMPLE, skip_invalid_rows=True)
    assert_reasons(report.skipped, EXAMPLE_SKIPPED_NOW)
    assert {name: (c.read, c.upserted) for name, c in report.counts.items()} == {
        "organization": (1, 1), "service": (1, 1), "language": (1, 1), "taxonomy_term": (1, 1),
        "attribute": (1, 0), "location": (1, 0), "service_at_location": (1, 0),
        "address": (1, 0), "phone": (1, 0), "accessibility": (1, 0), "schedule": (1, 0)}
    with session_scope(db_url) as session:
        assert session.get(Service, "ac148810-d857-441c-9679-408f346de14b").name \
            == "Community Counselling"
        assert session.get(Organization, "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610") is not None
        assert session.scalars(select(Location)).all() == []


# bymonthday is read on monthly rules only; the example's rule is weekly.
EXAMPLE_SKIPPED_NOW = {**EXAMPLE_SKIPPED, ("schedules.csv", 2, "bymonthday"): "rules limited"}


def test_without_the_flag_the_official_example_is_refused_whole(db_url: str) -> None:
    with session_scope(db_url) as session:
        with pytest.raises(HsdsImportError):
            import_package(session, OFFICIAL_EXAMPLE)
        assert session.scalars(select(Service)).all() == []


def test_an_invalid_organization_takes_its_services_and_sites_with_it(db_url: str,
                                                                      tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    set_cell(folder, "organizations.csv", 2, "name", "")
    with session_scope(db_url) as session:
        report = import_package(session, folder, skip_invalid_rows=True)
    kitchen = f"organization {uid('org:kitchen')} was skipped (organizations.csv row 2)"
    breakfast = f"service {uid('svc:breakfast')} was skipped (services.csv row 2)"
    showers = f"service {uid('svc:showers')} was skipped (services.csv row 3)"
    hall = f"location {uid('loc:hall')} was skipped (locations.csv row 2)"
    assert_reasons(report.skipped, {
        ("organizations.csv", 2, "name"): "is required",
        ("services.csv", 2, "organization_id"): kitchen,
        ("services.csv", 3, "organization_id"): kitchen,
        ("locations.csv", 2, "organization_id"): kitchen,
        ("addresses.csv", 2, "location_id"): hall,
        ("service_at_location.csv", 2, "service_id"): breakfast,
        ("service_at_location.csv", 3, "service_id"): showers,
        ("phones.csv", 2, "service_id"): breakfast,
        ("schedules.csv", 2, "service_id"): breakfast,
        ("schedules.csv", 3, "service_id"): showers,
        ("attributes.csv", 2, "link_id"): breakfast,
        ("attributes.csv", 3, "link_id"): showers,
        ("waypoint_translations.csv", 2, "entity_id"): kitchen,
        ("waypoint_translations.csv", 3, "entity_id"): breakfast,
    })
    with session_scope(db_url) as session:
        assert [s.name for s in session.scalars(select(Service))] == ["Nurse Clinic"]
        assert [s.service_id for s in session.scalars(select(ServiceAtLocation))] \
            == [uid("svc:nurse")]


def test_a_table_with_a_bad_header_is_skipped_whole(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    rows = rows_of(folder, "services.csv")
    rewrite(folder, "services.csv", rows, [c for c in rows[0] if c != "name"])
    with session_scope(db_url) as session:
        report = import_package(session, folder, skip_invalid_rows=True)
    skipped = reasons(report.skipped)
    assert skipped[("services.csv", 1, "name")] == "required column is missing"
    assert all(skipped[("services.csv", n, "name")] == "the table was skipped: required column "
               "is missing" for n in (2, 3, 4))
    assert {file for file, _ in where(report.skipped)} == {
        "services.csv", "service_at_location.csv", "phones.csv", "schedules.csv",
        "languages.csv", "attributes.csv", "waypoint_translations.csv"}
    with session_scope(db_url) as session:
        assert session.scalars(select(Service)).all() == []
        assert len(session.scalars(select(Location)).all()) == 2


def test_a_service_whose_facts_are_invalid_is_skipped_not_made_public(db_url: str,
                                                                      tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    facts = {"populations": "women", "walk_in": "true", "id_required": "false",
             "health_card_required": "false", "cost": "free", "pets": "false",
             "holiday_policy": "open", "confidential": "true", "version": "1"}
    write_package(folder, {"waypoint_service_facts": [
        {**facts, "service_id": uid("svc:nurse"), "cost": "expensive"},
        {**facts, "service_id": uid("svc:breakfast")}]})
    with session_scope(db_url) as session:
        report = import_package(session, folder, skip_invalid_rows=True)
    skipped = reasons(report.skipped)
    assert skipped[("waypoint_service_facts.csv", 2, "cost")].startswith("'expensive' is not")
    assert skipped[("services.csv", 4, "id")].startswith(
        "its facts were skipped (waypoint_service_facts.csv row 2); without them it would "
        "get the defaults")
    with session_scope(db_url) as session:
        assert session.get(Service, uid("svc:nurse")) is None
        assert session.get(Service, uid("svc:breakfast")).confidential


def test_one_bad_schedule_row_keeps_the_services_stored_hours(db_url: str,
                                                             tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    with session_scope(db_url) as session:
        import_package(session, folder)
    rows = rows_of(folder, "schedules.csv")
    rows[0]["opens_at"] = "06:00"  # breakfast, valid
    rows[2]["opens_at"] = "08:00"  # the nurse, valid
    rows.append({**rows[0], "id": uid("hours:breakfast:sat"), "byday": "SA",
                 "opens_at": "25:00"})
    rewrite(folder, "schedules.csv", rows)
    with session_scope(db_url) as session:
        report = import_package(session, folder, skip_invalid_rows=True)
    assert_reasons(report.skipped, {
        ("schedules.csv", 5, "opens_at"): "'25:00' is not a time of day",
        ("schedules.csv", 2, "service_id"):
            f"another schedule row of service {uid('svc:breakfast')} was skipped (row 5); "
            "its stored hours are kept"})
    with session_scope(db_url) as session:
        def opens(sid: str) -> list[time]:
            return session.scalars(select(Schedule.opens_at)
                                   .where(Schedule.service_id == uid(sid))).all()
        assert opens("svc:breakfast") == [time(7)]
        assert opens("svc:nurse") == [time(8)]


def test_a_skipped_translation_leaves_the_french_as_it_was(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    with session_scope(db_url) as session:
        import_package(session, folder)
    set_cell(folder, "waypoint_translations.csv", 3, "language", "es")
    with session_scope(db_url) as session:
        report = import_package(session, folder, skip_invalid_rows=True)
    assert where(report.skipped) == {("waypoint_translations.csv", 3)}
    with session_scope(db_url) as session:
        assert session.get(Service, uid("svc:breakfast")).name_fr == "Déjeuner communautaire"


def test_a_bad_mapping_file_is_still_refused(db_url: str, tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("taxonomy: x\nmap:\n  A: soup\n", encoding="utf-8")
    with session_scope(db_url) as session:
        with pytest.raises(HsdsImportError):
            import_package(session, small_package(tmp_path / "p"), mapping,
                           skip_invalid_rows=True)


@pytest.mark.slow
def test_the_command_line_lists_the_skipped_rows_and_writes_them_as_csv(
        sqlite_url: str, tmp_path: Path) -> None:
    report = tmp_path / "skipped.csv"
    run = subprocess.run([sys.executable, "-m", "directory", "--db", sqlite_url, "import",
                          str(OFFICIAL_EXAMPLE), "--skip-invalid", "--report", str(report)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "  skipped locations.csv:2: latitude: 100 is out of range" in run.stdout
    with report.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["file", "row", "field", "reason"]
    assert {(r["file"], int(r["row"]), r["field"]) for r in rows} == set(EXAMPLE_SKIPPED_NOW)
