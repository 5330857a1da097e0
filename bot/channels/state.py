"""Short-lived channel state: deliveries already seen, message rates, offered choices.

Providers deliver the same webhook twice (a retry after a slow answer), people
type fast, and SMS has no buttons, so a channel must remember a little between
requests. Everything here expires on its own (minutes to an hour) and is keyed
by the pseudonymous sender id, never by a phone number or Telegram id.

One process keeps it in memory. Several Rasa processes behind a load balancer
share it in Redis when ``WAYPOINT_REDIS_HOST`` is set (the same variable the
scale-out lock store uses; database 2 holds channel state).
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any, Protocol

from settings import Settings

logger = logging.getLogger(__name__)

SEEN_SECONDS = 24 * 3600  # providers retry within minutes; a day is ample
CHOICES_SECONDS = 3600  # numbered choices and shown results stay valid for an hour
RATE_WINDOW_SECONDS = 60
RATE_LIMIT = 12  # messages a sender may send in a window before "slow down"
MEMORY_KEYS = 100_000  # bound on what one process remembers


class ChannelState(Protocol):
    def first_delivery(self, key: str) -> bool:
        """True the first time a delivery id is seen, False for a repeat."""

    def allow(self, sender: str) -> bool:
        """Count a message from ``sender``; False once it is over the rate limit."""

    def remember(self, sender: str, name: str, value: Any) -> None:
        """Keep ``value`` (JSON) for ``sender`` for an hour."""

    def recall(self, sender: str, name: str) -> Any:
        """What :meth:`remember` kept, or None once expired."""

    def forget(self, sender: str) -> None:
        """Drop everything kept for ``sender``."""


class MemoryState:
    """In-process state with expiry, bounded so a flood cannot exhaust memory."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW_SECONDS,
                 clock: Any = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._values: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def _get(self, key: str) -> Any:
        item = self._values.get(key)
        if item is None or item[0] <= self.clock():
            self._values.pop(key, None)
            return None
        return item[1]

    def _put(self, key: str, value: Any, seconds: float) -> None:
        self._values[key] = (self.clock() + seconds, value)
        self._values.move_to_end(key)
        while len(self._values) > MEMORY_KEYS:
            self._values.popitem(last=False)

    def first_delivery(self, key: str) -> bool:
        if self._get(f"seen:{key}") is not None:
            return False
        self._put(f"seen:{key}", True, SEEN_SECONDS)
        return True

    def allow(self, sender: str) -> bool:
        now = self.clock()
        recent = [t for t in (self._get(f"rate:{sender}") or []) if t > now - self.window]
        recent.append(now)
        self._put(f"rate:{sender}", recent[-(self.limit + 1):], self.window)
        return len(recent) <= self.limit

    def remember(self, sender: str, name: str, value: Any) -> None:
        self._put(f"{name}:{sender}", json.loads(json.dumps(value)), CHOICES_SECONDS)

    def recall(self, sender: str, name: str) -> Any:
        return self._get(f"{name}:{sender}")

    def forget(self, sender: str) -> None:
        for key in [k for k in self._values if k.endswith(f":{sender}")]:
            del self._values[key]


class RedisState:
    """The same contract in Redis, shared by every Rasa process."""

    def __init__(self, client: Any, limit: int = RATE_LIMIT,
                 window: int = RATE_WINDOW_SECONDS, prefix: str = "waypoint:channel:") -> None:
        self.redis, self.limit, self.window, self.prefix = client, limit, window, prefix

    def first_delivery(self, key: str) -> bool:
        return bool(self.redis.set(f"{self.prefix}seen:{key}", 1, nx=True, ex=SEEN_SECONDS))

    def allow(self, sender: str) -> bool:
        key = f"{self.prefix}rate:{sender}:{int(time.time()) // self.window}"
        count = self.redis.incr(key)
        if count == 1:
            self.redis.expire(key, self.window * 2)
        return int(count) <= self.limit

    def remember(self, sender: str, name: str, value: Any) -> None:
        self.redis.set(f"{self.prefix}{name}:{sender}", json.dumps(value), ex=CHOICES_SECONDS)

    def recall(self, sender: str, name: str) -> Any:
        raw = self.redis.get(f"{self.prefix}{name}:{sender}")
        return None if raw is None else json.loads(raw)

    def forget(self, sender: str) -> None:
        for key in self.redis.scan_iter(f"{self.prefix}*:{sender}"):
            self.redis.delete(key)


def for_settings(settings: Settings) -> ChannelState:
    """Redis when ``WAYPOINT_REDIS_HOST`` is set, else this process's memory."""
    if not settings.redis_host:
        return MemoryState()
    import redis

    logger.info("channel state in Redis at %s (db 2)", settings.redis_host)
    return RedisState(redis.Redis(host=settings.redis_host, port=settings.redis_port,
                                  db=2, socket_timeout=2))
