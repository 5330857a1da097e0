"""Engines, sessions and schema upgrades. Nothing connects until asked.

Callers own the session lifecycle (``with session_scope(url) as s:``); the
directory's functions take a ``Session`` and never commit.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache: searches reread hot pages
    cur.close()


def _in_memory(url: str) -> bool:
    return url.rstrip("/") in ("sqlite:", "sqlite+pysqlite:") or ":memory:" in url or "mode=memory" in url


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL for the life of the process.

    SQLite files keep a small pool of open connections (SQLAlchemy 1.4 would
    otherwise open a new one for every session, rerun the pragmas and throw
    away the page cache each time: about a tenth of an action's time).
    """
    if url.startswith("sqlite"):
        pool = {} if _in_memory(url) else {"poolclass": QueuePool, "pool_size": 5, "max_overflow": 10}
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    return engine


def upgrade(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration (creates it when empty)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = get_engine(url)
    command.upgrade(cfg, "head")


def sessionmaker_for(url: str) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error.

    The caller names the database (``Settings.database_url`` in the servers and the CLI)."""
    factory = sessionmaker_for(url)
    with factory() as session, session.begin():
        yield session
