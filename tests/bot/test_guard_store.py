"""The guard's work on Rasa itself: "forget me" on each tracker store, and the
cached action-reply validator (same verdicts as Rasa's own)."""

from __future__ import annotations

import types
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Restarted,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.guard import forget_if_asked
from bot.patches import _cache_action_reply_validator as cache_action_reply_validator
from tests.conftest import unavailable


def app_with(store: Any) -> Any:
    return types.SimpleNamespace(ctx=types.SimpleNamespace(agent=types.SimpleNamespace(
        tracker_store=store)))


async def said(store: Any, sender: str, intent: str) -> None:
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("x", {"name": intent, "confidence": 1.0}))
    if intent == "forget_me":  # what the rule does next: restart into a new session
        for event in (ActionExecuted("action_restart"), Restarted(),
                      ActionExecuted("action_session_start"), SessionStarted(),
                      ActionExecuted("action_listen")):
            tracker.update(event)
    await store.save(tracker)


async def check_forget(store: Any) -> None:
    keep, drop = f"keep-{uuid.uuid4().hex[:8]}", f"drop-{uuid.uuid4().hex[:8]}"
    await said(store, keep, "greet")
    await said(store, drop, "forget_me")
    app = app_with(store)
    assert not await forget_if_asked(app, keep)
    assert await forget_if_asked(app, drop)
    assert not await forget_if_asked(app, "nobody")
    assert (await store.retrieve_full_tracker(keep)).events
    gone = await store.retrieve_full_tracker(drop)
    assert gone is None or not gone.events


async def test_forget_me_in_memory() -> None:
    await check_forget(InMemoryTrackerStore(Domain.empty()))


async def test_forget_me_in_sql(tmp_path: Path) -> None:
    await check_forget(SQLTrackerStore(Domain.empty(), dialect="sqlite",
                                       db=str(tmp_path / "trackers.db")))


async def test_forget_me_in_redis() -> None:
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
    store = RedisTrackerStore(Domain.empty(), host="127.0.0.1",
                              key_prefix=f"waypointtest{uuid.uuid4().hex[:8]}")
    try:
        await check_forget(store)
    finally:
        for key in store.red.keys(store.key_prefix + "*"):
            store.red.delete(key)


def test_no_agent_means_nothing_to_forget() -> None:
    import asyncio

    assert not asyncio.run(forget_if_asked(types.SimpleNamespace(), "x"))


@pytest.mark.parametrize("reply,valid", [
    ({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}, True),
    ({"events": [], "responses": []}, True),
    ({"events": "not a list", "responses": []}, False),
    ({"events": [{"no_event_key": 1}], "responses": []}, False),
])
def test_cached_validator_gives_rasas_verdicts(reply: dict[str, Any], valid: bool) -> None:
    original = RemoteAction._validate_action_result
    action = RemoteAction("action_x", None)
    try:
        cache_action_reply_validator()
        assert RemoteAction._validate_action_result is not original
        if valid:
            assert action._validate_action_result(reply)
            assert original(action, reply)
        else:
            with pytest.raises(ValidationError, match="Failed to validate Action server response"):
                action._validate_action_result(reply)
            with pytest.raises(ValidationError):
                original(action, reply)
    finally:
        RemoteAction._validate_action_result = original


async def never_answers() -> None:
    raise RuntimeError("Rasa is down")


@pytest.mark.parametrize("text,expected", [
    ("my friend is overdosing", "CALL 911"),
    ("je veux en finir", "9-8-8"),
    ("I need a bed", "2-1-1"),
    ("j'ai besoin d'un lit", "2-1-1"),
])
async def test_a_failed_turn_still_answers_and_a_crisis_gets_its_emergency_reply(
        text: str, expected: str) -> None:
    from bot.channels.guard import reply_or_fallback
    from safety.replies import reply

    [message] = await reply_or_fallback(never_answers, [], "someone", text)
    assert expected in message["text"] and message["recipient_id"] == "someone"
    if expected == "CALL 911":
        assert message["text"] == reply("overdose", "en")
