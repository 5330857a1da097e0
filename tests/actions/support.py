"""What the action tests share: a tracker as Rasa sends it, running an action, reading a slot."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(text: str, intent: str = "find_service",
            entities: list[dict[str, Any]] | None = None,
            events: list[dict[str, Any]] | None = None, **slots: Any) -> Tracker:
    """The tracker Rasa sends after ``text``. As the domain's ``needs`` mapping would,
    the service categories among ``entities`` fill ``needs`` unless it is given."""
    named = [e["value"] for e in entities or [] if e.get("entity") == "service_category"]
    if named and "needs" not in slots:
        slots["needs"] = named
    return Tracker.from_dict({
        "sender_id": "test", "slots": {"language": "en", **slots},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 1.0},
                           "entities": entities or []},
        "events": events or [], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    })


async def run(action: Any, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


def slot(events: list[dict[str, Any]], name: str) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)
