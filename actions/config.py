"""Action-server settings, read from the environment when first needed."""

from __future__ import annotations

from directory.db import database_url


def directory_url() -> str:
    """``WAYPOINT_DATABASE_URL``, else the demo SQLite file."""
    return database_url()
