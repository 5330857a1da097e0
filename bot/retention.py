"""Forgetting: delete one conversation on request, and purge old ones on a schedule.

Rasa 3.6's tracker stores can save and retrieve but not delete, so this works
on the store underneath: the in-memory dict, Redis keys, or the SQL ``events``
table. Every Rasa server runs the retention rule itself, hourly
(:func:`keep_purging`, started by the REST channel): the default in-memory store
lives inside that process, out of any outside job's reach. ``python -m
bot.retention --days 30`` does the same once, from outside, for a shared store.

"Forget me" on Telegram or SMS also removes the chat's or number's link to a
provider account (:func:`forget_link`), so it no longer acts for anyone.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
DEFAULT_DAYS = 30


def underlying(store: Any) -> Any:
    """The real store inside Rasa's awaitable / fail-safe wrappers."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def sender_ids(store: Any) -> list[str]:
    """Conversation ids in a store (Redis lists its keys with their prefix, as bytes)."""
    from rasa.core.tracker_store import RedisTrackerStore

    store = underlying(store)
    keys = asyncio.run(store.keys())
    if isinstance(store, RedisTrackerStore):
        text = [k.decode() if isinstance(k, bytes) else str(k) for k in keys]
        return [k.removeprefix(store.key_prefix) for k in text]
    return list(keys)


def forget(store: Any, sender_id: str) -> bool:
    """Delete every stored event of one conversation; False if this store type is unknown."""
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    store = underlying(store)
    if isinstance(store, InMemoryTrackerStore):
        store.store.pop(sender_id, None)
    elif isinstance(store, RedisTrackerStore):
        store.red.delete(store.key_prefix + sender_id)
    elif isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
            session.commit()
    else:
        logger.error("cannot delete conversations from %s", type(store).__name__)
        return False
    return True


def forget_link(database_url: str, channel: str, sender: str) -> bool:
    """Remove a sender's link to a provider account; False if it had none."""
    from directory import accounts
    from directory.db import session_scope

    with session_scope(database_url) as session:
        return accounts.unlink(session, channel, sender)


def purge(store: Any, days: float, now: float | None = None) -> int:
    """Delete conversations whose last event is older than ``days``; returns how many."""
    from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore

    store = underlying(store)
    cutoff = (now or time.time()) - days * 86400
    if isinstance(store, SQLTrackerStore):
        from sqlalchemy import func, select

        event = store.SQLEvent
        with store.session_scope() as session:
            stale = [row[0] for row in session.execute(
                select(event.sender_id).group_by(event.sender_id)
                .having(func.max(event.timestamp) < cutoff))]
            if stale:
                session.query(event).filter(event.sender_id.in_(stale)).delete(
                    synchronize_session=False)
                session.commit()
        return len(stale)
    if isinstance(store, (InMemoryTrackerStore, RedisTrackerStore)):
        removed = 0
        for sender_id in sender_ids(store):
            tracker = asyncio.run(store.retrieve(sender_id))
            last = tracker.events[-1].timestamp if tracker and tracker.events else 0
            if last < cutoff and forget(store, sender_id):
                removed += 1
        return removed
    raise ValueError(f"no retention rule for {type(store).__name__}")


async def keep_purging(app: Any, days: float = DEFAULT_DAYS, every: float = 3600) -> None:
    """Purge the server's tracker store now and then every ``every`` seconds, for as
    long as the server runs. Several servers sharing a store may all do it: deleting
    what is already gone deletes nothing. A failed purge is logged and tried again."""
    loop = asyncio.get_running_loop()
    while True:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is not None:
            try:
                # purge() drives the store's coroutines itself, so it runs off this loop.
                removed = await loop.run_in_executor(None, purge, store, days)
                logger.info("retention: deleted %d conversations older than %g days",
                            removed, days)
            except Exception as exc:  # the store may be down; the next round retries
                logger.error("retention purge failed (%s)", exc.__class__.__name__)
        await asyncio.sleep(every)


def main() -> None:
    parser = argparse.ArgumentParser(description="Delete conversations older than N days.")
    parser.add_argument("--endpoints", default="endpoints.yml", type=Path)
    parser.add_argument("--days", default=DEFAULT_DAYS, type=float)
    args = parser.parse_args()
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(args.endpoints), "tracker_store")
    store = TrackerStore.create(config, Domain.empty())
    print(f"deleted {purge(store, args.days)} conversations older than {args.days:g} days")


if __name__ == "__main__":
    main()
