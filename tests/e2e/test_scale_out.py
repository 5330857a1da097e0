"""The scale-out path for real: PostgreSQL tracker store and Redis lock store.

Runs the servers with the tracker and lock store sections of endpoints.scale.yml,
filled from the environment as in production, against this machine's PostgreSQL
and Redis. Skips locally if they are unreachable; in CI a skip is a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PostgresDatabases, unavailable
from tests.e2e.servers import ROOT, Servers

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz


@pytest.fixture(scope="module")
def scaled(postgres: PostgresDatabases, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Servers, str]]:
    import redis

    if postgres.error:
        unavailable(postgres.error)
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
    tracker_url = postgres.create()
    url = make_url(tracker_url)
    scale = (ROOT / "endpoints.scale.yml").read_text(encoding="utf-8")
    stores = "\n" + scale[scale.index("tracker_store:"):]
    env = {"WAYPOINT_TRACKER_DB_HOST": url.host or "127.0.0.1", "WAYPOINT_TRACKER_DB": url.database,
           "WAYPOINT_TRACKER_DB_USER": url.username or "postgres",
           "WAYPOINT_TRACKER_DB_PASSWORD": url.password or "", "WAYPOINT_REDIS_HOST": "127.0.0.1"}
    servers = Servers(tmp_path_factory.mktemp("scaled"), stores=stores, env=env)
    try:
        yield servers, tracker_url
    finally:
        servers.stop()
        create_engine(tracker_url).dispose()


def test_conversation_is_kept_in_postgresql_and_forgotten_on_request(
        scaled: tuple[Servers, str]) -> None:
    servers, tracker_url = scaled
    me = f"scale-{uuid.uuid4().hex[:8]}"
    assert "1. " in servers.say(me, "I need food near Vanier")
    assert "4. " in servers.say(me, "more")
    engine = create_engine(tracker_url)
    with engine.connect() as conn:
        count = conn.execute(text("select count(*) from events where sender_id = :s"), {"s": me})
        assert count.scalar_one() > 5
    assert "forgotten" in servers.say(me, "forget me")
    with engine.connect() as conn:
        count = conn.execute(text("select count(*) from events where sender_id = :s"), {"s": me})
        assert count.scalar_one() == 0
    engine.dispose()


def test_crisis_reply_on_the_scaled_path(scaled: tuple[Servers, str]) -> None:
    servers, _ = scaled
    assert "9-8-8" in servers.say(f"scale-{uuid.uuid4().hex[:8]}", "je veux mourir")
