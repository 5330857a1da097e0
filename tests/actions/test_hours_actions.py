"""The hours action against a real SQLite demo directory, with rasa-sdk's dispatcher and tracker.

A search runs first, as in a conversation; its results message becomes the bot
event the hours action reads back, as Rasa stores it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy import select

from actions.hours import ActionServiceHours, rank_named
from actions.search import ActionMoreResults, ActionSearchServices
from conversation.sms import sms_segments
from directory.db import session_scope
from directory.models import Service
from tests.actions import support
from tests.actions.support import run

AUDIT = [
    ("does it open at night?", "en"),
    ("when does it open tomorrow morning", "en"),
    ("is it open late", "en"),
    ("when does the second one open", "en"),
    ("c'est quoi les heures du deuxième", "fr"),
]


@pytest.fixture
def directory(demo_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WAYPOINT_DATABASE_URL", demo_sqlite)
    return demo_sqlite


def tracker(text: str, intent: str = "ask_hours", **rest: Any) -> Tracker:
    return support.tracker(text, intent, **rest)


def as_bot_events(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot events Rasa stores for the messages an action sent (``create_bot_utterance``)."""
    return [{"event": "bot", "text": m.get("text"),
             "data": {"custom": m.get("custom") or None, "buttons": m.get("buttons") or None},
             "metadata": {}} for m in messages]


class Conversation:
    """A search for meals in Lowertown, then whatever is asked next, in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {"language": lang}
        self.shown: list[str] = []

    async def search(self, action: Any = None) -> None:
        t = tracker("food", intent="find_service", events=self.events,
                    entities=[{"entity": "service_category", "value": "meals"}],
                    place="Lowertown", **self.slots)
        events, messages = await run(action or ActionSearchServices(), t)
        self.remember(events, messages)
        self.shown = [i["id"] for i in messages[0]["custom"]["waypoint"]["items"]]

    async def ask(self, text: str) -> tuple[dict[str, Any], str | None]:
        """The hours reply, and the service it was about."""
        events, messages = await run(ActionServiceHours(), tracker(text, events=self.events,
                                                                   **self.slots))
        self.remember(events, messages)
        return messages[0], self.slots.get("last_service_id") if events else None

    def remember(self, events: list[dict[str, Any]], messages: list[dict[str, Any]]) -> None:
        self.events += as_bot_events(messages) + events
        self.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})


def service(url: str, name: str) -> tuple[str, str]:
    """The id and French name of the demo service named ``name`` in English."""
    with session_scope(url) as s:
        row = s.execute(select(Service.id, Service.name_fr).where(Service.name == name)).one()
    return row.id, row.name_fr


def title(url: str, service_id: str | None, lang: str) -> str:
    """The name an hours reply about ``service_id`` starts with, in ``lang``."""
    with session_scope(url) as s:
        row = s.execute(select(Service.name, Service.name_fr).where(Service.id == service_id)).one()
    return row.name_fr if lang == "fr" and row.name_fr else row.name


WHICH = {"en": "Which service do you mean? Search first, then ask about its hours.",
         "fr": "De quel service parlez-vous? Cherchez d'abord, puis demandez les heures."}


@pytest.mark.parametrize("text, lang", AUDIT)
async def test_the_audits_questions_refer_back_to_what_was_shown(directory: str, text: str,
                                                                  lang: str) -> None:
    chat = Conversation(lang)
    await chat.search()
    first, first_about = await chat.ask("when does it open")
    assert first["text"].startswith(f"{title(directory, first_about, lang)}: ")
    reply, about = await chat.ask(text)
    expected = chat.shown[1] if "second" in text or "deuxième" in text else chat.shown[0]
    assert about == expected and reply["text"].startswith(f"{title(directory, about, lang)}: ")


@pytest.mark.parametrize("text, name", [
    ("when does the soup kitchen on Murray open", "Harbour House Community Meals"),
    ("what time does the night shelter on Murray open tonight", "Harbour House Night Shelter"),
    ("when is the Cobourg foot care clinic open", "Cobourg Foot Care Clinic"),
])
async def test_a_service_named_in_english(directory: str, text: str, name: str) -> None:
    chat = Conversation("en")
    await chat.search()
    reply, about = await chat.ask(text)
    assert about == service(directory, name)[0] and reply["text"].startswith(f"{name}: ")


@pytest.mark.parametrize("text, name", [
    ("la soupe populaire sur Murray ouvre à quelle heure", "Harbour House Community Meals"),
    ("le refuge sur la rue Murray, c'est ouvert ce soir?", "Harbour House Night Shelter"),
    ("la clinique de soins des pieds Cobourg ouvre quand?", "Cobourg Foot Care Clinic"),
])
async def test_a_service_named_in_french(directory: str, text: str, name: str) -> None:
    chat = Conversation("fr")
    await chat.search()
    reply, about = await chat.ask(text)
    service_id, name_fr = service(directory, name)
    assert about == service_id and reply["text"].startswith(f"{name_fr}: ")


@pytest.mark.parametrize("text, rank, lang", [
    ("when does the second one open", 2, "en"),
    ("what about number 3", 3, "en"),
    ("hours of #3?", 3, "en"),
    ("and the first one?", 1, "en"),
    ("the last one, when does it close", 3, "en"),
    ("le deuxième ouvre quand?", 2, "fr"),
    ("et la 3e?", 3, "fr"),
    ("le premier est ouvert demain?", 1, "fr"),
])
async def test_a_result_picked_by_rank(directory: str, text: str, rank: int, lang: str) -> None:
    chat = Conversation(lang)
    await chat.search()
    _, about = await chat.ask(text)
    assert about == chat.shown[rank - 1]


async def test_ranks_on_the_second_page_are_the_numbers_shown(directory: str) -> None:
    chat = Conversation("en")
    await chat.search()
    await chat.search(ActionMoreResults())  # numbered 4, 5, 6
    _, fifth = await chat.ask("number 5")
    _, first_of_page = await chat.ask("the first one")
    assert fifth == chat.shown[1] and first_of_page == chat.shown[0]


async def test_a_rank_beyond_the_results_asks_which(directory: str) -> None:
    chat = Conversation("en")
    await chat.search()
    reply, _ = await chat.ask("the 5th one")
    assert reply["text"] == WHICH["en"]


async def test_a_rank_with_nothing_shown_asks_which(directory: str) -> None:
    _, messages = await run(ActionServiceHours(), tracker(
        "when does the second one open", last_service_id=service(directory, "Hinton Hearth Breakfast")[0]))
    assert messages[0]["text"] == WHICH["en"]


@pytest.mark.parametrize("text, lang", [("when does it open", "en"), ("c'est ouvert quand?", "fr"),
                                        *AUDIT])
async def test_nothing_named_and_nothing_shown_asks_which(directory: str, text: str,
                                                          lang: str) -> None:
    events, messages = await run(ActionServiceHours(), tracker(text, language=lang))
    assert events == [] and [m["text"] for m in messages] == [WHICH[lang]]


@pytest.mark.parametrize("lang, words", [("en", ("Monday-Sunday", "123 Murray St, Ottawa",
                                                 "613-555-0101", "verified")),
                                         ("fr", ("lundi-dimanche", "123 Murray St, Ottawa",
                                                 "613-555-0101", "vérifié le"))])
async def test_the_reply_gives_the_week_address_phone_and_check_date(directory: str, lang: str,
                                                                     words: tuple[str, ...]) -> None:
    meals, _ = service(directory, "Harbour House Community Meals")
    _, messages = await run(ActionServiceHours(), tracker(
        "c'est ouvert dimanche?" if lang == "fr" else "open sunday?", language=lang,
        last_service_id=meals))
    assert all(word in messages[0]["text"] for word in words)


async def test_a_safe_shelter_gives_its_area_and_phone_never_its_address(directory: str) -> None:
    shelter, _ = service(directory, "Juniper House Shelter")
    _, messages = await run(ActionServiceHours(), tracker("hours?", last_service_id=shelter))
    assert "safe shelter" in messages[0]["text"] and "613-555-" in messages[0]["text"]


@pytest.mark.parametrize("text", ["hours", "c'est ouvert dimanche?", "ce soir?", "demain matin?"])
async def test_every_french_reply_fits_three_sms(directory: str, text: str) -> None:
    with session_scope(directory) as s:
        ids = list(s.scalars(select(Service.id)))
    for service_id in ids:
        _, messages = await run(ActionServiceHours(), tracker(text, language="fr",
                                                              last_service_id=service_id))
        reply = messages[0]["text"]
        assert len(reply) <= 3 * 70 and sms_segments(reply) <= 3, reply


@pytest.mark.parametrize("text", ["second wind hours", "the first meal", "is the 24 hour line open",
                                  "when does it open", "le deuxième souper"])
def test_not_a_rank(text: str) -> None:
    assert rank_named(text) is None
