"""The actions send catalogue sentences (words/search.yml, words/hours.yml) in the person's
language. The catalogue's own rules (both languages, the same blanks) are in
tests/test_words.py."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import say


@pytest.mark.parametrize("lang, expected", [
    ("fr", "Je ne connais pas « {Atlantis} ». Voici des résultats dans toute la région."),
    ("en", 'I don\'t know the place "{Atlantis}". Here are results across the region.'),
    ("es", 'I don\'t know the place "{Atlantis}". Here are results across the region.'),
])
def test_french_only_when_the_language_is_french_and_values_go_in_as_written(
        lang: str, expected: str) -> None:
    """English otherwise, as the domain's default variation; braces a person typed are kept."""
    dispatcher = CollectingDispatcher()
    say(dispatcher, "place_unknown", lang, place="{Atlantis}")
    assert [m["text"] for m in dispatcher.messages] == [expected]


def test_the_structured_payload_goes_with_the_text() -> None:
    dispatcher = CollectingDispatcher()
    payload = {"waypoint": {"type": "results", "lang": "en", "start": 1, "items": []}}
    say(dispatcher, "results", "en", json_message=payload, results="1. Safe Haven")
    (message,) = dispatcher.messages
    assert message["text"].startswith("1. Safe Haven\nSay \"more\"")
    assert message["custom"] == payload


def test_a_missing_value_is_an_error_naming_the_blank() -> None:
    with pytest.raises(KeyError, match="place"):
        say(CollectingDispatcher(), "place_unknown", "en")
