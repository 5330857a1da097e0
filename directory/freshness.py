"""How fresh a listing is, and what clients are told about it.

Wrong hours send people across town in the cold, so every answer says how fresh
its listing is, and old data is said or left out rather than trusted:

- confirmed within 90 days: "verified Dec 3";
- not for 90 days: "not confirmed recently, call ahead";
- not for 180 days: left out of client results, and in the admin's stale queue;
- a bed count older than 6 hours (``WAYPOINT_BEDS_FRESH_HOURS``) is "beds: unknown,
  call ahead", never a number; a fresh one says when it was counted.

A listing never confirmed at all (no ``last_verified_at``) is said as "call ahead",
not hidden: an import without dates must not empty the directory.

The thresholds are a :class:`Policy` the caller passes (the servers build it from
their settings); its ``now`` is the real time, not the time a search asks about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.models import Organization, Service
from directory.schedules import TZ

CALL_AHEAD_DAYS = 90
STALE_DAYS = 180
BEDS_FRESH_HOURS = 6.0
NUDGE_DAYS = 30

FRESH, CALL_AHEAD, STALE = "fresh", "call_ahead", "stale"


def local_now() -> datetime:
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Policy:
    """The freshness rules for one answer."""

    now: datetime = field(default_factory=local_now)
    call_ahead_days: int = CALL_AHEAD_DAYS
    stale_days: int = STALE_DAYS
    beds_fresh_hours: float = BEDS_FRESH_HOURS

    def of(self, last_verified_at: datetime | None) -> str:
        """FRESH, CALL_AHEAD or STALE for a listing confirmed at ``last_verified_at``."""
        if last_verified_at is None:
            return CALL_AHEAD
        age = self.now - last_verified_at
        if age >= timedelta(days=self.stale_days):
            return STALE
        if age >= timedelta(days=self.call_ahead_days):
            return CALL_AHEAD
        return FRESH

    def stale_before(self) -> datetime:
        return self.now - timedelta(days=self.stale_days)

    def beds_fresh(self, updated_at: datetime | None) -> bool:
        return (updated_at is not None
                and self.now - updated_at < timedelta(hours=self.beds_fresh_hours)
                and updated_at <= self.now + timedelta(minutes=5))


def stale_queue(session: Session, policy: Policy | None = None) -> list[dict[str, object]]:
    """The services clients no longer see because nobody confirmed them for 180 days,
    oldest first: what an admin should chase."""
    policy = policy or Policy()
    rows = session.execute(
        select(Service.id, Service.name, Service.organization_id, Organization.name,
               Service.last_verified_at)
        .outerjoin(Organization, Organization.id == Service.organization_id)
        .where(Service.status == "active", Service.last_verified_at.is_not(None),
               Service.last_verified_at <= policy.stale_before())
        .order_by(Service.last_verified_at, Service.id))
    return [{"id": sid, "name": name, "organization_id": org_id, "organization": org,
             "last_verified_at": verified.isoformat(),
             "days": (policy.now - verified).days}
            for sid, name, org_id, org, verified in rows]


def still_shown(policy: Policy):  # type: ignore[no-untyped-def]
    """A SQL condition: the service is not stale (never confirmed counts as shown)."""
    return or_(Service.last_verified_at.is_(None),
               Service.last_verified_at > policy.stale_before())
