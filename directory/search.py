"""Search by need, place and time: the question Waypoint answers all day.

Ranking: open at the time asked first, then nearest, then name and id (a
stable tie-break). The spatial index is read ring by ring (2, 5, 10, 25,
60 km) and candidates are judged nearest first, so a search touches the
few rows around the person rather than the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import Point, cells_within, distance_km
from directory.listing import Listing, build, load_phones, load_schedules, load_services
from directory.models import SearchEntry, Service
from directory.places import get_gazetteer
from directory.schedules import localize
from directory.taxonomy import get_taxonomy

RINGS_KM = (2.0, 5.0, 10.0, 25.0, 60.0)
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
    matched: list[tuple[float, Listing]] = []
    open_count = 0
    for ring in RINGS_KM:
        fresh = _candidates(session, codes, center, ring, seen)
        for n in range(0, len(fresh), _BATCH):
            for dist, listing in _judge(session, fresh[n:n + _BATCH], when, point, filters):
                if filters.open_now and not listing.state.open:
                    continue
                matched.append((dist, listing))
                open_count += listing.state.open
            if open_count >= needed:
                break
        if open_count >= needed or (ring >= ENOUGH_KM and len(matched) >= needed):
            break
    matched.sort(key=lambda m: (not m[1].state.open, m[0], m[1].name["en"], m[1].id))
    ranked = [listing for _, listing in matched]
    response = SearchResponse(results=ranked[offset:needed], total_found=len(ranked),
                              near=point, categories=codes)
    if open_count == 0:
        upcoming = [li for li in ranked if li.state.next_open is not None]
        if filters.open_now and not upcoming:
            relaxed = search(session, category, point, at,
                             Filters(**{**filters.__dict__, "open_now": False}), limit=needed)
            upcoming = [li for li in relaxed.results if li.state.next_open is not None]
        response.opens_next = min(upcoming, key=lambda li: li.state.next_open, default=None)
    return response


def _candidates(session: Session, codes: list[str], center: Point, ring: float,
                seen: set[str]) -> list[tuple[float, str, str]]:
    """(distance, site id, service id) within ``ring`` km not seen before, nearest first."""
    rows = session.execute(
        select(SearchEntry.service_at_location_id, SearchEntry.service_id,
               SearchEntry.latitude, SearchEntry.longitude)
        .where(SearchEntry.code.in_(codes), SearchEntry.cell.in_(cells_within(center, ring)))
    ).all()
    out = []
    for sal_id, service_id, lat, lon in rows:
        if sal_id in seen:
            continue
        dist = distance_km(center, Point(lat, lon))
        if dist <= ring:
            seen.add(sal_id)
            out.append((dist, sal_id, service_id))
    out.sort()
    return out


def _judge(session: Session, batch: list[tuple[float, str, str]], when: datetime,
           near: Point | None, filters: Filters) -> list[tuple[float, Listing]]:
    """(true distance, listing) for the candidates that pass the filters and coverage areas.

    Confidential sites are ranked by their true distance, which is never shown.
    """
    service_ids = [service_id for _, _, service_id in batch]
    services = load_services(session, service_ids)
    schedules = load_schedules(session, service_ids)
    phones = load_phones(session, service_ids)
    out = []
    for dist, sal_id, service_id in batch:
        service = services.get(service_id)
        if service is None or service.status != "active":
            continue
        if service.coverage_km is not None and dist > service.coverage_km:
            continue
        if not filters.accepts(service, [lang.code for lang in service.languages]):
            continue
        site = next((s for s in service.sites if s.id == sal_id), None)
        listing = build(service, site, schedules.get(service_id, []), phones.get(service_id, []),
                        when, near)
        out.append((dist, listing))
    return out
