"""Search actions: the search form's questions, find services for the person's needs,
page through them, reset."""

from __future__ import annotations

import abc
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import DirectoryAction, language, last_results
from actions.config import freshness
from actions.dialogue import (
    CRISIS_OFFERS,
    NEXT_STEP,
    NO_OFFER,
    accepted_offer,
    filters_from,
    named_needs,
    person_filters,
    said_yes,
)
from actions.replies import say
from conversation import when
from conversation.listings import next_opening_text, results_text, structured
from directory.errors import UnknownPlace
from directory.geo import Point
from directory.places import get_gazetteer
from directory.search import search
from directory.taxonomy import CODES, get_taxonomy

PAGE = 3


def where(tracker: Tracker, dispatcher: CollectingDispatcher, lang: str) -> Point | None:
    """The point to search around; an unknown place is said, then the region is searched."""
    place = tracker.get_slot("place")
    if not place or place == "anywhere":
        return None
    try:
        return get_gazetteer().resolve(str(place)).point
    except UnknownPlace:
        say(dispatcher, "place_unknown", lang, place=str(place)[:60])
        return None


def run_search(session: Any, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str,
               category: str, offset: int,
               values: list[str] | None = None) -> list[dict[str, Any]]:
    """Search (with the person's filters unless others are given), reply, and remember
    what was shown and with which filters."""
    point = where(tracker, dispatcher, lang)
    at = when.resolve(tracker.get_slot("time"))
    values = person_filters(tracker) if values is None else values
    declined = frozenset(tracker.get_slot("declined_services") or [])
    response = search(session, category, point, at,
                      replace(filters_from(values), declined=declined),
                      limit=PAGE, offset=offset, policy=freshness())
    kept = SlotSet("kept_filters", values)
    if not response.results:
        if offset:
            say(dispatcher, "no_more_results", lang)
        else:
            say(dispatcher, "no_results", lang, next=next_opening_text(response.opens_next, lang))
        return [SlotSet("results_offset", float(offset)), kept]
    say(dispatcher, "results", lang, json_message=structured(response.results, lang, offset + 1),
        results=results_text(response.results, lang, offset + 1))
    return [SlotSet("service_category", category),
            SlotSet("results_offset", float(offset + len(response.results))),
            SlotSet("last_service_id", response.results[0].id), kept]


class FormQuestion(Action, abc.ABC):
    """The search form's question for one slot. The form runs ``action_ask_<slot>`` when
    the domain lists it, before looking for ``utter_ask_<slot>``, so the question can be
    a reply of the actions' (words/search.yml) rather than a domain response."""

    reply: str

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain: ``action_ask_<slot>``."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        say(dispatcher, self.reply, language(tracker))
        return []


class ActionAskServiceCategory(FormQuestion):
    """Ask what the person needs."""

    reply = "ask_service_category"

    def name(self) -> str:
        return "action_ask_service_category"


class ActionAskPlace(FormQuestion):
    """Ask where the person is."""

    reply = "ask_place"

    def name(self) -> str:
        return "action_ask_place"


class ActionSearchServices(DirectoryAction):
    """Answer the most urgent need named; queue the others and offer them once."""

    def name(self) -> str:
        return "action_search_services"

    def act(self, session: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
            lang: str) -> list[dict[str, Any]]:
        pending = list(tracker.get_slot("pending_categories") or [])
        offer = accepted_offer(tracker)
        answered = [SlotSet("needs", None), SlotSet("offer", NO_OFFER)]
        if offer in CRISIS_OFFERS:
            # Before any need named earlier: the offer was the last thing said.
            values = CRISIS_OFFERS[offer]
            return run_search(session, dispatcher, tracker, lang, "shelter", 0,
                              values) + [SlotSet("filters", values)] + answered
        needs = named_needs(tracker)
        if not needs and said_yes(tracker):
            if pending:
                needs = [pending.pop(0)]
            elif offer == NEXT_STEP:
                # Yes to "I can also find support or housing": which one, not the same list.
                say(dispatcher, "ask_service_category", lang)
                return answered
        if not needs and tracker.get_slot("service_category") in CODES:
            needs = [tracker.get_slot("service_category")]
        if not needs:
            say(dispatcher, "ask_service_category", lang)
            return []
        category, rest = needs[0], [n for n in needs[1:] if n not in pending]
        events = run_search(session, dispatcher, tracker, lang, category, 0)
        pending = rest + pending
        offered = NO_OFFER
        if pending:
            say(dispatcher, "also_asked", lang, category=get_taxonomy().label(pending[0], lang))
        elif (get_taxonomy().get(category).stage == "safety"
              and not tracker.get_slot("next_step_offered")):
            say(dispatcher, "next_step", lang)
            events.append(SlotSet("next_step_offered", True))
            offered = NEXT_STEP
        return events + [SlotSet("pending_categories", pending), SlotSet("needs", None),
                         SlotSet("offer", offered)]


class ActionMoreResults(DirectoryAction):
    """The next page of the last search."""

    def name(self) -> str:
        return "action_more_results"

    def act(self, session: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
            lang: str) -> list[dict[str, Any]]:
        category = tracker.get_slot("service_category")
        if category not in CODES:
            say(dispatcher, "ask_service_category", lang)
            return []
        return run_search(session, dispatcher, tracker, lang, category,
                          int(tracker.get_slot("results_offset") or 0))


class ActionResetSearch(Action):
    """After "that's useless": forget the pending search, and set aside the services just
    shown for the rest of the conversation, so the same answer never comes again. The
    second time, say how to reach a person too."""

    def name(self) -> str:
        return "action_reset_search"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        if tracker.get_slot("frustrated"):
            dispatcher.utter_message(response="utter_talk_to_person")
        declined = list(tracker.get_slot("declined_services") or [])
        shown = [str(item["id"]) for item in (last_results(tracker) or {}).get("items", [])]
        declined += [i for i in shown if i not in declined]
        return [SlotSet("service_category", None), SlotSet("place", None),
                SlotSet("results_offset", 0.0), SlotSet("pending_categories", []),
                SlotSet("filters", None), SlotSet("kept_filters", None),
                SlotSet("declined_services", declined),
                SlotSet("frustrated", True)]
