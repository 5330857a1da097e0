"""The canonical taxonomy: exact codes, both languages, slang, validation of the data file."""

from pathlib import Path

import pytest
import yaml

from directory.errors import DataFileError
from directory.taxonomy import CODES, DEFAULT_PATH, get_taxonomy, load, parse


def test_shipped_file_has_exactly_the_canonical_codes_with_both_languages() -> None:
    tax = get_taxonomy()
    assert sorted(tax.by_code) == sorted(CODES)
    for code in CODES:
        cat = tax.get(code)
        assert cat.label["en"] and cat.label["fr"]
        assert cat.synonyms["en"] and cat.synonyms["fr"]
        assert cat.stage in ("safety", "support", "stability")


@pytest.mark.parametrize("text, code", [
    ("narcan", "naloxone"), ("nalox", "naloxone"), ("trousse de naloxone", "naloxone"),
    ("somewhere to crash", "shelter"), ("I need a bed", "shelter"), ("un refuge", "shelter"),
    ("hébergement", "shelter"), ("hebergement", "shelter"),
    ("i'm dopesick", "withdrawal_management"), ("sevrage", "withdrawal_management"),
    ("OW", "income_support"), ("ODSP", "income_support"), ("aide sociale", "income_support"),
    ("j'ai faim", "meals"), ("soup kitchen", "meals"), ("suboxone sans rendez-vous", "raam_clinic"),
    ("douche", "shower"), ("me doucher", "shower"), ("I need a place to stay", "shelter"),
    ("couches pour bébé", "shower"), ("diapers", "shower"),
])
def test_people_s_words_map_to_codes(text: str, code: str) -> None:
    assert code in get_taxonomy().match(text)


def test_diapers_are_not_a_place_to_sleep() -> None:
    """French lemmatisation reads "couches" (diapers) as "coucher" (to sleep)."""
    assert get_taxonomy().match("couches pour bébé") == ["shower"]


def test_typos_are_tolerated_but_noise_is_not() -> None:
    tax = get_taxonomy()
    assert tax.match("naloxon") == ["naloxone"]
    assert tax.match("hebergment") == ["shelter"]
    assert tax.match("qwerty zxcv") == []


def test_parents_let_a_broad_search_offer_the_specific_ones() -> None:
    tax = get_taxonomy()
    assert tax.get("raam_clinic").parent == "addiction_treatment"
    assert {"raam_clinic", "withdrawal_management"} <= set(tax.with_descendants("addiction_treatment"))
    assert tax.with_descendants("shower") == ["shower"]


def test_labels_in_both_languages() -> None:
    tax = get_taxonomy()
    assert tax.label("shelter", "fr") != tax.label("shelter", "en")
    assert tax.label("shelter", "xx") == tax.label("shelter", "en")


def _raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_missing_code_is_rejected_with_its_name(tmp_path: Path) -> None:
    raw = _raw()
    raw["categories"] = [c for c in raw["categories"] if c["code"] != "shower"]
    with pytest.raises(DataFileError, match="shower"):
        parse(raw, tmp_path / "t.yaml")


def test_synonym_under_two_codes_is_rejected(tmp_path: Path) -> None:
    raw = _raw()
    raw["categories"][0]["synonyms"]["en"].append("narcan")
    with pytest.raises(DataFileError, match="narcan"):
        parse(raw, tmp_path / "t.yaml")


def test_missing_french_label_is_rejected(tmp_path: Path) -> None:
    raw = _raw()
    del raw["categories"][3]["label"]["fr"]
    with pytest.raises(DataFileError, match="label needs both"):
        parse(raw, tmp_path / "t.yaml")


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("categories: [unclosed", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot read taxonomy"):
        load(bad)
