"""The crisis detector: what must trigger, what must not, and how the data file is checked.

The phrases live in tests/safety/phrases/: one file per crisis kind (``en:`` and ``fr:``
lists of messages that must trigger with that kind) and ``look_alikes.yml`` (messages that
must not). Every phrase there is the kind of thing people text: add the ones you hear.
"""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from safety.crisis import (
    DEFAULT_PATH,
    KINDS,
    Crisis,
    PatternFileError,
    detect,
    explain,
    fold,
    load_patterns,
    parse_patterns,
)

ROOT = Path(__file__).resolve().parents[2]

PHRASES = Path(__file__).with_name("phrases")
LANGUAGES = ("en", "fr")


def _phrases(name: str) -> dict[str, list[str]]:
    """A phrase file: its lists by language."""
    return yaml.safe_load((PHRASES / f"{name}.yml").read_text(encoding="utf-8"))


MUST_TRIGGER = {kind: _phrases(kind) for kind in KINDS}  # kind -> language -> phrases
LOOK_ALIKES = _phrases("look_alikes")  # language -> phrases
TRIGGER_CASES = [(language, kind, text) for kind in KINDS for language in LANGUAGES
                 for text in MUST_TRIGGER[kind].get(language) or []]
LOOK_ALIKE_CASES = [(language, text) for language in LANGUAGES
                    for text in LOOK_ALIKES.get(language) or []]


# ---------------------------------------------------------------- must trigger

def test_phrase_files_hold_every_kind_in_both_languages_each_phrase_once() -> None:
    assert sorted(p.name for p in PHRASES.glob("*.yml")) == sorted(
        f"{name}.yml" for name in (*KINDS, "look_alikes"))
    for kind, table in (*MUST_TRIGGER.items(), ("look_alikes", LOOK_ALIKES)):
        assert set(table) == set(LANGUAGES), kind
        assert all(isinstance(text, str) and text.strip() for texts in table.values()
                   for text in texts), kind
    for language in LANGUAGES:
        assert all(MUST_TRIGGER[kind][language] for kind in KINDS), language
        assert sum(len(MUST_TRIGGER[kind][language]) for kind in KINDS) >= 40
        assert len(LOOK_ALIKES[language]) >= 20
    texts = [text for _, _, text in TRIGGER_CASES] + [text for _, text in LOOK_ALIKE_CASES]
    assert len(texts) == len(set(texts)), sorted(t for t in set(texts) if texts.count(t) > 1)


@pytest.mark.parametrize(("language", "kind", "text"), TRIGGER_CASES)
def test_crisis_phrases_trigger_with_their_kind_and_language(language: str, kind: str,
                                                             text: str) -> None:
    found = detect(text)
    assert found is not None, f"{text!r} did not trigger"
    assert found.kind == kind, f"{text!r}: {found} ({explain(text)})"
    assert found.language in (language, None), f"{text!r}: {found}"


@pytest.mark.parametrize(("text", "language"), [
    ("my friend is overdosing", "en"),
    ("mon ami fait une overdose", "fr"),
    ("overdose", None),
    ("suicide", None),
    ("je pense au suicide", "fr"),
    ("I'm thinking about suicide", "en"),
    ("il a un 🔫", "fr"),
    ("ambulance", None),
    ("appelle une ambulance", "fr"),
])
def test_language_is_that_of_the_matching_pattern(text: str, language: str | None) -> None:
    found = detect(text)
    assert found is not None and found.language == language


# ---------------------------------------------------------------- must not trigger

@pytest.mark.parametrize(("language", "text"), LOOK_ALIKE_CASES)
def test_look_alikes_do_not_trigger(language: str, text: str) -> None:
    assert detect(text) is None, explain(text)


def test_directory_requests_do_not_trigger() -> None:
    """Every label and synonym people use to ask for a service (except crisis lines)."""
    taxonomy = yaml.safe_load((ROOT / "directory" / "data" / "taxonomy.yaml").read_text("utf-8"))
    triggered = [
        (category["code"], text, detect(text))
        for category in taxonomy["categories"] if category["code"] != "crisis_line"
        for lang in ("en", "fr")
        for text in [category["label"][lang], category["description"][lang],
                     *category["synonyms"][lang]]
        if detect(text) is not None
    ]
    assert not triggered


@pytest.mark.parametrize("text", [
    "", " ", "\n\t", "💊", "🔪", "🔫", "🩸", "😵", "💀💀💀", "💀😭", "💊💊💊", "😭😭 lol",
    "\x00\x01\x02\x1b", "\u200b\u200d\ufeff", "\x00💊\x07", "?!?!...", "👍🏽", "🏳️‍🌈",
])
def test_empty_emoji_only_and_control_characters_give_none(text: str) -> None:
    assert detect(text) is None


@pytest.mark.parametrize("value", [None, 42, b"kill myself", ["suicide"]])
def test_non_strings_give_none(value: object) -> None:
    assert detect(value) is None  # type: ignore[arg-type]


# ---------------------------------------------------------------- folding

@pytest.mark.parametrize(("text", "kind"), [
    ("MY FRIEND IS OVERDOSING!!!", "overdose"),
    ("Il Respire Plus...", "overdose"),
    ("levres bleues", "overdose"),
    ("LÈVRES BLEUES", "overdose"),
    ("lèvres bleues", "overdose"),
    ("le\u0300vres bleues", "overdose"),  # decomposed accent
    ("I...want...to...kill...myself", "suicide"),
    ("I-want-to-KILL-myself", "suicide"),
    ("k.m.s", "suicide"),
    ("ＫＭＳ", "suicide"),  # full-width letters
    ("JE VEUX EN FINIR", "suicide"),
    ("Je veux... en finir.", "suicide"),
    ("quelqu’un m’attaque", "danger"),
    ("quelqu'un m'attaque", "danger"),
    ("quelquun mattaque", "danger"),
    ("I’m 16 and I ran away", "youth_unsafe"),
    ("he's NOT BREATHING!!", "overdose"),
    ("hes not breathin", "overdose"),
    ("he is not breathing", "overdose"),
    ("iiiii waaaant to dieeee", "suicide"),
    ("pleeeease he is bleeeeding a lot", "medical"),
    ("I want\x00 to kill myself", "suicide"),
    ("I want to kill\u200bmyself", "suicide"),
    ("i wanna kill my self", "suicide"),
    ("Je VEUX MOURIR", "suicide"),
    ("jveu mourrir", "suicide"),
    ("chui pu capable", "self_harm"),
    ("J'PEUX PAS RESPIRER", "medical"),
    ("jpeux pas respirer", "medical"),
    ("im being followed", "danger"),
    ("Î\u0308l rèspïre plùs", "overdose"),
])
def test_case_accents_punctuation_and_texting_forms(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, (text, found)


def test_fold() -> None:
    assert fold("  Ça   ME TUE!!! ") == "ca me tue"
    assert fold("Quelqu’un, m'attaque") == "quelquun mattaque"
    assert fold("cœur") == "coeur"
    assert fold("he has a 🔪!!") == "he has a 🔪"
    assert fold("a\x00b\u200bc") == "a b c"
    assert fold("") == ""


# ---------------------------------------------------------------- messages with more in them

def test_crisis_at_the_end_of_a_long_message_triggers() -> None:
    filler = "I need a place to sleep tonight and some food, where is the drop-in? " * 200
    text = filler[:10_000 - len(" he is not breathing")] + " he is not breathing"
    assert len(text) == 10_000
    found = detect(text)
    assert found is not None and found.kind == "overdose"


def test_crisis_at_the_end_of_a_long_french_message_triggers() -> None:
    text = ("Je cherche un refuge pour ce soir près du marché. " * 250)[:9_980] + " je veux mourir"
    found = detect(text)
    assert found is not None and found.kind == "suicide" and found.language == "fr"


@pytest.mark.parametrize(("text", "kind"), [
    ("killing time before I kill myself", "suicide"),
    ("overdose prevention site hours? my friend is not breathing", "overdose"),
    ("je meurs de faim et je veux mourir", "suicide"),
    ("ça me tue de rire... non en vrai il a un couteau", "danger"),
    ("I'm dying for a coffee lol. Actually I can't breathe", "medical"),
    ("I cut my hair and I keep cutting myself", "self_harm"),
])
def test_benign_words_do_not_hide_a_crisis_in_the_same_message(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, explain(text)


@pytest.mark.parametrize(("text", "kind"), [
    ("I took all my pills to end it and now he's not breathing", "overdose"),
    ("he has a knife and I want to die", "danger"),
    ("I want to die, my chest pain is bad", "medical"),
    ("my boyfriend hits me and I want to kill myself", "suicide"),
    ("I'm 15 and my boyfriend hits me", "domestic_violence"),
    ("they took my passport and I'm 16 and ran away", "trafficking"),
    ("I'm 16, kicked out, and I keep cutting myself", "youth_unsafe"),
    ("j'ai un couteau sous la gorge et il respire plus", "overdose"),
    ("à quoi bon, j'ai 15 ans et j'ai fugué", "youth_unsafe"),
])
def test_most_urgent_kind_wins(text: str, kind: str) -> None:
    found = detect(text)
    assert found is not None and found.kind == kind, explain(text)


def test_kinds_are_in_urgency_order() -> None:
    assert KINDS == ("overdose", "medical", "danger", "suicide", "domestic_violence",
                     "trafficking", "youth_unsafe", "self_harm")


def test_crisis_is_frozen_and_reports_what_matched() -> None:
    found = detect("Help, he's NOT breathing!!")
    assert found == Crisis(kind="overdose", matched="not breathing", language="en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.kind = "medical"  # type: ignore[misc]


def test_explain_lists_every_matching_pattern() -> None:
    hits = explain("he has a knife and I want to die")
    kinds = [kind for kind, *_ in hits]
    assert "danger" in kinds and "suicide" in kinds
    assert all(where.startswith("kinds.") for _, where, _, _ in hits)


@pytest.mark.parametrize(("without_partner", "with_partner"), [
    ("he said he will kill me", "my boyfriend said he will kill me"),
    ("i'm scared he'll kill me", "i'm scared my husband will kill me"),
    ("il va me tuer", "mon chum dit qu'il va me tuer"),
    ("il m'a menacée de mort", "mon ex m'a menacée de mort"),
])
def test_a_threat_is_domestic_violence_only_when_a_partner_is_named(
        without_partner: str, with_partner: str) -> None:
    alone, named = detect(without_partner), detect(with_partner)
    assert alone is not None and alone.kind == "danger", explain(without_partner)
    assert named is not None and named.kind == "domestic_violence", explain(with_partner)


@pytest.mark.parametrize(("minor", "adult"), [
    ("my dad beats me", "my dad beats me and i'm 34"),
    ("mon père me frappe", "mon père me frappe, j'ai 40 ans"),
])
def test_a_parent_hitting_an_adult_is_family_violence_not_a_runaway(minor: str, adult: str) -> None:
    young, grown = detect(minor), detect(adult)
    assert young is not None and young.kind == "youth_unsafe", explain(minor)
    assert grown is not None and grown.kind == "domestic_violence", explain(adult)


@pytest.mark.parametrize("text", [
    "i don't want to live in this world anymore", "je veux plus vivre dans ce monde",
    "i don't want to live in a shelter anymore and i want to die",
    "chu tanné de vivre dans les refuges, je veux mourir",
])
def test_place_exclusions_leave_a_real_wish_to_die(text: str) -> None:
    found = detect(text)
    assert found is not None and found.kind in ("suicide", "self_harm"), explain(text)


# ---------------------------------------------------------------- the data file

def _data() -> dict:
    return copy.deepcopy(yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8")))


def test_shipped_pattern_file_is_valid() -> None:
    patterns = load_patterns()
    assert all(patterns.by_kind[kind] for kind in KINDS)
    assert patterns.exclusions


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["kinds"].__setitem__("overdoze", {"en": {"phrases": ["x"]}}),
     r"kinds\.overdoze: unknown kind 'overdoze'"),
    (lambda d: d["kinds"].pop("trafficking"), "missing kind.*trafficking"),
    (lambda d: d["kinds"]["danger"]["fr"]["regex"].insert(0, "il a (un couteau"),
     r"kinds\.danger\.fr\.regex\[0\].*bad regex"),
    (lambda d: d["kinds"]["danger"]["en"]["regex"].insert(0, "{nobody} has a knife"),
     r"kinds\.danger\.en\.regex\[0\].*unknown macro \{nobody\}"),
    (lambda d: d["kinds"]["overdose"]["fr"]["regex"].insert(0, "lèvres bleues"),
     r"kinds\.overdose\.fr\.regex\[0\].*folded text"),
    (lambda d: d["kinds"]["overdose"]["en"]["regex"].insert(0, "Not Breathing"),
     r"kinds\.overdose\.en\.regex\[0\].*folded text"),
    (lambda d: d["kinds"]["suicide"]["en"]["regex"].insert(0, "(?:kill myself)?"),
     r"kinds\.suicide\.en\.regex\[0\].*matches empty text"),
    (lambda d: d["kinds"]["overdose"]["en"]["emoji"].insert(0, "(?:not breathing )?💊"),
     r"kinds\.overdose\.en\.emoji\[0\].*emoji .* alone"),
    (lambda d: d["kinds"]["overdose"]["en"]["emoji"].insert(0, "not breathing"),
     r"kinds\.overdose\.en\.emoji\[0\].*has no emoji"),
    (lambda d: d["kinds"]["medical"]["en"].__setitem__("words", ["x"]),
     r"kinds\.medical\.en.*unknown entry type"),
    (lambda d: d["kinds"]["medical"].__setitem__("es", {"phrases": ["x"]}),
     r"kinds\.medical.*unknown language"),
    (lambda d: d["kinds"]["medical"]["en"]["phrases"].insert(0, "?!"),
     r"kinds\.medical\.en\.phrases\[0\]"),
    (lambda d: d["exclusions"]["en"]["regex"].insert(0, "dying (for"),
     r"exclusions\.en\.regex\[0\].*bad regex"),
    (lambda d: d["texting"].insert(0, ["wanna"]), r"texting\[0\]"),
    (lambda d: d["texting"].append(["gimme", "wanna"]), r"rewritten again"),
    (lambda d: d.__setitem__("version", 2), "version"),
])
def test_broken_pattern_file_is_refused_naming_the_entry(mutate, message: str) -> None:
    data = _data()
    mutate(data)
    with pytest.raises(PatternFileError, match=message):
        parse_patterns(data, "crisis_patterns.yaml")


def test_unreadable_pattern_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "crisis_patterns.yaml"
    broken.write_text("kinds: [unclosed", encoding="utf-8")
    with pytest.raises(PatternFileError, match="cannot read"):
        load_patterns(broken)


# ---------------------------------------------------------------- independence

def test_safety_imports_no_rasa_and_reads_nothing_at_import() -> None:
    """The safety net must work when Rasa, the database and the action server are down."""
    code = (
        "import sys\n"
        "import safety.crisis, safety.replies, conversation.sms\n"
        "assert safety.crisis.load_patterns.cache_info().currsize == 0, 'read at import'\n"
        "assert safety.replies.load_hotlines.cache_info().currsize == 0, 'read at import'\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rasa', 'rasa_sdk', 'sqlalchemy', 'directory', 'tensorflow', 'spacy'))\n"
        "assert not bad, bad\n"
        "found = safety.crisis.detect('he is not breathing')\n"
        "assert found.kind == 'overdose', found\n"
        "assert '911' in safety.replies.reply(found.kind, 'en')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
