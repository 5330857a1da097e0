"""Search by need, place and time: the question Waypoint answers all day.

Ranking: open at the time asked first, then nearest, then name and id (a
stable tie-break); within a kilometre of each other, a place with beds free by a
fresh count comes before a full or uncounted one. Listings nobody confirmed for
180 days are left out (``directory.freshness``). The spatial index is read ring by ring (0.25 km out to
60 km) and candidates are judged nearest first, so a search touches the few
rows around the person rather than the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from directory.freshness import STALE, Policy
from directory.geo import Point, bounding_box, cells_within, distance_km
from directory.listing import Listing, hours_of, load_listings, load_schedules, run_select
from directory.models import Address, Language, SearchEntry, Service, ServiceAtLocation
from directory.places import get_gazetteer
from directory.schedules import Hours, OpeningState, localize, state_at
from directory.taxonomy import get_taxonomy

RINGS_KM = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 60.0)
# Past this many cells a ring is read as one bounding box instead of a list of cells.
MAX_CELLS = 400
# Past this distance, stop widening once enough results match, open or not:
# nobody on foot needs a place 40 km away that happens to be open.
ENOUGH_KM = 10.0
_MAX_BATCH = 64
# The nearest this many candidates decide a search: if none of them is open, nothing
# near enough to walk to is, and the answer says what opens next instead.
MAX_JUDGED = 256
# Distances within this band count as similar: free beds then come first.
SIMILAR_KM = 1.0


@dataclass(frozen=True)
class Filters:
    """What a person can narrow a search by. Everything off by default."""

    population: str | None = None  # serves this group (or everyone)
    group_only: bool = False  # serves that group specifically, not everyone (youth shelters)
    walk_in: bool = False
    no_id: bool = False  # neither ID nor a health card required
    free: bool = False
    pets: bool = False
    language: str | None = None
    open_now: bool = False  # open at the time searched for
    confidential: bool = False  # only services at undisclosed sites (violence shelters)
    declined: frozenset[str] = frozenset()  # service ids the person said did not help

    def accepts(self, service: Any) -> bool:
        """Whether a candidate (a row of the search's service facts) passes; language is
        checked separately, against the service's language rows."""
        pops = service.populations.split(",")
        return (service.service_id not in self.declined
                and (self.population is None or self.population in pops
                     or ("all" in pops and not self.group_only))
                and (not self.walk_in or service.walk_in)
                and (not self.no_id or not (service.id_required or service.health_card_required))
                and (not self.free or service.cost == "free")
                and (not self.pets or service.pets)
                and (not self.confidential or service.confidential))


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
    service_id: str
    name: str
    hours: Hours
    state: OpeningState
    free_beds: bool = False  # beds free now, by a fresh count

    def key(self) -> tuple[bool, int, bool, float, str, str]:
        return (not self.state.open, int(self.distance // SIMILAR_KM), not self.free_beds,
                self.distance, self.name, self.service_id)


# The service columns a search needs to filter and time a candidate.
_FACTS = (Service.id.label("service_id"), Service.name, Service.status, Service.coverage_km,
          Service.populations, Service.walk_in, Service.id_required,
          Service.health_card_required, Service.cost, Service.pets, Service.confidential,
          Service.holiday_policy,
          Service.closed_reason, Service.closed_reason_fr, Service.closed_since,
          Service.closed_until, Service.last_verified_at, Service.capacity_available,
          Service.capacity_updated_at)


def search(session: Session, category: str, near: Point | str | None = None,
           at: datetime | None = None, filters: Filters = Filters(), limit: int = 3,
           offset: int = 0, policy: Policy | None = None) -> SearchResponse:
    """Ranked listings of ``category`` (and its sub-categories) near a place at a time.

    ``near`` is a point, free text (resolved by the gazetteer; an unknown place
    raises ``UnknownPlace``) or ``None`` for region-wide results. ``policy`` holds
    the freshness rules and the real time (default: the standard rules, now).
    """
    policy = policy or Policy()
    codes = get_taxonomy().with_descendants(category)
    point = get_gazetteer().resolve(near).point if isinstance(near, str) else near
    center = point or get_gazetteer().center
    when = localize(at)
    needed = offset + limit
    seen: set[str] = set()
    judged: list[_Hit] = []
    pending: list[tuple[float, str, str]] = []
    examined = 0
    for ring in RINGS_KM:
        # Bounding-box corners lie beyond the ring: they wait for the next one, so
        # every ring is judged strictly nearest first.
        fresh = sorted(pending + _candidates(session, codes, center, ring, seen))
        pending = [c for c in fresh if c[0] > ring]
        fresh = [c for c in fresh if c[0] <= ring]
        start, size = 0, max(2 * needed, 8)
        while start < len(fresh):
            # Small batches first: the nearest few usually settle it.
            judged.extend(_judge(session, fresh[start:start + size], when, filters, policy))
            examined += len(fresh[start:start + size])
            start, size = start + size, min(2 * size, _MAX_BATCH)
            if sum(h.state.open for h in judged) >= needed or examined >= MAX_JUDGED:
                break
        if (sum(h.state.open for h in judged) >= needed or examined >= MAX_JUDGED
                or (ring >= ENOUGH_KM and len(judged) >= needed)):
            break
    judged.sort(key=_Hit.key)
    hits = [h for h in judged if h.state.open or not filters.open_now]
    opens_next = None
    if not any(h.state.open for h in judged):
        upcoming = [h for h in judged if h.state.next_open is not None]
        if upcoming:
            first = min(upcoming, key=lambda h: (h.state.next_open, h.distance, h.service_id))
            opens_next = _listings(session, [first], when, point, policy)[0]
    return SearchResponse(results=_listings(session, hits[offset:needed], when, point, policy),
                          total_found=len(hits), opens_next=opens_next, near=point,
                          categories=codes)


def _listings(session: Session, hits: list[_Hit], when: datetime, near: Point | None,
              policy: Policy) -> list[Listing]:
    """Full listings, built only for the hits that will be shown."""
    return load_listings(session, [(h.service_id, h.site_id) for h in hits], when, near,
                         known={h.site_id: (h.hours, h.state) for h in hits}, policy=policy)


@lru_cache(maxsize=None)
def _statement(name: str) -> Select:
    """Statements built once and reused: building a select costs more than running it."""
    entries = select(SearchEntry.service_at_location_id, SearchEntry.service_id,
                     SearchEntry.latitude, SearchEntry.longitude)
    codes = SearchEntry.code.in_(bindparam("codes", expanding=True))
    if name == "cells":
        return entries.where(codes, SearchEntry.cell.in_(bindparam("cells", expanding=True)))
    if name == "box":
        return entries.where(codes, SearchEntry.latitude.between(bindparam("lat0"), bindparam("lat1")),
                             SearchEntry.longitude.between(bindparam("lon0"), bindparam("lon1")))
    if name == "facts":
        return (select(ServiceAtLocation.id.label("service_at_location_id"),
                       ServiceAtLocation.location_id, Address.state_province, *_FACTS)
                .join(Service, Service.id == ServiceAtLocation.service_id)
                .outerjoin(Address, Address.location_id == ServiceAtLocation.location_id)
                .where(ServiceAtLocation.id.in_(bindparam("ids", expanding=True))))
    if name == "speaking":
        return select(Language.service_id).where(
            Language.service_id.in_(bindparam("ids", expanding=True)),
            Language.code == bindparam("language"))
    raise KeyError(name)


def _candidates(session: Session, codes: list[str], center: Point, ring: float,
                seen: set[str]) -> list[tuple[float, str, str]]:
    """(distance, site id, service id) of the sites around ``ring`` not returned before.

    Small rings read only their grid cells (an index range each); wide ones
    read the category's rows in the bounding box.
    """
    cells = cells_within(center, ring)
    if len(cells) <= MAX_CELLS:
        rows = run_select(session, _statement("cells"), {"codes": codes, "cells": cells})
    else:
        lat0, lat1, lon0, lon1 = bounding_box(center, ring)
        rows = run_select(session, _statement("box"), {"codes": codes, "lat0": lat0, "lat1": lat1,
                                                       "lon0": lon0, "lon1": lon1})
    out = []
    for sal_id, service_id, lat, lon in rows:
        if sal_id not in seen:
            seen.add(sal_id)
            out.append((distance_km(center, Point(lat, lon)), sal_id, service_id))
    return out


def _judge(session: Session, batch: list[tuple[float, str, str]], when: datetime,
           filters: Filters, policy: Policy) -> list[_Hit]:
    """The candidates that pass the filters, coverage areas and freshness, with their
    opening state.

    Confidential sites are ranked by their true distance, which is never shown.
    """
    facts = {row.service_at_location_id: row for row in run_select(
        session, _statement("facts"), {"ids": [site for _, site, _ in batch]})}
    kept = [(dist, facts[site]) for dist, site, _ in batch
            if site in facts and facts[site].status == "active"
            and (facts[site].coverage_km is None or dist <= facts[site].coverage_km)
            and policy.of(facts[site].last_verified_at) != STALE
            and filters.accepts(facts[site])]
    service_ids = list({row.service_id for _, row in kept})
    if filters.language is not None and service_ids:
        speaking = set(run_select(session, _statement("speaking"),
                               {"ids": service_ids, "language": filters.language}).scalars())
        kept = [(dist, row) for dist, row in kept if row.service_id in speaking]
    schedules = load_schedules(session, service_ids)
    out = []
    for dist, row in kept:
        hours = hours_of(row, schedules.get(row.service_id, []), row.service_at_location_id,
                         row.location_id, (row.state_province or "ON").upper())
        free = bool(row.capacity_available) and policy.beds_fresh(row.capacity_updated_at)
        out.append(_Hit(dist, row.service_at_location_id, row.service_id, row.name, hours,
                        state_at(hours, when), free))
    return out
