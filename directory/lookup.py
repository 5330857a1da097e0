"""Find a service a person names in their own words ("the soup kitchen on Murray")."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from directory.models import Address, Service, ServiceAtLocation
from directory.text import fold

_STOP = {"when", "does", "what", "time", "open", "opens", "close", "closes", "hours", "that",
         "this", "there", "their", "with", "from", "quand", "quelle", "heure", "ouvre", "ouvert",
         "ferme", "est", "ce", "que", "les", "des", "une", "sunday", "dimanche", "today",
         "tomorrow", "demain", "the", "on", "sur", "rue", "street", "avenue"}


def find_by_name(session: Session, text: str, limit: int = 50) -> str | None:
    """The id of the service whose name (or street) best matches the words of ``text``."""
    words = [w for w in fold(text).split() if len(w) >= 4 and w not in _STOP][:6]
    if not words:
        return None
    name_hits = [func.lower(Service.name).like(f"%{w}%") for w in words]
    name_hits += [func.lower(Service.name_fr).like(f"%{w}%") for w in words]
    street_hits = [func.lower(Address.address_1).like(f"%{w}%") for w in words]
    rows = session.execute(
        select(Service.id, Service.name, Service.name_fr, Address.address_1)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .outerjoin(Address, Address.location_id == ServiceAtLocation.location_id)
        .where(or_(*name_hits, *street_hits), Service.confidential.is_(False))
        .order_by(Service.id).limit(limit)).all()
    best, best_score = None, 0
    for service_id, name, name_fr, street in rows:
        names = fold(f"{name} {name_fr or ''}")
        score = sum(2 for w in words if w in names) + sum(1 for w in words if w in fold(street or ""))
        if score > best_score:
            best, best_score = service_id, score
    return best
