"""The actions' own replies (actions/replies.yml): both languages, the same blanks in each."""

from __future__ import annotations

from pathlib import Path
from string import Formatter

import pytest
import yaml

from actions import replies as module
from actions.replies import PATH, render, replies


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def test_every_reply_has_an_english_and_a_french_text_with_the_same_placeholders() -> None:
    data = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    assert data
    for key, texts in data.items():
        assert isinstance(texts, dict) and set(texts) == {"en", "fr"}, key
        assert all(isinstance(text, str) and text.strip() for text in texts.values()), key
        assert placeholders(texts["en"]) == placeholders(texts["fr"]), key


@pytest.mark.parametrize("lang, expected", [
    ("fr", "Je ne connais pas « {Atlantis} ». Voici des résultats dans toute la région."),
    ("en", 'I don\'t know the place "{Atlantis}". Here are results across the region.'),
    ("es", 'I don\'t know the place "{Atlantis}". Here are results across the region.'),
])
def test_french_only_when_the_language_is_french_and_values_go_in_as_written(
        lang: str, expected: str) -> None:
    """English otherwise, as the domain's default variation; braces a person typed are kept."""
    assert render("place_unknown", lang, place="{Atlantis}") == expected


def test_a_reply_without_both_languages_is_refused(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "replies.yml"
    path.write_text('ask_place: {en: "Where are you?"}\n', encoding="utf-8")
    monkeypatch.setattr(module, "PATH", path)
    with pytest.raises(ValueError, match="ask_place"):
        replies()
