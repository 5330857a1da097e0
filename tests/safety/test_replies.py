"""Emergency replies: the right numbers from hotlines.yaml, short enough for SMS.

No Rasa needed: replies are plain text built from the catalogue (words/safety.yml) and
the data file, and the Rasa domain file is compared with what the builder would write today.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from conversation.sms import is_gsm7, sms_segments
from safety.crisis import KINDS
from safety.replies import (
    DOMAIN_PATH,
    HELP_RESPONSES,
    HOTLINES_PATH,
    HotlineFileError,
    help_reply,
    load_hotlines,
    render_domain_responses,
    render_domain_yaml,
    reply,
    say,
)
from words import say as catalogue_say
from words import template

LANGS = ("en", "fr")

# What each reply must give, by hotline id (the spec, independent of the templates).
REQUIRED: dict[str, tuple[str, ...]] = {
    "overdose": ("emergency_911", "overdose_response_nors"),
    "medical": ("emergency_911",),
    "danger": ("emergency_911",),
    "suicide": ("suicide_crisis_988", "emergency_911"),
    "self_harm": ("suicide_crisis_988", "emergency_911"),
    "domestic_violence": ("emergency_911", "assaulted_womens_helpline", "sos_violence_conjugale"),
    "trafficking": ("emergency_911", "human_trafficking_hotline"),
    "youth_unsafe": ("kids_help_phone",),
}

# Numbers as the brief gives them; a change here must be a deliberate, re-checked one.
EXPECTED_NUMBERS = {
    "emergency_911": "911",
    "suicide_crisis_988": "988",
    "overdose_response_nors": "18886886677",
    "assaulted_womens_helpline": "18668630511",
    "sos_violence_conjugale": "18003639010",
    "human_trafficking_hotline": "18339001010",
    "kids_help_phone": "18006686868",
    "two_one_one": "211",
}


# ---------------------------------------------------------------- hotlines.yaml

def test_hotlines_hold_the_expected_numbers() -> None:
    lines = load_hotlines()
    for hotline_id, dial in EXPECTED_NUMBERS.items():
        assert lines[hotline_id].dial == dial


FIRST_WRITTEN = "2026-11-23"


def test_every_hotline_is_dated_and_says_to_recheck() -> None:
    for line in load_hotlines().values():
        checked = date.fromisoformat(line.last_checked)
        assert date.fromisoformat(FIRST_WRITTEN) <= checked <= date.today(), line.id
        assert "re-check" in line.note.lower() and "own page" in line.note, line.id
        assert line.url.startswith("https://")
        assert set(line.name) == {"en", "fr"}


def _comments_above_each_entry() -> dict[str, str]:
    """The comment lines directly above each ``- id:`` line of hotlines.yaml, by id."""
    out: dict[str, str] = {}
    block: list[str] = []
    for raw in HOTLINES_PATH.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped.startswith("#"):
            block.append(stripped)
        elif stripped.startswith("- id:"):
            out[stripped.removeprefix("- id:").strip()] = "\n".join(block)
            block = []
        else:
            block = []
    return out


def test_a_later_check_date_names_the_page_that_confirmed_it() -> None:
    """last_checked moves past the first writing only with the page that was checked."""
    comments = _comments_above_each_entry()
    lines = load_hotlines()
    assert set(comments) == set(lines)
    for hotline_id, line in lines.items():
        if line.last_checked != FIRST_WRITTEN:
            notes = comments[hotline_id].splitlines()
            assert any(re.match(rf"# confirmed {line.last_checked} on https?://", n)
                       for n in notes), hotline_id
            assert not any(n.startswith("# not confirmed on") for n in notes), hotline_id


def test_911_is_call_only_and_says_texting_does_not_work() -> None:
    line = load_hotlines()["emergency_911"]
    assert line.text_to is None
    assert "Texting 911 does not work" in line.note


def test_sms_options() -> None:
    lines = load_hotlines()
    assert lines["suicide_crisis_988"].text_to == "988"
    khp = lines["kids_help_phone"]
    assert (khp.keyword, khp.text_to) == ("CONNECT", "686868")
    assert lines["two_one_one"].text_to == "211"
    assert lines["suicide_crisis_988"].hours == lines["two_one_one"].hours == "24/7"
    assert {"en", "fr"} <= set(lines["suicide_crisis_988"].languages)


def test_regions() -> None:
    lines = load_hotlines()
    assert lines["assaulted_womens_helpline"].region == "Ontario"
    assert lines["sos_violence_conjugale"].region == "Québec"
    assert lines["suicide_crisis_988"].region == "Canada"


def _write_hotlines(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(HOTLINES_PATH.read_text(encoding="utf-8"))
    mutate(data["hotlines"])
    path = tmp_path / "hotlines.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda h: h[2].update(dial="18886886678"), "overdose_response_nors"),
    (lambda h: h[1].pop("url"), "suicide_crisis_988"),
    (lambda h: h[0].update(region="Mars"), "region"),
    (lambda h: h.append(dict(h[0])), "duplicate id"),
    (lambda h: h[3].update(name={"en": "x"}), "name"),
    (lambda h: h[4].update(last_checked="yesterday"), "last_checked"),
])
def test_broken_hotline_file_is_refused_with_the_entry_named(tmp_path: Path, mutate,
                                                             message: str) -> None:
    with pytest.raises(HotlineFileError, match=message):
        load_hotlines(_write_hotlines(tmp_path, mutate))


# ---------------------------------------------------------------- replies

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_reply_gives_the_right_numbers(kind: str, lang: str) -> None:
    text = reply(kind, lang)
    lines = load_hotlines()
    for hotline_id in REQUIRED[kind]:
        assert lines[hotline_id].number in text, (kind, lang, hotline_id)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_reply_fits_in_three_sms_segments(kind: str, lang: str) -> None:
    text = reply(kind, lang)
    segments = sms_segments(text)
    encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    print(f"{kind:18} {lang}: {len(text):3} chars, {encoding}, {segments} segment(s)")
    assert segments <= 3, f"{kind}/{lang} is {len(text)} chars, {encoding}: {segments} segments"
    if not is_gsm7(text):
        assert len(text) <= 201
    else:
        assert len(text) <= 459


@pytest.mark.parametrize("kind", KINDS)
def test_replies_avoid_ucs2(kind: str) -> None:
    """A single ê or ’ would cut the SMS budget from 459 to 201 characters."""
    for lang in LANGS:
        bad = sorted({c for c in reply(kind, lang) if not is_gsm7(c)})
        assert not bad, f"{kind}/{lang} has non-GSM-7 characters {bad}"


@pytest.mark.parametrize("lang", LANGS)
def test_overdose_reply_starts_with_911_and_says_texting_does_not_work(lang: str) -> None:
    first = reply("overdose", lang).splitlines()[0]
    assert "911" in first
    assert ("CALL 911" in first and "does not work" in first) if lang == "en" else (
        "APPELEZ LE 911" in first and "ne marche pas" in first)


def test_overdose_reply_english_steps() -> None:
    text = reply("overdose", "en")
    for words in ("Shake and shout", "Call 911", "Give naloxone", "Breathe or push",
                  "rescue breaths", "chest compressions", "2-3 min", "Recovery position",
                  "Stay with them", "Good Samaritan Drug Overdose Act", "simple possession",
                  "National Overdose Response Service"):
        assert words in text, words
    steps = [line for line in text.splitlines() if re.match(r"\d\. ", line)]
    assert [s[0] for s in steps] == list("123456")


def test_overdose_reply_french_steps() -> None:
    text = reply("overdose", "fr")
    for words in ("Secouez et criez", "Appelez le 911", "naloxone", "insufflations",
                  "compressions", "2-3 min", "Position latérale", "restez avec la personne",
                  "bons samaritains", "simple possession", "1-888-688-6677"):
        assert words in text, words


@pytest.mark.parametrize("lang", LANGS)
def test_domestic_violence_offers_confidential_shelters(lang: str) -> None:
    text = reply("domestic_violence", lang)
    assert ("Confidential shelters" if lang == "en" else "refuges confidentiels") in text
    assert "Ontario" in text and "Québec" in text


@pytest.mark.parametrize("lang", LANGS)
def test_youth_reply_gives_kids_help_phone_text_option_and_shelters(lang: str) -> None:
    text = reply("youth_unsafe", lang)
    assert "CONNECT" in text and "686868" in text
    assert ("Youth shelters" if lang == "en" else "refuges pour les jeunes") in text
    assert text.index("1-800-668-6868") < text.index("refuges" if lang == "fr" else "shelters")


@pytest.mark.parametrize("lang", LANGS)
def test_suicide_reply_says_call_or_text_24_7_both_languages(lang: str) -> None:
    text = reply("suicide", lang)
    assert "9-8-8" in text and "24/7" in text
    assert ("Call or text" in text and "English and French" in text) if lang == "en" else (
        "Appelez ou textez" in text and "bilingue" in text)


def test_unknown_language_falls_back_to_english() -> None:
    assert reply("suicide", None) == reply("suicide", "en") == reply("suicide", "es")


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown crisis kind"):
        reply("overdoze", "en")


def test_the_catalogue_has_a_reply_for_every_kind_and_hard_codes_no_number() -> None:
    for kind in KINDS:
        for lang in LANGS:
            written = template(f"crisis_{kind}", lang)
            text = re.sub(r"\{[a-z0-9_.]+\}", "", written)
            assert not re.search(r"\d{3}|\d-\d-\d", text), (kind, written)


def test_no_hotline_number_is_written_in_the_code_or_the_catalogue() -> None:
    root = Path(__file__).resolve().parents[2]
    sources = [root / "safety" / "replies.py", *sorted((root / "words").glob("*.yml"))]
    for path in sources:
        source = path.read_text(encoding="utf-8")
        for line in load_hotlines().values():
            for form in {line.number, line.dial}:
                assert not re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", source), (
                    path.name, form)


@pytest.mark.parametrize("lang", LANGS)
def test_say_fills_values_and_numbers_in_one_pass(lang: str) -> None:
    """The channels' sentences mix both kinds of blank; a value is never read as a blank."""
    text = say("call_number", lang, name="{emergency_911}", phone="613-555-0199")
    assert text.startswith("{emergency_911}") and "613-555-0199" in text
    assert "9-8-8" in say("slow_down", lang) and "{" not in say("slow_down", lang)


def test_a_line_that_does_not_answer_in_the_reply_language_says_so() -> None:
    english_only = [line for line in load_hotlines().values() if "fr" not in line.languages]
    assert english_only, "the overdose line answers in English only"
    assert catalogue_say("hotline_in_other_language", "fr") in reply("overdose", "fr")
    assert catalogue_say("hotline_in_other_language", "en") not in reply("overdose", "en")


# ---------------------------------------------------------------- domain/safety.yml

def test_domain_responses_have_a_french_and_a_default_variation() -> None:
    responses = render_domain_responses()
    assert set(responses) == ({f"utter_crisis_{kind}" for kind in KINDS}
                              | {f"utter_{name}" for name in HELP_RESPONSES})
    for name, variations in responses.items():
        fr, default = variations
        assert fr["condition"] == [{"type": "slot", "name": "language", "value": "fr"}]
        assert "condition" not in default
        if name.startswith("utter_crisis_"):
            kind = name.removeprefix("utter_crisis_")
            assert fr["text"] == reply(kind, "fr") and default["text"] == reply(kind, "en")
        else:
            help_name = name.removeprefix("utter_")
            assert fr["text"] == help_reply(help_name, "fr")
            assert default["text"] == help_reply(help_name, "en")
        # Rasa fills {slot} placeholders in responses: a stray brace would break the text.
        assert "{" not in fr["text"] + default["text"]


@pytest.mark.parametrize("name", [*HELP_RESPONSES, "fallback"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_help_replies_give_211_911_988_within_three_segments(name: str, lang: str) -> None:
    text = help_reply(name, lang)
    assert "2-1-1" in text
    if name != "out_of_scope":
        assert "911" in text and "9-8-8" in text
    assert sms_segments(text) <= 3 and is_gsm7(text)


def test_domain_file_is_up_to_date() -> None:
    assert DOMAIN_PATH.exists(), "run: make words"
    on_disk = DOMAIN_PATH.read_text(encoding="utf-8")
    assert on_disk == render_domain_yaml(), "stale: run make words"
    data = yaml.safe_load(on_disk)
    assert data == {"version": "3.1", "responses": render_domain_responses()}
