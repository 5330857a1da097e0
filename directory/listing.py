"""One service at one site, as every front end shows it: the structured listing.

``Listing`` is what search returns and what ``details`` and ``hours`` give the
conversation layer. It is built here once, with the confidentiality rule
applied in one place: a safe shelter's address and coordinates never leave
this module; only its intake phone and its area do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.errors import UnknownService
from directory.geo import Point, distance_km
from directory.i18n import lang_or_default, short_date, t
from directory.models import Location, Phone, Schedule, Service, ServiceAtLocation
from directory.places import get_gazetteer
from directory.schedules import (
    Closure,
    Hours,
    OpeningState,
    Rule,
    localize,
    parse_days,
    state_at,
    week_table,
)


@dataclass(frozen=True)
class Capacity:
    available: int | None
    maximum: int | None
    unit: str | None
    updated_at: datetime | None


@dataclass
class Listing:
    """A service at a site, with its state at the time asked about."""

    id: str
    site_id: str
    name: dict[str, str]
    description: dict[str, str]
    categories: list[str]
    address: str | None
    area: str | None
    point: Point | None
    distance_km: float | None
    phone: str | None
    state: OpeningState
    last_verified_at: datetime | None
    populations: list[str]
    walk_in: bool
    id_required: bool
    health_card_required: bool
    cost: str
    pets: bool
    languages: list[str]
    accessibility: dict[str, str]
    capacity: Capacity | None
    confidential: bool
    coverage_km: float | None
    hours: Hours = field(repr=False)

    def title(self, lang: str = "en") -> str:
        return self.name.get(lang_or_default(lang)) or self.name["en"]

    def where(self, lang: str = "en") -> str:
        """The address, or for a safe shelter only its area."""
        if self.confidential:
            return t("confidential_address", lang) + (f" ({t('area', lang, area=self.area)})"
                                                       if self.area else "")
        return self.address or ""

    def verified(self, lang: str = "en") -> str:
        if self.last_verified_at is None:
            return ""
        return t("verified", lang, date=short_date(self.last_verified_at.date(), lang))

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The stable JSON shape of ``python -m directory search --json``."""
        return {
            "id": self.id,
            "site_id": self.site_id,
            "name": self.title(lang),
            "names": self.name,
            "categories": self.categories,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 2),
            "area": self.area,
            "open": self.state.open,
            "opening_state": self.state.text(lang),
            "open_until": _iso(self.state.until),
            "next_open": _iso(self.state.next_open),
            "address": None if self.confidential else self.address,
            "lat": None if self.point is None else self.point.lat,
            "lon": None if self.point is None else self.point.lon,
            "phone": self.phone,
            "last_verified_at": _iso(self.last_verified_at),
            "populations": self.populations,
            "walk_in": self.walk_in,
            "id_required": self.id_required,
            "health_card_required": self.health_card_required,
            "cost": self.cost,
            "pets": self.pets,
            "languages": self.languages,
            "confidential": self.confidential,
            "capacity": None if self.capacity is None else {
                k: _iso(v) if isinstance(v, datetime) else v
                for k, v in asdict(self.capacity).items()},
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def load_services(session: Session, service_ids: Iterable[str]) -> dict[str, Service]:
    """Services with everything a listing needs, in a fixed number of queries."""
    ids = list(set(service_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(Service).where(Service.id.in_(ids)).options(
            selectinload(Service.categories),
            selectinload(Service.languages),
            selectinload(Service.sites).selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
        )
    ).all()
    return {s.id: s for s in rows}


def load_schedules(session: Session, service_ids: Iterable[str]) -> dict[str, list[Schedule]]:
    by_service: dict[str, list[Schedule]] = {}
    ids = list(set(service_ids))
    if ids:
        for row in session.scalars(select(Schedule).where(Schedule.service_id.in_(ids))
                                   .order_by(Schedule.id)):
            by_service.setdefault(row.service_id or "", []).append(row)
    return by_service


def load_phones(session: Session, service_ids: Iterable[str]) -> dict[str, list[Phone]]:
    by_service: dict[str, list[Phone]] = {}
    ids = list(set(service_ids))
    if ids:
        for row in session.scalars(select(Phone).where(Phone.service_id.in_(ids)).order_by(Phone.id)):
            by_service.setdefault(row.service_id or "", []).append(row)
    return by_service


def hours_of(service: Service, schedules: Sequence[Schedule], site_id: str | None,
             location_id: str | None, province: str) -> Hours:
    """The rules for one site: its own schedule rows if it has any, else the service's."""
    own = [s for s in schedules if site_id is not None and s.service_at_location_id == site_id]
    rows = own or [s for s in schedules if s.service_at_location_id is None
                   or (location_id is not None and s.location_id == location_id)]
    regular, holiday = [], []
    for row in rows:
        if row.opens_at is None or row.closes_at is None:
            continue
        rule = Rule(days=parse_days(row.byday) if row.byday else frozenset(range(7)),
                    opens=row.opens_at, closes=row.closes_at,
                    valid_from=row.valid_from, valid_to=row.valid_to)
        (holiday if row.kind == "holiday" else regular).append(rule)
    closure = None
    if service.closed_reason or service.closed_since or service.closed_until:
        closure = Closure(service.closed_since, service.closed_until,
                          {"en": service.closed_reason or "",
                           "fr": service.closed_reason_fr or service.closed_reason or ""})
    return Hours(rules=tuple(regular), holiday_policy=service.holiday_policy,
                 holiday_rules=tuple(holiday), province=province, closure=closure)


def _address(location: Location | None) -> tuple[str | None, str]:
    if location is None or not location.addresses:
        return None, "ON"
    a = location.addresses[0]
    line = ", ".join(x for x in (a.address_1, a.address_2, a.city) if x)
    return line, (a.state_province or "ON").upper()


def build(service: Service, site: ServiceAtLocation | None, schedules: Sequence[Schedule],
          phones: Sequence[Phone], at: datetime, near: Point | None,
          state: OpeningState | None = None) -> Listing:
    """The listing of ``service`` at ``site``, its state at ``at`` and distance from ``near``.

    ``state`` may be passed when the caller has already computed it.
    """
    location = site.location if site is not None else None
    address, province = _address(location)
    point = None
    if location is not None and location.latitude is not None and location.longitude is not None:
        point = Point(location.latitude, location.longitude)
    hours = hours_of(service, schedules, site.id if site else None,
                     site.location_id if site else None, province)
    area = None
    if service.confidential and point is not None:
        area = get_gazetteer().nearest(point).display("en")
    distance = distance_km(near, point) if near is not None and point is not None else None
    phone = next((p.number for p in phones if site is None or p.service_at_location_id in (None, site.id)),
                 None)
    capacity = None
    if service.capacity_maximum is not None or service.capacity_available is not None:
        capacity = Capacity(service.capacity_available, service.capacity_maximum,
                            service.capacity_unit, service.capacity_updated_at)
    return Listing(
        id=service.id,
        site_id=site.id if site is not None else "",
        name={"en": service.name, "fr": service.name_fr or service.name},
        description={"en": service.description or "",
                     "fr": service.description_fr or service.description or ""},
        categories=service.category_codes,
        address=None if service.confidential else address,
        area=area,
        point=None if service.confidential else point,
        distance_km=None if service.confidential else distance,
        phone=phone,
        state=state or state_at(hours, at),
        last_verified_at=service.last_verified_at,
        populations=service.population_list,
        walk_in=service.walk_in,
        id_required=service.id_required,
        health_card_required=service.health_card_required,
        cost=service.cost,
        pets=service.pets,
        languages=[lang.code for lang in service.languages],
        accessibility={"en": (location.accessibility if location else None) or "",
                       "fr": (location.accessibility_fr if location else None) or ""},
        capacity=capacity,
        confidential=service.confidential,
        coverage_km=service.coverage_km,
        hours=hours,
    )


def details(session: Session, service_id: str, at: datetime | None = None,
            near: Point | None = None) -> Listing:
    """The full listing of one service (its first site) for the conversation layer."""
    services = load_services(session, [service_id])
    if service_id not in services:
        raise UnknownService(service_id)
    service = services[service_id]
    site = service.sites[0] if service.sites else None
    return build(service, site, load_schedules(session, [service_id]).get(service_id, []),
                 load_phones(session, [service_id]).get(service_id, []), localize(at), near)


@dataclass(frozen=True)
class WeekHours:
    listing: Listing
    week: list[tuple[str, str]]
    holiday_policy: str
    holiday_hours: list[tuple[time, time]]


def hours(session: Session, service_id: str, at: datetime | None = None,
          lang: str = "en") -> WeekHours:
    """A service's week of hours, holiday policy and its state at ``at``."""
    listing = details(session, service_id, at)
    return WeekHours(listing=listing, week=week_table(listing.hours, lang),
                     holiday_policy=listing.hours.holiday_policy,
                     holiday_hours=[(r.opens, r.closes) for r in listing.hours.holiday_rules])

