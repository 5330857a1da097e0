"""Directory entities found by the phrase matcher, in English and French, without a trained model."""

from __future__ import annotations

import pytest

from bot.nlu.matching import get_matcher

CORNER = "Rideau St and King Edward Ave"


def places(text: str) -> list[str]:
    return [f.value for f in get_matcher().find(text) if f.entity == "place"]


def needs(text: str, exact_only: bool = False) -> list[str]:
    return [f.value for f in get_matcher().find(text)
            if f.entity == "service_category" and (f.exact or not exact_only)]


@pytest.mark.parametrize("text, need", [
    ("got no place tonight", "shelter"),
    ("I need a place to stay", "shelter"),
    ("i have no place to go tonight", "shelter"),
    ("any place is fine", None),
    ("that place is closed already", None),
    ("pas de place où dormir", "shelter"),
    ("j'ai pas de place où rester ce soir", "shelter"),
    ("y'a-tu de la place dans un refuge", "shelter"),
    ("peu importe la place", None),
    ("comment ça marche", None),
])
def test_a_need_said_as_a_lack_names_no_place(text: str, need: str | None) -> None:
    """"no place tonight" is one edit-budget away from Lansdowne's "td place": it is a need."""
    assert places(text) == []
    if need:
        assert need in needs(text, exact_only=True)
    else:
        assert "shelter" not in needs(text)


@pytest.mark.parametrize("text, place", [
    ("Rideau and King Edward", CORNER),
    ("need food at Rideau and King Edward", CORNER),
    ("bed at Rideau and King Edward", CORNER),
    ("corner of rideau & king edward", CORNER),
    ("need a bed at murray and king edward", "Murray St and King Edward Ave"),
    ("coin Rideau et King Edward", CORNER),
    ("un lit au coin de Rideau et Dalhousie", "Rideau St and Dalhousie St"),
    ("jsuis au coin de Murray pis King Edward", "Murray St and King Edward Ave"),
    ("overdose happening at rideau and dalhousie send help", "Rideau St and Dalhousie St"),
    ("near the mcdonalds on Rideau", "Rideau St"),
    ("food bank in Orleans", "Orléans"),
    ("ottawa downtown", "Downtown Ottawa (core)"),
    ("shelter for men downtown", "Downtown Ottawa (core)"),
    ("soup kitchen near the bus station", "Ottawa Bus Station (265 Catherine St)"),
    ("soupe populaire près de la gare", "Ottawa Train Station (VIA Rail)"),
    ("besoin de narcan au marché", "ByWard Market"),
    ("chu rendu à la station Hurdman", "Hurdman Station"),
    ("chu à Gatineau, secteur Hull", "Hull"),
])
def test_the_longest_place_phrase_in_a_message_wins(text: str, place: str) -> None:
    assert places(text) == [place]


@pytest.mark.parametrize("text, place", [
    ("vanier", "Vanier"), ("à Vanier", "Vanier"), ("cote de sable", "Sandy Hill"),
    ("Côte-de-Sable", "Sandy Hill"), ("K1N", "K1N"), ("k1n 5m3", "K1N"), ("K1N5M3", "K1N"),
    ("45.43,-75.69", "near ByWard Market"), ("chu à Hull", "Hull"), ("near the market", "ByWard Market"),
    ("proche du marché", "ByWard Market"),
    # typos, read by the gazetteer's typo-tolerant resolver
    ("im in sandy hil", "Sandy Hill"), ("sandy hil", "Sandy Hill"), ("hintonbrg", "Hintonburg"),
    ("je suis dans la basse vile", "Lowertown"),
])
def test_short_place_answers_resolve_accent_free_and_typo_tolerant(text: str, place: str) -> None:
    assert places(text) == [place]


@pytest.mark.parametrize("text", [
    "Ottawa", "shelter in ottawa", "un refuge à Ottawa", "anywhere in ottawa is fine",
    "ottawa or gatineau doesnt matter", "n'importe où à Ottawa ou Gatineau",
])
def test_the_city_as_a_whole_names_no_place(text: str) -> None:
    """No city entry: a search stays region-wide, never near the University of Ottawa."""
    assert places(text) == []


@pytest.mark.parametrize("text", ["rideau and bank", "need a food bank",
                                  "what are the hours for the food bank"])
def test_no_street_is_guessed(text: str) -> None:
    """Streets that do not cross in the gazetteer, or a word inside a need, are no place."""
    assert places(text) == []


@pytest.mark.parametrize("text, need", [
    ("need food at Rideau and King Edward", "meals"),
    ("bed at Rideau and King Edward", "shelter"),
    ("soupes populaires", "meals"), ("banques alimentaires", "meals"),
    ("hébergements", "shelter"), ("hebergements", "shelter"), ("refuges", "shelter"),
    ("lits disponibles", "shelter"), ("centres de jour", "drop_in"),
    ("trousses de naloxone", "naloxone"), ("seringues neuves", "harm_reduction"),
    ("cliniques sans rendez-vous", "primary_care"),
    ("je veux me doucher", "shower"), ("on peut se doucher où", "shower"), ("douches", "shower"),
    ("showers", "shower"), ("beds", "shelter"), ("free meals", "meals"), ("food banks", "meals"),
    ("somewhere to crash", "shelter"), ("j'ai faim", "meals"),
    ("suboxone sans rendez-vous", "raam_clinic"),
])
def test_needs_are_found_in_plural_and_inflected_forms(text: str, need: str) -> None:
    assert need in needs(text, exact_only=True)


@pytest.mark.parametrize("text", ["couches pour bébé", "des couches pour mon bébé", "diapers for my baby"])
def test_diapers_are_hygiene_supplies_not_a_bed(text: str) -> None:
    """The French lookup lemmatiser reads "couches" as the verb "coucher" (to sleep)."""
    assert needs(text) == ["shower"]


@pytest.mark.parametrize("text, need, kept", [
    ("refuges pour femmes", "shelter", "women"), ("shelters for women", "shelter", "women"),
    ("cliniques sans rendez-vous", "primary_care", "walk_in"),
])
def test_filters_are_kept_beside_the_need(text: str, need: str, kept: str) -> None:
    found = {(f.entity, f.value) for f in get_matcher().find(text)}
    assert found == {("service_category", need), ("filter", kept)}


def test_need_place_and_time_together() -> None:
    found = {(f.entity, f.value) for f in get_matcher().find("need a place to crash tonight near the market")}
    assert found == {("service_category", "shelter"), ("place", "ByWard Market"), ("time", "tonight")}


@pytest.mark.parametrize("text", ["je suis à la rue et j'ai faim", "mon chum m'a mis a la rue",
                                  "got kicked out tonight, need a shower"])
def test_being_put_out_tonight_is_a_shelter_need(text: str) -> None:
    """So shelter is answered first, whatever else the message asks for."""
    assert "shelter" in needs(text, exact_only=True)
