"""One service at one site, as every front end shows it: the structured listing.

``Listing`` is what search returns and what ``details`` and ``hours`` give the
conversation layer. It is built here once, with the confidentiality rule
applied in one place: a safe shelter's address and coordinates never leave
this module; only its intake phone and its area do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from functools import lru_cache
from typing import Any, Iterable, Protocol, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Result, Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from directory.errors import UnknownService
from directory.freshness import FRESH, Policy
from directory.geo import Point, distance_km
from directory.i18n import clock, lang_or_default, short_date
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
from directory.places import get_gazetteer
from directory.schedules import (
    Closure,
    Hours,
    OpeningState,
    localize,
    schedule_rule,
    state_at,
    week_table,
)
from words import say


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
    organization_id: str
    organization: dict[str, str]
    hours: Hours = field(repr=False)
    freshness: str = FRESH  # FRESH or CALL_AHEAD (STALE listings are not shown to clients)
    beds_fresh: bool = False  # the bed count is recent enough to say as a number

    def title(self, lang: str = "en") -> str:
        return self.name.get(lang_or_default(lang)) or self.name["en"]

    def where(self, lang: str = "en") -> str:
        """The address, or for a safe shelter only its area."""
        if self.confidential:
            return say("confidential_address", lang) + (f" ({say('area', lang, area=self.area)})"
                                                       if self.area else "")
        return self.address or ""

    def verified(self, lang: str = "en") -> str:
        """How fresh the listing is, as every answer says it."""
        if self.freshness != FRESH or self.last_verified_at is None:
            return say("not_confirmed_recently", lang)
        return say("verified", lang, date=short_date(self.last_verified_at.date(), lang))

    def beds(self, lang: str = "en") -> str:
        """Beds free now with the time they were counted, or "unknown, call ahead" when
        the count is old; nothing for a service that keeps no count."""
        cap = self.capacity
        if cap is None or cap.available is None:
            return ""
        if not self.beds_fresh or cap.updated_at is None:
            return say("beds_unknown", lang)
        return say("beds_free_at", lang, available=cap.available,
                   time=clock(cap.updated_at.time(), lang))

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The stable JSON shape of ``python -m directory search --json``."""
        return {
            "id": self.id,
            "site_id": self.site_id,
            "organization_id": self.organization_id,
            "organization": self.organization.get(lang_or_default(lang)) or self.organization["en"],
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
            "freshness": self.freshness,
            "beds_fresh": self.beds_fresh,
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


# Everything a listing shows about a service at a site, read as one Core row per site.
_SITE_COLUMNS = (
    Service.id, Service.name, Service.name_fr, Service.description, Service.description_fr,
    Service.status, Service.populations, Service.walk_in, Service.id_required,
    Service.health_card_required, Service.cost, Service.pets, Service.holiday_policy,
    Service.confidential, Service.coverage_km, Service.capacity_available,
    Service.capacity_maximum, Service.capacity_unit, Service.capacity_updated_at,
    Service.closed_reason, Service.closed_reason_fr, Service.closed_since, Service.closed_until,
    Service.last_verified_at, Service.organization_id,
    Organization.name.label("organization_name"),
    Organization.name_fr.label("organization_name_fr"), ServiceAtLocation.id.label("site_id"),
    ServiceAtLocation.location_id, Location.latitude, Location.longitude,
    Location.accessibility, Location.accessibility_fr, Address.address_1, Address.address_2,
    Address.city, Address.state_province,
)
_SCHEDULE_COLUMNS = (
    Schedule.service_id, Schedule.service_at_location_id, Schedule.location_id, Schedule.kind,
    Schedule.byday, Schedule.opens_at, Schedule.closes_at, Schedule.valid_from, Schedule.valid_to,
    Schedule.freq, Schedule.bymonthday,
)


IDS = bindparam("ids", expanding=True)


# Statements are built once and reused: building a select costs more than running it.
@lru_cache(maxsize=None)
def _statement(name: str) -> Select:
    if name == "sites":
        return (select(*_SITE_COLUMNS)
                .select_from(ServiceAtLocation)
                .join(Service, Service.id == ServiceAtLocation.service_id)
                .outerjoin(Organization, Organization.id == Service.organization_id)
                .join(Location, Location.id == ServiceAtLocation.location_id)
                .outerjoin(Address, Address.location_id == Location.id)
                .where(ServiceAtLocation.id.in_(IDS)))
    if name == "categories":
        return (select(ServiceCategory.service_id, ServiceCategory.code)
                .where(ServiceCategory.service_id.in_(IDS))
                .order_by(ServiceCategory.position, ServiceCategory.code))
    if name == "languages":
        return (select(Language.service_id, Language.code)
                .where(Language.service_id.in_(IDS)).order_by(Language.code))
    if name == "phones":
        return (select(Phone.service_id, Phone.service_at_location_id, Phone.number)
                .where(Phone.service_id.in_(IDS)).order_by(Phone.id))
    if name == "schedules":
        return select(*_SCHEDULE_COLUMNS).where(Schedule.service_id.in_(IDS)).order_by(Schedule.id)
    raise KeyError(name)


def run_select(session: Session, statement: Select, params: dict[str, Any]) -> Result:
    """Run a column-only select as Core in the session's transaction.

    Same rows as ``session.execute``, without the ORM's result machinery (about a
    third of a small query's cost, and a search runs about ten). Pending ORM
    changes are flushed first, as ``session.execute`` would.
    """
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def _grouped(session: Session, name: str, ids: list[str]) -> dict[str, list[Row]]:
    """Rows of a prepared statement grouped by their first column."""
    out: dict[str, list[Row]] = {}
    for row in run_select(session, _statement(name), {"ids": ids}):
        out.setdefault(row[0], []).append(row)
    return out


def load_schedules(session: Session, service_ids: Iterable[str]) -> dict[str, list[Row]]:
    """Schedule rows by service id, as light Core rows."""
    ids = list(set(service_ids))
    return _grouped(session, "schedules", ids) if ids else {}


def load_listings(session: Session, sites: Sequence[tuple[str, str]], at: datetime,
                  near: Point | None,
                  known: dict[str, tuple[Hours, OpeningState]] | None = None,
                  policy: Policy | None = None) -> list[Listing]:
    """Listings for (service id, site id) pairs, in order, in five light queries at most.

    ``known`` maps site ids to hours and states a search has already worked out;
    ``policy`` says how fresh each is (default: the standard rules, now).
    """
    policy = policy or Policy()
    if not sites:
        return []
    ids = list({sid for sid, _ in sites})
    rows = {row.site_id: row for row in run_select(
        session, _statement("sites"), {"ids": [site for _, site in sites]})}
    cats = _grouped(session, "categories", ids)
    langs = _grouped(session, "languages", ids)
    phones = _grouped(session, "phones", ids)
    schedules = {} if known is not None else load_schedules(session, ids)
    out = []
    for service_id, site_id in sites:
        row = rows[site_id]
        out.append(_build(row, [c.code for c in cats.get(service_id, [])],
                          [lang.code for lang in langs.get(service_id, [])],
                          next((p.number for p in phones.get(service_id, [])
                                if p.service_at_location_id in (None, site_id)), None),
                          schedules.get(service_id, []), at, near,
                          None if known is None else known[site_id], policy))
    return out


class ScheduleRow(Protocol):
    """What ``hours_of`` reads of a schedule: an ORM ``Schedule`` or a Core row."""

    service_at_location_id: str | None
    location_id: str | None
    kind: str
    byday: str
    freq: str
    bymonthday: str | None
    opens_at: time | None
    closes_at: time | None
    valid_from: Any
    valid_to: Any


class ServiceTimes(Protocol):
    """What ``hours_of`` reads of a service: an ORM ``Service`` or a Core row."""

    holiday_policy: str
    closed_reason: str | None
    closed_reason_fr: str | None
    closed_since: Any
    closed_until: Any


def hours_of(service: ServiceTimes, schedules: Sequence[ScheduleRow], site_id: str | None,
             location_id: str | None, province: str) -> Hours:
    """The rules for one site: its own schedule rows if it has any, else the service's."""
    own = [s for s in schedules if site_id is not None and s.service_at_location_id == site_id]
    rows = own or [s for s in schedules if s.service_at_location_id is None
                   or (location_id is not None and s.location_id == location_id)]
    regular, holiday = [], []
    for row in rows:
        if row.opens_at is None or row.closes_at is None:
            continue
        rule = schedule_rule(row)
        (holiday if row.kind == "holiday" else regular).append(rule)
    closure = None
    if service.closed_reason or service.closed_since or service.closed_until:
        closure = Closure(service.closed_since, service.closed_until,
                          {"en": service.closed_reason or "",
                           "fr": service.closed_reason_fr or service.closed_reason or ""})
    return Hours(rules=tuple(regular), holiday_policy=service.holiday_policy,
                 holiday_rules=tuple(holiday), province=province, closure=closure)


def _build(row: Row, categories: list[str], languages: list[str], phone: str | None,
           schedules: Sequence[ScheduleRow], at: datetime, near: Point | None,
           known: tuple[Hours, OpeningState] | None, policy: Policy) -> Listing:
    """One listing from its site row; the confidentiality rule is applied here and only here."""
    province = (row.state_province or "ON").upper()
    point = None
    if row.latitude is not None and row.longitude is not None:
        point = Point(row.latitude, row.longitude)
    if known is not None:
        hours, state = known
    else:
        hours = hours_of(row, schedules, row.site_id, row.location_id, province)
        state = state_at(hours, at)
    area = None
    if row.confidential and point is not None:
        area = get_gazetteer().nearest(point).display("en")
    capacity = None
    if row.capacity_maximum is not None or row.capacity_available is not None:
        capacity = Capacity(row.capacity_available, row.capacity_maximum, row.capacity_unit,
                            row.capacity_updated_at)
    address = ", ".join(x for x in (row.address_1, row.address_2, row.city) if x) or None
    return Listing(
        id=row.id,
        site_id=row.site_id,
        name={"en": row.name, "fr": row.name_fr or row.name},
        description={"en": row.description or "",
                     "fr": row.description_fr or row.description or ""},
        categories=categories,
        address=None if row.confidential else address,
        area=area,
        point=None if row.confidential else point,
        distance_km=(distance_km(near, point) if near is not None and point is not None
                     and not row.confidential else None),
        phone=phone,
        state=state,
        last_verified_at=row.last_verified_at,
        populations=[p for p in row.populations.split(",") if p],
        walk_in=row.walk_in,
        id_required=row.id_required,
        health_card_required=row.health_card_required,
        cost=row.cost,
        pets=row.pets,
        languages=languages,
        accessibility={"en": row.accessibility or "", "fr": row.accessibility_fr or ""},
        capacity=capacity,
        confidential=row.confidential,
        coverage_km=row.coverage_km,
        organization_id=row.organization_id,
        organization={"en": row.organization_name or "",
                      "fr": row.organization_name_fr or row.organization_name or ""},
        hours=hours,
        freshness=policy.of(row.last_verified_at),
        beds_fresh=policy.beds_fresh(row.capacity_updated_at),
    )


def details(session: Session, service_id: str, at: datetime | None = None,
            near: Point | None = None, policy: Policy | None = None) -> Listing:
    """The full listing of one service (its first site) for the conversation layer."""
    site_id = session.scalar(select(ServiceAtLocation.id)
                             .where(ServiceAtLocation.service_id == service_id)
                             .order_by(ServiceAtLocation.id).limit(1))
    if site_id is None:
        raise UnknownService(service_id)
    return load_listings(session, [(service_id, site_id)], localize(at), near,
                         policy=policy)[0]


@dataclass(frozen=True)
class WeekHours:
    listing: Listing
    week: list[tuple[str, str]]
    holiday_policy: str
    holiday_hours: list[tuple[time, time]]


def hours(session: Session, service_id: str, at: datetime | None = None,
          lang: str = "en", policy: Policy | None = None) -> WeekHours:
    """A service's week of hours, holiday policy and its state at ``at``."""
    listing = details(session, service_id, at, policy=policy)
    return WeekHours(listing=listing, week=week_table(listing.hours, lang),
                     holiday_policy=listing.hours.holiday_policy,
                     holiday_hours=[(r.opens, r.closes) for r in listing.hours.holiday_rules])

