"""Seeded synthetic directories of up to a million services, for benchmarks.

Services cluster around the gazetteer's neighbourhoods (as real ones do
downtown) with a thin spread over the whole region. Rows go in with bulk
Core inserts in chunks; the same seed always writes the same directory.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time
from typing import Callable

from sqlalchemy.orm import Session

from directory.geo import cell_of
from directory.models import (
    Address,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchEntry,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from directory.places import get_gazetteer
from directory.taxonomy import CODES

CHUNK = 10_000
HOURS = (
    ("MO,TU,WE,TH,FR,SA,SU", time(19), time(8)),
    ("MO,TU,WE,TH,FR", time(9), time(16, 30)),
    ("MO,TU,WE,TH,FR,SA,SU", time(0), time(0)),
    ("MO,TU,WE,TH,FR,SA,SU", time(7), time(9)),
    ("MO,WE,FR", time(12), time(18)),
    ("SA,SU", time(10), time(15)),
)


def generate(session: Session, count: int, seed: int = 1,
             progress: Callable[[str, int, int], None] | None = None) -> int:
    """Insert ``count`` synthetic services; returns how many were written."""
    rng = random.Random(seed)
    hoods = [p.point for p in get_gazetteer().places.values() if p.kind == "neighbourhood"]
    org_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    session.execute(Organization.__table__.insert(), [{
        "id": org_id, "name": f"Synthetic organization (seed {seed})",
        "description": "Benchmark data, not real services."}])
    now = datetime(2026, 11, 1)
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        rows: dict[str, list[dict]] = {name: [] for name in (
            "location", "address", "service", "sal", "phone", "schedule", "category", "language",
            "entry")}
        for n in range(done, done + size):
            sid, lid, sal = (str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(3))
            if rng.random() < 0.85:
                base = rng.choice(hoods)
                lat, lon = rng.gauss(base.lat, 0.012), rng.gauss(base.lon, 0.016)
            else:
                lat, lon = rng.uniform(45.25, 45.55), rng.uniform(-75.95, -75.45)
            codes = rng.sample(CODES, 2 if rng.random() < 0.3 else 1)
            days, opens, closes = rng.choice(HOURS)
            rows["location"].append({"id": lid, "location_type": "physical", "latitude": lat,
                                     "longitude": lon, "organization_id": org_id})
            rows["address"].append({"id": lid, "location_id": lid, "address_1": f"{n} Synthetic St",
                                    "city": "Ottawa", "state_province": "ON",
                                    "postal_code": "K1N 0A0", "country": "CA",
                                    "address_type": "physical"})
            rows["service"].append({
                "id": sid, "organization_id": org_id, "name": f"Synthetic service {n}",
                "name_fr": f"Service synthétique {n}", "status": "active",
                "populations": rng.choice(("all", "all", "all", "women", "youth", "men")),
                "walk_in": rng.random() < 0.7, "id_required": rng.random() < 0.2,
                "health_card_required": rng.random() < 0.2,
                "cost": "free" if rng.random() < 0.8 else "fee", "pets": rng.random() < 0.2,
                "holiday_policy": rng.choice(("open", "closed")), "confidential": False,
                "last_verified_at": now, "version": 1})
            rows["sal"].append({"id": sal, "service_id": sid, "location_id": lid})
            rows["phone"].append({"id": sid, "service_id": sid, "service_at_location_id": sal,
                                  "number": f"613-555-{n % 10000:04d}", "type": "voice"})
            rows["schedule"].append({"id": sid, "service_id": sid, "kind": "regular",
                                     "freq": "WEEKLY", "byday": days, "opens_at": opens,
                                     "closes_at": closes})
            rows["language"].append({"id": sid, "service_id": sid, "code": "en"})
            for pos, code in enumerate(codes):
                rows["category"].append({"service_id": sid, "code": code, "position": pos})
                rows["entry"].append({"code": code, "cell": cell_of(lat, lon),
                                      "service_at_location_id": sal, "service_id": sid,
                                      "latitude": lat, "longitude": lon})
        for table, key in ((Location, "location"), (Address, "address"), (Service, "service"),
                           (ServiceAtLocation, "sal"), (Phone, "phone"), (Schedule, "schedule"),
                           (ServiceCategory, "category"), (Language, "language"),
                           (SearchEntry, "entry")):
            session.execute(table.__table__.insert(), rows[key])
        done += size
        if progress:
            progress("services", done, count)
    return done
