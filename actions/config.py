"""Action-server settings, read when first needed.

The action server is started by Rasa's own ``rasa run actions``, so there is no
Waypoint entry point to pass settings down from; each action asks here.
"""

from __future__ import annotations

import settings
from directory.freshness import Policy


def directory_url() -> str:
    """``WAYPOINT_DATABASE_URL``, else the demo SQLite file."""
    return settings.load().database_url


def freshness() -> Policy:
    """The freshness rules for this answer, now (``WAYPOINT_BEDS_FRESH_HOURS``)."""
    return Policy(beds_fresh_hours=settings.load().beds_fresh_hours)
