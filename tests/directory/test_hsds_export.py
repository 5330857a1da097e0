"""HSDS 3.0 export: valid under the official schemas, safe to publish, and a lossless backup."""

from __future__ import annotations

import filecmp
from datetime import date, datetime, time, timedelta
from pathlib import Path

import frictionless
import pytest
from sqlalchemy import select

from directory.db import session_scope
from directory.hsds import export_package, import_package
from directory.hsds.mapping import SHIPPED
from directory.hsds.schema import OFFICIAL_DESCRIPTOR, extensions, official
from directory.listing import details, hours
from directory.models import Schedule, Service
from directory.schedules import DAY_CODES, holiday_name
from tests.directory.fixtures.hsds.packages import (
    SHARED_HSDS,
    add_service,
    airs_package,
    dump,
    rows_of,
    uid,
)

TODAY = date(2026, 11, 23)


def assert_valid(folder: Path) -> None:
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowPosition", "fieldPosition", "code", "message"])


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def holidays(province: str) -> list[tuple[date, str]]:
    days = (TODAY + timedelta(days=n) for n in range(365))
    return [(d, name) for d in days if (name := holiday_name(d, province))]


@pytest.fixture
def demo_db(fresh_demo_url: str) -> str:
    return fresh_demo_url


def test_shipped_official_descriptor_is_open_referrals() -> None:
    assert OFFICIAL_DESCRIPTOR.read_bytes() == (SHARED_HSDS / "datapackage.json").read_bytes()


def test_demo_export_validates_against_the_official_schemas(demo_db: str, tmp_path: Path) -> None:
    with session_scope(demo_db) as session:
        report = export_package(session, tmp_path / "public", today=TODAY)
        export_package(session, tmp_path / "admin", include_confidential=True, today=TODAY)
    assert report.folder == tmp_path / "public"
    assert report.counts["service"] == len(rows_of(tmp_path / "public", "services.csv")) > 100
    assert_valid(tmp_path / "public")
    assert_valid(tmp_path / "admin")
    descriptor = frictionless.Package(str(tmp_path / "public" / "datapackage.json"))
    for name, spec in official().items():
        assert descriptor.get_resource(name).to_dict()["schema"] == spec.descriptor["schema"]
    assert [r.name for r in descriptor.resources][-len(extensions()):] == list(extensions())


def test_demo_round_trip_is_lossless(demo_db: str, sqlite_url: str, tmp_path: Path) -> None:
    """Admin backup -> empty database -> backup again: same files, same rows, French kept."""
    with session_scope(demo_db) as session:
        export_package(session, tmp_path / "first", include_confidential=True, today=TODAY)
    with session_scope(sqlite_url) as session:
        report = import_package(session, tmp_path / "first")
    assert report.unmapped_services == [] and report.ignored_resources == ["taxonomy"]
    assert report.warnings == []
    with session_scope(sqlite_url) as session:
        export_package(session, tmp_path / "second", include_confidential=True, today=TODAY)
    assert same_files(tmp_path / "first", tmp_path / "second")
    assert dump(sqlite_url) == dump(demo_db)
    with session_scope(sqlite_url) as session:
        service = session.scalars(select(Service).where(Service.name_fr.is_not(None))
                                  .order_by(Service.id)).first()
        listing = details(session, service.id)
        assert listing.title("fr") == service.name_fr != service.name == listing.title("en")


def test_public_export_hides_safe_shelters_and_the_backup_keeps_them(db_url: str,
                                                                    tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        safe = add_service(session, "safehouse", "shelter", confidential=True)
        add_service(session, "kitchen", "meals")
        export_package(session, tmp_path / "public", today=TODAY)
        export_package(session, tmp_path / "admin", include_confidential=True, today=TODAY)
    hidden, shown = uid("loc:safehouse"), uid("loc:kitchen")
    public = tmp_path / "public"
    locations = {r["id"]: r for r in rows_of(public, "locations.csv")}
    assert locations[hidden]["name"] == "Ottawa, ON"
    assert [locations[hidden][c] for c in ("latitude", "longitude", "description")] == ["", "", ""]
    assert (locations[shown]["latitude"], locations[shown]["name"]) == ("45.43", "Kitchen House")
    assert [r["location_id"] for r in rows_of(public, "addresses.csv")] == [shown]
    assert [r["location_id"] for r in rows_of(public, "accessibility.csv")] == [shown]
    assert hidden not in {r["entity_id"] for r in rows_of(public, "waypoint_translations.csv")}
    assert safe in {r["service_id"] for r in rows_of(public, "service_at_location.csv")}
    assert_valid(public)
    admin = tmp_path / "admin"
    assert {r["location_id"] for r in rows_of(admin, "addresses.csv")} == {hidden, shown}
    assert {r["id"]: r["latitude"] for r in rows_of(admin, "locations.csv")}[hidden] == "45.43"
    assert "never publish" in (admin / "datapackage.json").read_text(encoding="utf-8")


def test_holiday_rows_are_bounded_and_reimport_without_duplicates(db_url: str, sqlite_url: str,
                                                                 tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        special = add_service(session, "kitchen", "meals", holiday_policy="special",
                              holiday_hours=("10:00", "14:00"))
        closed = add_service(session, "clinic", "primary_care", province="QC",
                             holiday_policy="closed")
        add_service(session, "drop", "drop_in")
        export_package(session, tmp_path / "p", today=TODAY)
    rows = [r for r in rows_of(tmp_path / "p", "schedules.csv") if r["notes"] == "waypoint:holiday"]
    for row in rows:
        day = date.fromisoformat(row["valid_from"])
        assert row["valid_to"] == row["valid_from"] and row["byday"] == DAY_CODES[day.weekday()]
    by_service = {sid: [(r["valid_from"], r["opens_at"], r["closes_at"], r["description"])
                        for r in rows if r["service_id"] == sid] for sid in (special, closed)}
    assert by_service[special] == [(d.isoformat(), "10:00:00", "14:00:00",
                                    f"Statutory holiday hours: {name}")
                                   for d, name in holidays("ON")]
    assert by_service[closed] == [(d.isoformat(), "", "", f"Closed: statutory holiday ({name})")
                                  for d, name in holidays("QC")]
    assert "2027-06-24" in {r[0] for r in by_service[closed]}      # Quebec's Fête nationale
    assert "2027-02-15" not in {r[0] for r in by_service[closed]}  # Ontario's Family Day
    assert len(rows) == len(by_service[special]) + len(by_service[closed])
    assert_valid(tmp_path / "p")

    for _ in range(2):
        with session_scope(sqlite_url) as session:
            import_package(session, tmp_path / "p")
    with session_scope(sqlite_url) as session:
        rules = session.execute(select(Schedule.service_id, Schedule.kind, Schedule.byday,
                                       Schedule.opens_at, Schedule.closes_at)
                                .order_by(Schedule.id)).all()
        assert sorted(rules) == sorted([
            (uid("svc:kitchen"), "regular", "MO,TU,WE,TH,FR", time(9), time(17)),
            (uid("svc:kitchen"), "holiday", "", time(10), time(14)),
            (uid("svc:clinic"), "regular", "MO,TU,WE,TH,FR", time(9), time(17)),
            (uid("svc:drop"), "regular", "MO,TU,WE,TH,FR", time(9), time(17))])
        christmas = datetime(2026, 12, 25, 12, 0)  # a Friday
        assert hours(session, special, christmas).listing.state.open
        assert hours(session, special, christmas).holiday_hours == [(time(10), time(14))]
        assert not details(session, closed, christmas).state.open
        assert details(session, uid("svc:drop"), christmas).state.open


def test_mapped_foreign_categories_survive_a_backup_without_the_mapping(db_url: str,
                                                                       sqlite_url: str,
                                                                       tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        import_package(session, airs_package(tmp_path / "airs"), SHIPPED / "airs_211.yaml")
    with session_scope(db_url) as session:
        export_package(session, tmp_path / "backup", include_confidential=True, today=TODAY)
    attributes = {r["link_id"]: r for r in rows_of(tmp_path / "backup", "attributes.csv")}
    assert attributes[uid("svc:soup")]["taxonomy_term_id"] == uid("term:soup")
    assert attributes[uid("svc:soup")]["value"] == "meals"
    assert_valid(tmp_path / "backup")
    with session_scope(sqlite_url) as session:
        report = import_package(session, tmp_path / "backup")
    assert report.unmapped_services == [(uid("svc:tax"), "Tax Clinic")]
    assert dump(sqlite_url) == dump(db_url)


def test_progress_is_reported_per_table(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        add_service(session, "kitchen", "meals")
        seen: list[tuple[str, int, int]] = []
        report = export_package(session, tmp_path / "p", progress=lambda *a: seen.append(a),
                                today=TODAY)
    assert ("service", 1, 1) in seen and ("taxonomy_term", 21, 21) in seen
    assert all(report.counts[name] == total for name, done, total in seen if done == total)
    imported: list[tuple[str, int, int]] = []
    with session_scope(db_url) as session:
        import_package(session, tmp_path / "p", progress=lambda *a: imported.append(a))
    assert ("service", 1, 1) in imported and ("schedule", 1, 1) in imported
