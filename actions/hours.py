"""Hours and details of a service named, or of the one just shown."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import DirectoryAction
from bot import when
from directory.listing import hours
from directory.lookup import find_by_name


class ActionServiceHours(DirectoryAction):
    """Say when a service is open: the one named in the message, else the last one shown."""

    def name(self) -> str:
        return "action_service_hours"

    def act(self, session: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
            lang: str) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        service_id = find_by_name(session, text) or tracker.get_slot("last_service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_ask_which_service")
            return []
        week = hours(session, service_id, when.resolve(when.parse(text)), lang)
        listing = week.listing
        days = "; ".join(f"{day} {span}" for day, span in week.week)
        summary = f"{listing.title(lang)}: {listing.state.text(lang)}. {days}. {listing.verified(lang)}"
        dispatcher.utter_message(response="utter_hours", hours=summary.strip())
        return [SlotSet("last_service_id", service_id)]
