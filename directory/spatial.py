"""Keeps the ``search_entry`` spatial index in step with services and locations."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from directory.geo import cell_of
from directory.models import Location, SearchEntry, ServiceAtLocation, ServiceCategory

_CHUNK = 500


def reindex(session: Session, service_ids: Iterable[str] | None = None) -> int:
    """Rebuild the index rows of the given services (all when ``None``); returns rows written."""
    ids = None if service_ids is None else list(set(service_ids))
    if ids is None:
        session.execute(delete(SearchEntry))
        return _insert(session, None)
    written = 0
    for n in range(0, len(ids), _CHUNK):
        chunk = ids[n:n + _CHUNK]
        session.execute(delete(SearchEntry).where(SearchEntry.service_id.in_(chunk)))
        written += _insert(session, chunk)
    return written


def _insert(session: Session, ids: list[str] | None) -> int:
    query = (
        select(ServiceCategory.code, ServiceAtLocation.id, ServiceAtLocation.service_id,
               Location.latitude, Location.longitude)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == ServiceCategory.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(Location.latitude.is_not(None), Location.longitude.is_not(None))
    )
    if ids is not None:
        query = query.where(ServiceCategory.service_id.in_(ids))
    rows = [
        {"code": code, "cell": cell_of(lat, lon), "service_at_location_id": sal_id,
         "service_id": service_id, "latitude": lat, "longitude": lon}
        for code, sal_id, service_id, lat, lon in session.execute(query)
    ]
    for n in range(0, len(rows), 5000):
        session.execute(SearchEntry.__table__.insert(), rows[n:n + 5000])
    return len(rows)
