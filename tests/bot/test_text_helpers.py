"""Language detection, time words, input cleaning and the fallback text, in both languages."""

from datetime import datetime

import pytest

from bot.channels.guard import COMMANDS, clean
from conversation import language, when
from conversation.sms import sms_segments
from directory.schedules import TZ
from safety import crisis as crisis_net
from safety.fallback import fallback_text


@pytest.mark.parametrize("text, lang", [
    ("j'ai faim", "fr"), ("je cherche un refuge ce soir", "fr"), ("où dormir à Hull", "fr"),
    ("chu dans la rue pis j'ai froid", "fr"), ("I need a bed tonight", "en"),
    ("where can i get food", "en"), ("en français svp", "fr"), ("English please", "en"),
])
def test_clear_languages(text: str, lang: str) -> None:
    assert language.detect(text) == lang


@pytest.mark.parametrize("text", ["ok", "Vanier", "K1N", "👍", "", "narcan"])
def test_unclear_texts_keep_the_conversation_language(text: str) -> None:
    assert language.detect(text) is None


@pytest.mark.parametrize("text, key", [
    ("now", "now"), ("tonight", "tonight"), ("ce soir", "tonight"), ("à soir", "tonight"),
    ("tomorrow morning", "tomorrow_morning"), ("demain matin", "tomorrow_morning"),
    ("dimanche", "sunday"), ("on Sunday", "sunday"), ("whenever", None),
])
def test_time_words(text: str, key: str | None) -> None:
    assert when.parse(text) == key


def test_time_keys_resolve_to_local_moments() -> None:
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)
    assert when.resolve("tonight", monday_noon) == datetime(2026, 11, 23, 21, 0, tzinfo=TZ)
    assert when.resolve("tomorrow_morning", monday_noon).date().day == 24
    assert when.resolve("sunday", monday_noon).weekday() == 6
    assert when.resolve(None, monday_noon) == monday_noon


@pytest.mark.parametrize("raw, expected", [
    ("/restart", "restart"), ('/inform{"x":1}', 'inform{"x":1}'), ("//greet", "greet"),
    ("/start", COMMANDS["/start"]), ("/help@WaypointBot", COMMANDS["/help"]),
    ("/lang", COMMANDS["/lang"]), ("/forget", COMMANDS["/forget"]),
    ("", "?"), ("   ", "?"), ("\x00\x07hi\x1b", "hi"), (None, "?"), (42, "?"), ("/", "?"),
])
def test_slash_intents_are_defused_and_commands_mapped(raw: object, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize("text, lang", [
    ("I need a French speaking doctor", "en"), ("english classes near me", "en"),
    ("je cherche un médecin qui parle anglais", "fr"), ("I don't understand French", "en"),
    ("French please", "fr"), ("english plz", "en"), ("switch it to english", "en"),
    ("tu parles anglais?", "en"), ("en français svp", "fr"), ("français, merci", "fr"),
])
def test_naming_a_language_is_not_asking_for_it(text: str, lang: str) -> None:
    assert language.detect(text) == lang


@pytest.mark.parametrize("raw, expected", [
    ("/lang en", "English please"), ("/lang English", "English please"),
    ("/lang@WaypointBot anglais", "English please"), ("/lang fr", "en français"),
    ("/lang français", "en français"), ("/lang", COMMANDS["/lang"]),
])
def test_lang_command_names_the_language(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_huge_messages_are_cut() -> None:
    assert len(clean("a" * 10_000)) == 2000
    assert clean("I need a bed. " * 400).startswith("I need a bed.")


@pytest.mark.parametrize("plea, kind", [
    ("my friend is overdosing", "overdose"), ("mon ami fait une overdose", "overdose"),
    ("I want to kill myself", "suicide"), ("je veux me suicider", "suicide"),
])
@pytest.mark.parametrize("filler", ["I need a bed. ", "J'ai besoin d'un lit. "])
def test_a_crisis_late_in_a_huge_message_survives_the_cut(plea: str, kind: str,
                                                          filler: str) -> None:
    text = clean(filler * 400 + plea + ".")
    assert len(text) <= 2000
    crisis = crisis_net.detect(text)
    assert crisis is not None and crisis.kind == kind


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fallback_gives_211_911_988_in_one_sms(lang: str) -> None:
    text = fallback_text(lang)
    assert "2-1-1" in text and "911" in text and "9-8-8" in text
    assert sms_segments(text) == 1
