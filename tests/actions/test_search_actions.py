"""Actions against a real SQLite demo directory, with rasa-sdk's dispatcher and tracker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import select

from actions.dialogue import CRISIS_OFFERS, NEXT_STEP, NO_OFFER
from actions.hours import ActionServiceHours
from actions.search import (
    ActionAskPlace,
    ActionAskServiceCategory,
    ActionMoreResults,
    ActionResetSearch,
    ActionSearchServices,
)
from directory.taxonomy import get_taxonomy
from tests.actions.support import run, slot, tracker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def directory(demo_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WAYPOINT_DATABASE_URL", demo_sqlite)
    return demo_sqlite


def category(code: str) -> dict[str, Any]:
    return {"entity": "service_category", "value": code}


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_search_replies_with_three_results_and_remembers_them(directory: str, lang: str) -> None:
    events, messages = await run(ActionSearchServices(), tracker(
        "need a bed", entities=[category("shelter")], place="ByWard Market", language=lang))
    results = messages[0]
    listing, invite = results["text"].rsplit("\n", 1)
    assert listing.count("\n") == 2  # three lines
    assert invite.startswith("Répondez « plus »" if lang == "fr" else 'Say "more"')
    assert len(results["custom"]["waypoint"]["items"]) == 3
    assert slot(events, "results_offset") == 3.0 and slot(events, "last_service_id")
    assert ("vérifié" if lang == "fr" else "verified") in listing


@pytest.mark.parametrize("lang, also", [
    ("en", "You also asked about {}. Want those now?"),
    ("fr", "Vous avez aussi demandé : {}. Voulez-vous ces résultats maintenant?"),
])
async def test_several_needs_answer_shelter_first_and_queue_food(directory: str, lang: str,
                                                                 also: str) -> None:
    events, messages = await run(ActionSearchServices(), tracker(
        "nowhere to sleep and I haven't eaten", entities=[category("meals"), category("shelter")],
        place="Lowertown", language=lang))
    assert all("shelter" in item["categories"] for item in messages[0]["custom"]["waypoint"]["items"])
    assert messages[1]["text"] == also.format(get_taxonomy().label("meals", lang))
    assert slot(events, "pending_categories") == ["meals"]


async def test_yes_to_the_queued_need_searches_it(directory: str) -> None:
    events, messages = await run(ActionSearchServices(), tracker(
        "yes", intent="affirm", place="Lowertown", pending_categories=["meals"],
        service_category="shelter"))
    assert "meals" in messages[0]["custom"]["waypoint"]["items"][0]["categories"]
    assert slot(events, "pending_categories") == []


@pytest.mark.parametrize("lang, offer", [("en", "When you're ready, I can also find mental health"),
                                         ("fr", "Quand vous serez prêt·e : je peux aussi trouver")])
async def test_safety_need_offers_the_next_step_once(directory: str, lang: str, offer: str) -> None:
    events, messages = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Vanier", language=lang))
    assert len(messages) == 2 and messages[0]["custom"]["waypoint"]["items"]
    assert messages[1]["text"].startswith(offer) and slot(events, "next_step_offered") is True
    assert slot(events, "offer") == NEXT_STEP
    _, again = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Vanier", next_step_offered=True,
        language=lang))
    assert len(again) == 1 and again[0]["custom"]["waypoint"]["items"]


async def test_more_results_pages_without_repeats(directory: str) -> None:
    first_events, first = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Sandy Hill"))
    _, more = await run(ActionMoreResults(), tracker(
        "more", intent="more_results", service_category="meals", place="Sandy Hill",
        results_offset=slot(first_events, "results_offset")))
    ids = {i["id"] for i in first[0]["custom"]["waypoint"]["items"]}
    assert not ids & {i["id"] for i in more[0]["custom"]["waypoint"]["items"]}
    assert more[0]["text"].startswith("4. ")


@pytest.mark.parametrize("lang, none_left", [
    ("en", "There are no more results. Try another place or another need."),
    ("fr", "Il n'y a pas d'autres résultats. Essayez un autre endroit ou un autre besoin."),
])
async def test_past_the_last_page_says_there_are_no_more(directory: str, lang: str,
                                                        none_left: str) -> None:
    events, messages = await run(ActionMoreResults(), tracker(
        "more", intent="more_results", service_category="meals", place="Sandy Hill",
        results_offset=900.0, language=lang))
    assert [m["text"] for m in messages] == [none_left] and slot(events, "results_offset") == 900.0


@pytest.mark.parametrize("lang, nothing", [("en", "I found nothing open near there."),
                                           ("fr", "Je n'ai rien trouvé d'ouvert près de là.")])
async def test_nothing_left_to_show_is_said(directory: str, lang: str, nothing: str) -> None:
    from directory.db import session_scope
    from directory.models import Service

    with session_scope(directory) as s:
        everything = list(s.scalars(select(Service.id)))
    events, messages = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Lowertown", language=lang,
        declined_services=everything))
    assert messages[0]["text"].startswith(nothing) and messages[0]["custom"] == {}
    assert slot(events, "results_offset") == 0.0


@pytest.mark.parametrize("lang, unknown", [
    ("en", 'I don\'t know the place "Atlantis". Here are results across the region.'),
    ("fr", "Je ne connais pas « Atlantis ». Voici des résultats dans toute la région."),
])
async def test_unknown_place_is_said_then_region_wide(directory: str, lang: str,
                                                      unknown: str) -> None:
    _, messages = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Atlantis", language=lang))
    assert messages[0]["text"] == unknown
    assert messages[1]["custom"]["waypoint"]["items"]


async def test_filters_apply(directory: str) -> None:
    _, messages = await run(ActionSearchServices(), tracker(
        "shelter", entities=[category("shelter")], place="Centretown", filters=["women"]))
    items = messages[0]["custom"]["waypoint"]["items"]
    assert all("women" in i["populations"] or "all" in i["populations"] for i in items)


async def test_hours_of_the_service_just_shown_in_french(directory: str) -> None:
    events, messages = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Lowertown"))
    shown = slot(events, "last_service_id")
    _, hours = await run(ActionServiceHours(), tracker(
        "c'est ouvert dimanche?", intent="ask_hours", last_service_id=shown, language="fr"))
    assert "dimanche" in hours[0]["text"]


async def test_hours_of_a_service_named_by_its_street(directory: str) -> None:
    _, hours = await run(ActionServiceHours(), tracker(
        "when does the night shelter on Murray open", intent="ask_hours"))
    assert "Murray" in hours[0]["text"] or "Harbour" in hours[0]["text"]


async def test_no_service_to_ask_about(directory: str) -> None:
    _, hours = await run(ActionServiceHours(), tracker("when do they open", intent="ask_hours"))
    assert hours[0]["text"] == "Which service do you mean? Search first, then ask about its hours."


async def test_reset_clears_the_pending_search() -> None:
    events, _ = await run(ActionResetSearch(), tracker("useless", intent="frustration",
                                                       service_category="meals"))
    assert slot(events, "service_category") is None and slot(events, "pending_categories") == []
    assert slot(events, "frustrated") is True


async def test_a_second_useless_offers_a_person() -> None:
    _, first = await run(ActionResetSearch(), tracker("useless", intent="frustration"))
    _, second = await run(ActionResetSearch(), tracker("still useless", intent="frustration",
                                                       frustrated=True))
    assert first == [] and [m["response"] for m in second] == ["utter_talk_to_person"]


@pytest.mark.parametrize("lang, useless", [("en", "already tried those"), ("fr", "ça sert à rien")])
async def test_services_called_useless_are_never_shown_again(directory: str, lang: str,
                                                             useless: str) -> None:
    """"Already tried those": the same need at the same place brings other services."""
    _, first = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Lowertown", language=lang))
    shown = [i["id"] for i in first[0]["custom"]["waypoint"]["items"]]
    bot = {"event": "bot", "text": first[0]["text"], "data": {"custom": first[0]["custom"]}}
    reset, _ = await run(ActionResetSearch(), after(bot, [], tracker(useless, intent="frustration",
                                                                     language=lang)))
    assert slot(reset, "declined_services") == shown
    _, again = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Lowertown", language=lang,
        declined_services=shown))
    assert again[0]["custom"]["waypoint"]["items"]
    assert not set(shown) & {i["id"] for i in again[0]["custom"]["waypoint"]["items"]}


async def test_database_down_is_a_polite_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    _, messages = await run(ActionSearchServices(), tracker(
        "food", entities=[category("meals")], place="Vanier"))
    assert messages == [{"response": "utter_default", "text": None, "buttons": [], "elements": [],
                         "custom": {}, "template": "utter_default", "image": None,
                         "attachment": None}] or messages[0]["response"] == "utter_default"


async def test_needs_named_before_the_place_question_are_used(directory: str) -> None:
    t = tracker("à Vanier", intent="inform_place", place="Vanier", language="fr",
                needs=["meals", "shelter"])
    events, messages = await run(ActionSearchServices(), t)
    assert all("shelter" in i["categories"] for i in messages[0]["custom"]["waypoint"]["items"])
    assert slot(events, "pending_categories") == ["meals"] and slot(events, "needs") is None


def after(previous: dict[str, Any], answer: list[dict[str, Any]], t: Tracker) -> Tracker:
    """``t`` as the reply to the bot's ``answer`` to the user message ``previous``."""
    t.events = [previous, *answer, {"event": "user", "text": t.latest_message["text"],
                                    "parse_data": t.latest_message}]
    return t


OFFER_OF = {"crisis_domestic_violence": "shelter_confidential",
            "crisis_youth_unsafe": "shelter_youth"}


@pytest.mark.parametrize("crisis, yes, lang, check", [
    ("crisis_domestic_violence", "yes", "en", lambda i: i["confidential"]),
    ("crisis_domestic_violence", "oui", "fr", lambda i: i["confidential"]),
    ("crisis_youth_unsafe", "yes please", "en", lambda i: "youth" in i["populations"]),
    ("crisis_youth_unsafe", "oui", "fr", lambda i: "youth" in i["populations"]),
])
async def test_yes_after_a_crisis_reply_takes_its_offer_of_shelters(
        directory: str, crisis: str, yes: str, lang: str, check: Any) -> None:
    """The partner-violence and youth replies end "tell me if you want them"; a yes gets
    those shelters, not an older search nor "what do you need?". (The ``offer`` slot's
    mappings set it from the crisis intent; the e2e tests show that through Rasa.)"""
    events, messages = await run(ActionSearchServices(), tracker(
        yes, intent="affirm", language=lang, service_category="meals", offer=OFFER_OF[crisis]))
    items = messages[0]["custom"]["waypoint"]["items"]
    assert messages[0]["text"].startswith("1. ") and items
    assert all("shelter" in i["categories"] and check(i) for i in items)
    assert slot(events, "filters") == CRISIS_OFFERS[OFFER_OF[crisis]]
    assert slot(events, "offer") == NO_OFFER and slot(events, "needs") is None


async def test_the_crisis_offer_wins_over_a_need_named_before_the_crisis(directory: str) -> None:
    """"I need food", the place question, "my husband beats me", "yes": the shelters offered."""
    _, messages = await run(ActionSearchServices(), tracker(
        "yes", intent="affirm", needs=["meals"], offer="shelter_confidential"))
    items = messages[0]["custom"]["waypoint"]["items"]
    assert items and all(i["confidential"] for i in items)


async def test_a_yes_with_no_offer_open_takes_none(directory: str) -> None:
    _, messages = await run(ActionSearchServices(), tracker(
        "yes", intent="affirm", offer=NO_OFFER, service_category="meals", place="Vanier"))
    items = messages[0]["custom"]["waypoint"]["items"]
    assert items and all("meals" in i["categories"] for i in items)


ASK_NEED = {"en": "What do you need? (shelter, food, shower",
            "fr": "De quoi avez-vous besoin? (refuge, repas, douche"}
ASK_PLACE = {"en": "Where are you? A neighbourhood, an intersection or a postal code.",
             "fr": "Où êtes-vous? Un quartier, une intersection ou un code postal."}


@pytest.mark.parametrize("yes, lang", [("yes", "en"), ("oui", "fr")])
async def test_yes_to_the_next_step_asks_which_support_not_the_same_results(
        directory: str, yes: str, lang: str) -> None:
    events, messages = await run(ActionSearchServices(), tracker(
        yes, intent="affirm", language=lang, service_category="meals", place="Vanier",
        next_step_offered=True, offer=NEXT_STEP))
    assert len(messages) == 1 and messages[0]["text"].startswith(ASK_NEED[lang])
    assert slot(events, "offer") == NO_OFFER  # a second yes is not the same yes


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_the_search_form_asks_its_questions_in_the_persons_language(lang: str) -> None:
    for action, question in ((ActionAskServiceCategory(), ASK_NEED), (ActionAskPlace(), ASK_PLACE)):
        events, messages = await run(action, tracker("I need help", language=lang))
        assert events == [] and len(messages) == 1
        assert messages[0]["text"].startswith(question[lang])


def test_every_slot_the_search_form_asks_for_has_its_ask_action() -> None:
    """The form asks with ``action_ask_<slot>`` only if the domain lists it and the action
    server has it; otherwise it would ask nothing, as no ``utter_ask_<slot>`` is left."""
    domain = yaml.safe_load((ROOT / "domain" / "core.yml").read_text(encoding="utf-8"))
    executor = ActionExecutor()
    executor.register_package("actions")
    for slot_name in domain["forms"]["search_form"]["required_slots"]:
        assert f"action_ask_{slot_name}" in domain["actions"]
        assert f"action_ask_{slot_name}" in executor.actions


@pytest.mark.parametrize("kept, latest, expected", [
    (["women"], ["pets"], ["women", "pets"]),
    (["women", "pets"], ["youth"], ["pets", "youth"]),
    (["youth", "group_only"], ["families"], ["families"]),
    (["free"], ["free"], ["free"]),
    (None, ["no_id"], ["no_id"]),
])
def test_filters_add_up_and_a_new_group_replaces_the_old(kept: list[str] | None,
                                                         latest: list[str],
                                                         expected: list[str]) -> None:
    from actions.search import person_filters

    assert person_filters(tracker("x", kept_filters=kept, filters=latest)) == expected


@pytest.mark.parametrize("lang, first, second", [("en", "women only", "with my dog"),
                                                 ("fr", "femmes seulement", "avec mon chien")])
async def test_a_second_filter_keeps_the_first(directory: str, lang: str, first: str,
                                               second: str) -> None:
    events, _ = await run(ActionSearchServices(), tracker(
        first, intent="set_filter", service_category="shelter", place="Centretown",
        filters=["women"], language=lang))
    events, messages = await run(ActionSearchServices(), tracker(
        second, intent="set_filter", service_category="shelter", place="Centretown",
        filters=["pets"], kept_filters=slot(events, "kept_filters"), language=lang))
    items = messages[0]["custom"]["waypoint"]["items"]
    assert slot(events, "kept_filters") == ["women", "pets"]
    assert items and all(("women" in i["populations"] or "all" in i["populations"])
                         and i["pets"] for i in items)


def test_open_now_only_button_sets_the_open_now_filter() -> None:
    from actions.search import filters_from

    assert filters_from(["open_now"]).open_now
    assert filters_from(["open_now", "women"]).population == "women"
    assert not filters_from(["women"]).open_now
