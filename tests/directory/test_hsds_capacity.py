"""Beds as HSDS 3.1 service_capacity and unit rows, verification as assured_date: both ways."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import frictionless
from sqlalchemy import select

from directory.db import session_scope
from directory.hsds import export_package, import_package
from directory.hsds.schema import stable_id
from directory.models import Service
from tests.directory.fixtures.hsds.packages import (
    add_service,
    dump,
    rows_of,
    small_package,
    uid,
    write_package,
)

UPDATED = datetime(2026, 11, 22, 21, 0)
VERIFIED = datetime(2026, 11, 23, 9, 15)


def test_beds_and_verification_round_trip(db_url: str, sqlite_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        shelter = add_service(session, "shelter", "shelter")
        rooms = add_service(session, "rooms", "shelter")
        add_service(session, "kitchen", "meals")
        for sid, available, maximum, unit in ((shelter, 7, 60, "beds"), (rooms, 0, 8, "rooms")):
            service = session.get(Service, sid)
            service.capacity_available, service.capacity_maximum = available, maximum
            service.capacity_unit, service.capacity_updated_at = unit, UPDATED
            service.last_verified_at = VERIFIED
        export_package(session, tmp_path / "out", include_confidential=True)
    out = tmp_path / "out"
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowPosition", "fieldPosition", "code", "message"])
    bed, room = stable_id("unit", "beds"), stable_id("unit", "rooms")
    assert sorted((r["service_id"], r["unit_id"], r["available"], r["maximum"], r["updated"])
                  for r in rows_of(out, "service_capacity.csv")) == sorted([
        (shelter, bed, "7", "60", "2026-11-22T21:00:00-05:00"),
        (rooms, room, "0", "8", "2026-11-22T21:00:00-05:00")])
    assert sorted((r["id"], r["name"], r["scheme"], r["identifier"])
                  for r in rows_of(out, "units.csv")) == sorted([
        (bed, "bed", "waypoint", "beds"), (room, "room", "waypoint", "rooms")])
    assured = {r["id"]: r["assured_date"] for r in rows_of(out, "services.csv")}
    assert assured[shelter] == "2026-11-23" and assured[uid("svc:kitchen")] == "2026-11-01"

    with session_scope(sqlite_url) as session:
        report = import_package(session, out)
    assert (report.counts["unit"].read, report.counts["unit"].upserted) == (2, 2)
    assert dump(sqlite_url) == dump(db_url)
    with session_scope(sqlite_url) as session:
        export_package(session, tmp_path / "again", include_confidential=True)
    for name in ("service_capacity.csv", "units.csv", "services.csv"):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_an_hsds_31_package_gives_beds_and_verification(db_url: str, tmp_path: Path) -> None:
    folder = small_package(tmp_path / "p")
    rows = rows_of(folder, "services.csv")
    rows[0]["assured_date"] = "2026-11-20"
    write_package(folder, {
        "service": rows,
        "unit": [{"id": uid("unit:bed"), "name": "bed", "scheme": "SI-ish", "identifier": "B"}],
        "service_capacity": [{"id": uid("cap"), "service_id": uid("svc:breakfast"),
                              "unit_id": uid("unit:bed"), "available": "3", "maximum": "12",
                              "updated": "2026-11-22T02:00:00Z"}],
    })
    with session_scope(db_url) as session:
        import_package(session, folder)
    with session_scope(db_url) as session:
        got = session.execute(select(
            Service.capacity_available, Service.capacity_maximum, Service.capacity_unit,
            Service.capacity_updated_at, Service.last_verified_at)
            .where(Service.id == uid("svc:breakfast"))).one()
        assert tuple(got) == (3, 12, "bed", datetime(2026, 11, 21, 21, 0),
                              datetime(2026, 11, 20, 0, 0))
        assert session.get(Service, uid("svc:nurse")).last_verified_at is None
