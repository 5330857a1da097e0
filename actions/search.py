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
from actions.replies import say
from conversation import when
from conversation.listings import next_opening_text, results_text, structured
from directory.errors import UnknownPlace
from directory.geo import Point
from directory.places import get_gazetteer
from directory.search import Filters, search
from directory.taxonomy import CODES, get_taxonomy

PAGE = 3
# Need order when several are named at once: a bed and medical first, then food and
# hygiene, then support, then stability.
FIRST = ("shelter", "primary_care", "withdrawal_management", "naloxone", "harm_reduction",
         "crisis_line", "meals", "drop_in", "shower", "outreach")
POPULATION_FILTERS = ("women", "men", "youth", "families", "couples")
# The emergency replies that end by offering shelters (safety/replies.py): a "yes"
# right after one takes the offer, narrowed as the reply promised.
CRISIS_OFFERS = {"crisis_domestic_violence": ["confidential"],
                 "crisis_youth_unsafe": ["youth", "group_only"]}


def need_order(code: str) -> tuple[int, int]:
    stage = ("safety", "support", "stability").index(get_taxonomy().get(code).stage)
    return (FIRST.index(code) if code in FIRST else len(FIRST) + stage, CODES.index(code))


def named_needs(tracker: Tracker) -> list[str]:
    """Categories named since the last search, most urgent first.

    The needs may have come a turn or two earlier ("nowhere to sleep and I haven't
    eaten", then the place the search form asked for), so the newest user message
    naming any is used, unless a search already answered it.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == "action_search_services":
            break
        if event.get("event") == "user":
            codes = {e["value"] for e in (event.get("parse_data") or {}).get("entities", [])
                     if e.get("entity") == "service_category" and e.get("value") in CODES}
            if codes:
                return sorted(codes, key=need_order)
    codes = {e["value"] for e in tracker.latest_message.get("entities", [])
             if e.get("entity") == "service_category" and e.get("value") in CODES}
    return sorted(codes, key=need_order)


def filters_from(values: list[str] | None) -> Filters:
    values = values or []
    population = next((v for v in values if v in POPULATION_FILTERS), None)
    return Filters(population=population, walk_in="walk_in" in values, no_id="no_id" in values,
                   free="free" in values, pets="pets" in values, open_now="open_now" in values,
                   confidential="confidential" in values, group_only="group_only" in values)


def person_filters(tracker: Tracker) -> list[str]:
    """The filters said so far, added up: "women only", then "with my dog", is both. The
    ``filters`` slot holds only the latest message that named any; ``kept_filters`` what
    the last search used. A group named anew replaces the group named before."""
    kept = list(tracker.get_slot("kept_filters") or [])
    latest = list(tracker.get_slot("filters") or [])
    if any(v in POPULATION_FILTERS for v in latest):
        kept = [v for v in kept if v not in POPULATION_FILTERS and v != "group_only"]
    return kept + [v for v in latest if v not in kept]


def previous_turn(tracker: Tracker) -> tuple[str | None, list[dict[str, Any]]]:
    """The intent of the message before the newest one, and the events of the bot's
    answer to it: what a bare "yes" now is a yes to."""
    seen_users, answer = 0, []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_users += 1
            if seen_users == 2:
                intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
                return intent, answer
        elif seen_users == 1:
            answer.append(event)
    return None, []


def offered_next_step(answer: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "slot" and e.get("name") == "next_step_offered"
               and e.get("value") is True for e in answer)


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
                      limit=PAGE, offset=offset)
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
    a reply of the actions' (actions/replies.yml) rather than a domain response."""

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
        yes = tracker.latest_message.get("intent", {}).get("name") == "affirm"
        before, answer = previous_turn(tracker) if yes else (None, [])
        if before in CRISIS_OFFERS:
            # Before any need named earlier: the offer was the last thing said.
            values = CRISIS_OFFERS[before]
            return run_search(session, dispatcher, tracker, lang, "shelter", 0,
                              values) + [SlotSet("filters", values)]
        needs = named_needs(tracker)
        if not needs and yes:
            if pending:
                needs = [pending.pop(0)]
            elif offered_next_step(answer):
                # Yes to "I can also find support or housing": which one, not the same list.
                say(dispatcher, "ask_service_category", lang)
                return []
        if not needs and tracker.get_slot("service_category") in CODES:
            needs = [tracker.get_slot("service_category")]
        if not needs:
            say(dispatcher, "ask_service_category", lang)
            return []
        category, rest = needs[0], [n for n in needs[1:] if n not in pending]
        events = run_search(session, dispatcher, tracker, lang, category, 0)
        pending = rest + pending
        if pending:
            say(dispatcher, "also_asked", lang, category=get_taxonomy().label(pending[0], lang))
        elif (get_taxonomy().get(category).stage == "safety"
              and not tracker.get_slot("next_step_offered")):
            say(dispatcher, "next_step", lang)
            events.append(SlotSet("next_step_offered", True))
        return events + [SlotSet("pending_categories", pending)]


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
