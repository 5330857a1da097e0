"""What every Waypoint action shares: language, the directory session, the search slots."""

from __future__ import annotations

import abc
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.config import directory_url
from conversation.listings import results_of
from directory.db import session_scope
from directory.errors import DirectoryError

logger = logging.getLogger(__name__)


def last_results(tracker: Tracker) -> dict[str, Any] | None:
    """The payload of the last results message of this session: the listings travel in
    the custom payload of the bot's message, so the tracker keeps what was shown."""
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            return None
        if event.get("event") == "bot":
            payload = results_of(event.get("data") or {})
            if payload is not None:
                return payload
    return None


def language(tracker: Tracker) -> str:
    return "fr" if tracker.get_slot("language") == "fr" else "en"


class DirectoryAction(Action, abc.ABC):
    """Runs ``act`` in a directory session; trouble becomes a polite reply, not silence."""

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abc.abstractmethod
    def act(self, session: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
            lang: str) -> list[dict[str, Any]]:
        """Do the work and return events."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            with session_scope(directory_url()) as session:
                return self.act(session, dispatcher, tracker, language(tracker))
        except (SQLAlchemyError, DirectoryError) as exc:
            logger.warning("directory unavailable in %s: %s", self.name(), exc.__class__.__name__)
            dispatcher.utter_message(response="utter_default")
            return []
