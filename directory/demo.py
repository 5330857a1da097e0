"""The Ottawa–Gatineau demo directory: fictional services, loaded from ``data/demo_services.yaml``.

Every record carries an alert saying it is demo data. Ids are UUIDv5 of the
YAML slugs, so loading twice updates in place and HSDS exports are stable.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete
from sqlalchemy.orm import Session

from directory.errors import DataFileError
from directory.models import (
    COSTS,
    HOLIDAY_POLICIES,
    POPULATIONS,
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
from directory.schedules import DAY_CODES, TZ, format_days
from directory.spatial import reindex
from directory.taxonomy import CODES
from words import say

PATH = Path(__file__).parent / "data" / "demo_services.yaml"
NAMESPACE = uuid.UUID("5f0c7d52-8a53-4f7e-9d6b-2f1f3c0b7a11")


def demo_alert() -> str:
    """The alert every demo service carries, in both languages: "<en> / <fr>"."""
    return f"{say('demo_alert', 'en')} / {say('demo_alert', 'fr')}"


def demo_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _clock(value: Any, where: str) -> time:
    try:
        hh, mm = str(value).split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise DataFileError(f"{PATH}: {where}: bad time {value!r} (expected HH:MM)") from None


def _check(cond: bool, where: str, msg: str) -> None:
    if not cond:
        raise DataFileError(f"{PATH}: {where}: {msg}")


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


# The demo's verified dates and bed counts were written as of this day. They are moved
# forward to the day the demo is loaded, so the demo ages with its loading, not with the
# calendar: otherwise its listings would fall out of client results (180 days
# unconfirmed) months after they were written.
DEMO_AS_OF = date(2026, 11, 24)


def _aged(value: Any, today: date) -> datetime | None:
    moment = _dt(value)
    return None if moment is None else moment + (today - DEMO_AS_OF)


def _d(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_demo(session: Session, path: Path = PATH, today: date | None = None) -> int:
    """Upsert every demo record into the session; returns the number of services.

    ``today`` is the day the verified dates are aged to (see ``DEMO_AS_OF``)."""
    today = today or datetime.now(TZ).date()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path}: {exc}") from exc
    for org in raw["organizations"]:
        session.merge(Organization(
            id=demo_id("org", org["slug"]), name=org["name"]["en"], name_fr=org["name"]["fr"],
            description=org["description"]["en"], description_fr=org["description"]["fr"]))
    session.flush()  # organizations first: locations refer to them without a relationship
    org_slugs = {o["slug"] for o in raw["organizations"]}
    ids = []
    for item in raw["services"]:
        ids.append(_load_service(session, item, org_slugs, today))
    session.flush()
    reindex(session, ids)
    return len(ids)


def _load_service(session: Session, item: dict[str, Any], org_slugs: set[str],
                  today: date) -> str:
    slug = item["slug"]
    _check(item["organization"] in org_slugs, slug, f"unknown organization {item['organization']!r}")
    cats = item["categories"]
    _check(bool(cats) and all(c in CODES for c in cats), slug, f"bad categories {cats}")
    _check(item.get("holiday_policy", "open") in HOLIDAY_POLICIES, slug, "bad holiday_policy")
    _check(item.get("cost", "free") in COSTS, slug, "bad cost")
    pops = item.get("populations") or ["all"]
    _check(all(p in POPULATIONS for p in pops), slug, f"bad populations {pops}")
    sid = demo_id("service", slug)
    loc = item["location"]
    loc_key = f"{loc['address']}|{loc['city']}"
    lid = demo_id("location", loc_key)
    capacity = item.get("capacity") or {}
    closure = item.get("closure") or {}
    access = item.get("accessibility") or {}
    session.merge(Location(
        id=lid, organization_id=demo_id("org", item["organization"]), name=loc.get("name"),
        latitude=float(loc["lat"]), longitude=float(loc["lon"]),
        accessibility=access.get("en"), accessibility_fr=access.get("fr")))
    session.merge(Address(
        id=demo_id("address", loc_key), location_id=lid, address_1=loc["address"],
        city=loc["city"], state_province=loc["province"], postal_code=loc["postal_code"],
        country="CA", address_type="physical"))
    session.merge(Service(
        id=sid, organization_id=demo_id("org", item["organization"]),
        name=item["name"]["en"], name_fr=item["name"]["fr"],
        description=item["description"]["en"], description_fr=item["description"]["fr"],
        status="active", alert=demo_alert(), populations=",".join(pops),
        walk_in=bool(item.get("walk_in", True)), id_required=bool(item.get("id_required")),
        health_card_required=bool(item.get("health_card_required")),
        cost=item.get("cost", "free"), pets=bool(item.get("pets")),
        holiday_policy=item.get("holiday_policy", "open"),
        confidential=bool(item.get("confidential")), coverage_km=item.get("coverage_km"),
        capacity_available=capacity.get("available"), capacity_maximum=capacity.get("maximum"),
        capacity_unit=capacity.get("unit"),
        capacity_updated_at=_aged(capacity.get("updated"), today),
        closed_reason=(closure.get("reason") or {}).get("en"),
        closed_reason_fr=(closure.get("reason") or {}).get("fr"),
        closed_since=_d(closure.get("since")), closed_until=_d(closure.get("until")),
        last_verified_at=_aged(item.get("last_verified"), today),
    ))
    session.flush()
    session.execute(delete(ServiceCategory).where(ServiceCategory.service_id == sid))
    session.execute(delete(Schedule).where(Schedule.service_id == sid))
    session.execute(delete(Language).where(Language.service_id == sid))
    for pos, code in enumerate(cats):
        session.add(ServiceCategory(service_id=sid, code=code, position=pos))
    sal_id = demo_id("sal", slug)
    session.merge(ServiceAtLocation(id=sal_id, service_id=sid, location_id=lid))
    session.merge(Phone(id=demo_id("phone", slug), service_id=sid, service_at_location_id=sal_id,
                        number=str(item["phone"]), type="voice"))
    for n, rule in enumerate(item.get("hours") or []):
        days = [d.upper() for d in rule["days"]]
        _check(all(d in DAY_CODES for d in days), slug, f"bad days {rule['days']}")
        session.add(Schedule(
            id=demo_id("schedule", f"{slug}:{n}"), service_id=sid, kind="regular", freq="WEEKLY",
            byday=format_days(frozenset(DAY_CODES.index(d) for d in days)),
            opens_at=_clock(rule["opens"], slug), closes_at=_clock(rule["closes"], slug)))
    for n, rule in enumerate(item.get("holiday_hours") or []):
        session.add(Schedule(
            id=demo_id("holiday", f"{slug}:{n}"), service_id=sid, kind="holiday", freq="WEEKLY",
            byday="", opens_at=_clock(rule["opens"], slug), closes_at=_clock(rule["closes"], slug)))
    for code in item.get("languages") or ["en"]:
        session.add(Language(id=demo_id("language", f"{slug}:{code}"), service_id=sid, code=code))
    return sid
