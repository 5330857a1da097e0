"""Search by need, place and time: the question Waypoint answers all day.

Ranking: open at the time asked first, then nearest, then name and id (a
stable tie-break). The spatial index is read ring by ring (0.5, 1, 2, 5,
10, 25, 60 km) and candidates are judged nearest first, so a search touches the
few rows around the person rather than the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import Point, bounding_box, cells_within, distance_km
from directory.listing import (
    Listing,
    build,
    hours_of,
    load_phones,
    load_schedules,
    load_services,
)
from directory.models import Address, Language, SearchEntry, Service, ServiceAtLocation
from directory.places import get_gazetteer
from directory.schedules import OpeningState, localize, state_at
from directory.taxonomy import get_taxonomy

RINGS_KM = (0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 60.0)
# Past this many cells a ring is read as one bounding box instead of a list of cells.
MAX_CELLS = 400
# Past this distance, stop widening once enough results match, open or not:
# nobody on foot needs a place 40 km away that happens to be open.
ENOUGH_KM = 10.0
_BATCH = 40


@dataclass(frozen=True)
class Filters:
    """What a person can narrow a search by. Everything off by default."""

    population: str | None = None  # serves this group (or everyone)
    walk_in: bool = False
    no_id: bool = False  # neither ID nor a health card required
    free: bool = False
    pets: bool = False
    language: str | None = None
    open_now: bool = False  # open at the time searched for

    def accepts(self, service: Service, language_codes: list[str]) -> bool:
        pops = service.population_list
        return ((self.population is None or self.population in pops or "all" in pops)
                and (not self.walk_in or service.walk_in)
                and (not self.no_id or not (service.id_required or service.health_card_required))
                and (not self.free or service.cost == "free")
                and (not self.pets or service.pets)
                and (self.language is None or self.language in language_codes))


@dataclass
class SearchResponse:
    results: list[Listing]
    total_found: int
    opens_next: Listing | None = None  # when nothing is open: what opens first
    near: Point | None = None
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Hit:
    """A candidate judged cheaply: enough to rank it, before its full listing is built."""

    distance: float
    site_id: str
    service: Service
    state: OpeningState

    def key(self) -> tuple[bool, float, str, str]:
        return (not self.state.open, self.distance, self.service.name, self.service.id)


def search(session: Session, category: str, near: Point | str | None = None,
           at: datetime | None = None, filters: Filters = Filters(), limit: int = 3,
           offset: int = 0) -> SearchResponse:
    """Ranked listings of ``category`` (and its sub-categories) near a place at a time.

    ``near`` is a point, free text (resolved by the gazetteer; an unknown place
    raises ``UnknownPlace``) or ``None`` for region-wide results.
    """
    codes = get_taxonomy().with_descendants(category)
    point = get_gazetteer().resolve(near).point if isinstance(near, str) else near
    center = point or get_gazetteer().center
    when = localize(at)
    needed = offset + limit
    seen: set[str] = set()
    judged: list[_Hit] = []
    pending: list[tuple[float, str, str]] = []
    for ring in RINGS_KM:
        # Bounding-box corners lie beyond the ring: they wait for the next one, so
        # every ring is judged strictly nearest first.
        fresh = sorted(pending + _candidates(session, codes, center, ring, seen))
        pending = [c for c in fresh if c[0] > ring]
        fresh = [c for c in fresh if c[0] <= ring]
        for n in range(0, len(fresh), _BATCH):
            judged.extend(_judge(session, fresh[n:n + _BATCH], when, filters))
            if sum(h.state.open for h in judged) >= needed:
                break
        if sum(h.state.open for h in judged) >= needed or (ring >= ENOUGH_KM and len(judged) >= needed):
            break
    judged.sort(key=_Hit.key)
    hits = [h for h in judged if h.state.open or not filters.open_now]
    opens_next = None
    if not any(h.state.open for h in judged):
        upcoming = [h for h in judged if h.state.next_open is not None]
        if upcoming:
            first = min(upcoming, key=lambda h: (h.state.next_open, h.distance))
            opens_next = _listings(session, [first], when, point)[0]
    return SearchResponse(results=_listings(session, hits[offset:needed], when, point),
                          total_found=len(hits), opens_next=opens_next, near=point,
                          categories=codes)


def _listings(session: Session, hits: list[_Hit], when: datetime, near: Point | None) -> list[Listing]:
    """Full listings, built only for the hits that will be shown."""
    ids = [h.service.id for h in hits]
    services = load_services(session, ids)
    schedules = load_schedules(session, ids)
    phones = load_phones(session, ids)
    out = []
    for hit in hits:
        service = services[hit.service.id]
        site = next((s for s in service.sites if s.id == hit.site_id), None)
        out.append(build(service, site, schedules.get(service.id, []), phones.get(service.id, []),
                         when, near, hit.state))
    return out


def _candidates(session: Session, codes: list[str], center: Point, ring: float,
                seen: set[str]) -> list[tuple[float, str, str]]:
    """(distance, site id, service id) of the sites around ``ring`` not returned before.

    Small rings read only their new grid cells (an index range each); wide
    ones read the category's rows in the bounding box.
    """
    query = select(SearchEntry.service_at_location_id, SearchEntry.service_id,
                   SearchEntry.latitude, SearchEntry.longitude).where(SearchEntry.code.in_(codes))
    cells = cells_within(center, ring)
    if len(cells) <= MAX_CELLS:
        query = query.where(SearchEntry.cell.in_(cells))
    else:
        lat0, lat1, lon0, lon1 = bounding_box(center, ring)
        query = query.where(SearchEntry.latitude.between(lat0, lat1),
                            SearchEntry.longitude.between(lon0, lon1))
    out = []
    for sal_id, service_id, lat, lon in session.execute(query):
        if sal_id not in seen:
            seen.add(sal_id)
            out.append((distance_km(center, Point(lat, lon)), sal_id, service_id))
    return out


def _judge(session: Session, batch: list[tuple[float, str, str]], when: datetime,
           filters: Filters) -> list[_Hit]:
    """The candidates that pass the filters and coverage areas, with their opening state.

    Reads only services, schedules and site provinces (plus languages when
    filtered by one); confidential sites are ranked by their true distance,
    which is never shown.
    """
    service_ids = list({service_id for _, _, service_id in batch})
    services = {s.id: s for s in session.scalars(select(Service).where(Service.id.in_(service_ids)))}
    schedules = load_schedules(session, service_ids)
    sites = {sal_id: (location_id, province) for sal_id, location_id, province in session.execute(
        select(ServiceAtLocation.id, ServiceAtLocation.location_id, Address.state_province)
        .outerjoin(Address, Address.location_id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.id.in_([sal_id for _, sal_id, _ in batch])))}
    languages: dict[str, list[str]] = {}
    if filters.language is not None:
        for service_id, code in session.execute(
                select(Language.service_id, Language.code).where(Language.service_id.in_(service_ids))):
            languages.setdefault(service_id, []).append(code)
    out = []
    for dist, sal_id, service_id in batch:
        service = services.get(service_id)
        if service is None or service.status != "active":
            continue
        if service.coverage_km is not None and dist > service.coverage_km:
            continue
        if not filters.accepts(service, languages.get(service_id, [])):
            continue
        location_id, province = sites.get(sal_id, (None, None))
        hours = hours_of(service, schedules.get(service_id, []), sal_id, location_id,
                         (province or "ON").upper())
        out.append(_Hit(dist, sal_id, service, state_at(hours, when)))
    return out
