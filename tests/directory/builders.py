"""Builds small hand-made directories for tests, through the real models and index."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from sqlalchemy.orm import Session

from directory.freshness import local_now
from directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from directory.spatial import reindex

MARKET = (45.4289, -75.6920)


# Confirmed a week ago, whenever the tests run: fresh, so search shows it.
RECENTLY = local_now() - timedelta(days=7)


def add_service(session: Session, *codes: str, name: str = "Test service",
                at: tuple[float, float] = MARKET,
                hours: list[tuple[str, str, str]] | None = None,
                capacity: tuple[int, int] | None = None, province: str = "ON",
                **facts: object) -> str:
    """Insert one service at one site and index it; returns its id."""
    org, sid, lid, sal = (str(uuid.uuid4()) for _ in range(4))
    session.add(Organization(id=org, name=f"{name} org", description="Test organization."))
    session.flush()
    session.add(Location(id=lid, organization_id=org, latitude=at[0], longitude=at[1]))
    session.add(Address(id=str(uuid.uuid4()), location_id=lid, address_1="1 Test St",
                        city="Ottawa" if province == "ON" else "Gatineau",
                        state_province=province, postal_code="K1N 1A1", country="CA",
                        address_type="physical"))
    session.add(Service(id=sid, organization_id=org, name=name, name_fr=f"{name} (fr)",
                        status="active", last_verified_at=RECENTLY,
                        capacity_available=capacity[0] if capacity else None,
                        capacity_maximum=capacity[1] if capacity else None,
                        capacity_unit="beds" if capacity else None, **facts))
    session.add(ServiceAtLocation(id=sal, service_id=sid, location_id=lid))
    session.add(Phone(id=str(uuid.uuid4()), service_id=sid, service_at_location_id=sal,
                      number="613-555-0100", type="voice"))
    session.add(Language(id=str(uuid.uuid4()), service_id=sid, code="en"))
    for pos, code in enumerate(codes):
        session.add(ServiceCategory(service_id=sid, code=code, position=pos))
    for days, opens, closes in hours or [("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")]:
        session.add(Schedule(id=str(uuid.uuid4()), service_id=sid, kind="regular", byday=days,
                             opens_at=time.fromisoformat(opens), closes_at=time.fromisoformat(closes)))
    session.flush()
    reindex(session, [sid])
    return sid
