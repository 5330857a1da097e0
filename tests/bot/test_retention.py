"""Forgetting one conversation and purging old ones, on the in-memory, SQL and Redis stores."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.retention import forget, purge, sender_ids
from tests.conftest import unavailable

DOMAIN = Domain.empty()


def save(store: object, sender: str, age_days: float) -> None:
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("hello", timestamp=time.time() - age_days * 86400))
    asyncio.run(store.save(tracker))  # type: ignore[attr-defined]


def senders(store: object) -> set[str]:
    found = set()
    for key in sender_ids(store):
        tracker = asyncio.run(store.retrieve(key))  # type: ignore[attr-defined]
        if tracker is not None and tracker.events:
            found.add(key)
    return found


def check(store: object) -> None:
    old, recent, leaving = (f"s-{uuid.uuid4().hex[:6]}" for _ in range(3))
    save(store, old, 45)
    save(store, recent, 1)
    save(store, leaving, 1)
    assert forget(store, leaving)
    assert leaving not in senders(store)
    assert purge(store, days=30) == 1
    remaining = senders(store)
    assert recent in remaining and old not in remaining


def test_in_memory() -> None:
    check(InMemoryTrackerStore(DOMAIN))


def test_sql_on_sqlite(tmp_path: Path) -> None:
    check(SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db")))


def test_sql_on_postgresql(pg_url: str) -> None:
    url = make_url(pg_url)
    check(SQLTrackerStore(DOMAIN, dialect="postgresql", host=url.host, port=url.port,
                          db=url.database, username=url.username))


def test_redis() -> None:
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
    check(RedisTrackerStore(DOMAIN, host="127.0.0.1", port=6379,
                            key_prefix=f"waypointtest{uuid.uuid4().hex[:6]}"))


def test_the_server_purges_its_own_store_on_a_schedule() -> None:
    """The in-memory store lives inside the Rasa process: the server purges it itself."""
    from types import SimpleNamespace

    from bot.retention import keep_purging

    store = InMemoryTrackerStore(DOMAIN)
    save(store, "old", 45)
    save(store, "recent", 1)
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))

    async def two_rounds() -> None:
        task = asyncio.ensure_future(keep_purging(app, days=30, every=0.05))
        await asyncio.sleep(0.2)
        save_later = asyncio.get_running_loop().run_in_executor(None, save, store, "older", 60)
        await save_later
        await asyncio.sleep(0.2)
        task.cancel()

    asyncio.run(two_rounds())
    assert senders(store) == {"recent"}

