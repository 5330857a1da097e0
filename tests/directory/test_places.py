"""Offline place resolution for the Ottawa–Gatineau demo region, in English and French."""

from pathlib import Path

import pytest
import yaml

from directory.errors import DataFileError, UnknownPlace
from directory.geo import Point, distance_km
from directory.places import DEFAULT_PATH, get_gazetteer, parse, resolve

REQUIRED_NEIGHBOURHOODS = [
    "ByWard Market", "Marché By", "Lowertown", "Basse-Ville", "Sandy Hill", "Côte-de-Sable",
    "Centretown", "Centre-ville", "Chinatown", "Little Italy", "Hintonburg", "Mechanicsville",
    "Westboro", "Vanier", "Overbrook", "Alta Vista", "Old Ottawa South", "Glebe", "New Edinburgh",
    "Hull", "Vieux-Hull", "Gatineau", "Aylmer", "Orléans", "Kanata", "Barrhaven", "Bayshore",
    "Carlington",
]


@pytest.mark.parametrize("name", REQUIRED_NEIGHBOURHOODS)
def test_every_required_neighbourhood_resolves_in_the_region(name: str) -> None:
    place = resolve(name)
    assert distance_km(place.point, Point(45.4215, -75.6972)) < 40


@pytest.mark.parametrize("text, place_id_part", [
    ("near the market", "market"),
    ("a vanier", "vanier"),
    ("à Vanier", "vanier"),
    ("cote de sable", "sandy"),
    ("COTE-DE-SABLE", "sandy"),
    ("je suis dans la basse ville", "lower"),
    ("im in sandy hil", "sandy"),
    ("orleans", "orl"),
    ("vieux hull", "hull"),
])
def test_fuzzy_accent_free_text_in_both_languages(text: str, place_id_part: str) -> None:
    assert place_id_part in resolve(text).id


@pytest.mark.parametrize("text, streets", [
    ("Rideau & Dalhousie", {"rideau", "dalhousie"}),
    ("Rideau and King Edward", {"rideau", "king"}),
    ("bank and somerset", {"bank", "somerset"}),
    ("coin Bank et Somerset", {"bank", "somerset"}),
    ("Murray pis King Edward", {"murray", "king"}),
    ("bank n gladstone", {"bank", "gladstone"}),
])
def test_intersections(text: str, streets: set[str]) -> None:
    place = resolve(text)
    assert place.kind == "intersection"
    assert all(any(s in street for street in place.streets) for s in streets)


def test_intersection_is_near_both_streets_centre() -> None:
    a, b = resolve("Rideau & Dalhousie"), resolve("Rideau and King Edward")
    assert 0.3 < distance_km(a.point, b.point) < 2


@pytest.mark.parametrize("text", ["K1N", "k1n 5m3", "J8X"])
def test_postal_prefixes(text: str) -> None:
    place = resolve(text)
    assert place.kind == "fsa" and place.id == text.split()[0].lower()


@pytest.mark.parametrize("text", ["Rideau Centre", "centre rideau", "the bus station", "Parliament",
                                  "parlement"])
def test_landmarks(text: str) -> None:
    assert resolve(text).kind == "landmark"


@pytest.mark.parametrize("text", ["Timbuktu", "zzzz", "", "   ", "Bank & Nowhere", "K9Z"])
def test_unknown_place_is_said_never_guessed(text: str) -> None:
    with pytest.raises(UnknownPlace, match="I don't know that place"):
        resolve(text)


def test_names_in_both_languages() -> None:
    place = resolve("sandy hill")
    assert place.display("en") == "Sandy Hill" and place.display("fr") == "Côte-de-Sable"


def test_nearest_area_names_a_neighbourhood() -> None:
    market = resolve("ByWard Market").point
    assert get_gazetteer().nearest(Point(market.lat + 0.001, market.lon)).kind == "neighbourhood"


def test_shared_location_resolves_to_that_point_named_after_its_area() -> None:
    place = resolve("45.423,-75.690")
    assert place.point == Point(45.423, -75.69)
    assert place.display("en") == "near ByWard Market"
    assert place.display("fr") == "près de Marché By"


@pytest.mark.parametrize("text", ["48.0,-75.0", "95,1", "45.4,-75.6x", "0,0"])
def test_locations_outside_the_region_or_malformed_are_unknown(text: str) -> None:
    with pytest.raises(UnknownPlace):
        resolve(text)


def test_crossing_of_two_streets_by_id() -> None:
    gazetteer = get_gazetteer()
    corner = gazetteer.crossing("king_edward_ave", "rideau_st")
    assert corner is not None and corner.id == "rideau_king_edward"
    assert gazetteer.crossing("rideau_st", "bank_st") is None


def test_aliases_are_folded_and_name_their_place() -> None:
    aliases = get_gazetteer().aliases()
    assert aliases["td place"] == "lansdowne_park" and aliases["cote de sable"] == "sandy_hill"


@pytest.mark.parametrize("text", ["got no place tonight", "I need a place to stay", "any place is fine",
                                  "pas de place ou dormir"])
def test_a_typo_never_swaps_a_whole_short_word(text: str) -> None:
    """"place to" is one edit from Lansdowne's "place td", "no place" two from "td place"."""
    with pytest.raises(UnknownPlace):
        resolve(text)


@pytest.mark.parametrize("text, place_id", [("lansdown park", "lansdowne_park"),
                                            ("bayshor", "bayshore"), ("vieux hul", "vieux_hull")])
def test_typos_inside_words_are_still_tolerated(text: str, place_id: str) -> None:
    assert resolve(text).id == place_id


@pytest.mark.parametrize("text", ["Ottawa", "ottawa on", "city of Ottawa", "Ottawa-Gatineau",
                                  "la région de la capitale nationale"])
def test_the_region_as_a_whole_is_no_place(text: str) -> None:
    """Searched region-wide, not near the University of Ottawa one typo away."""
    with pytest.raises(UnknownPlace):
        resolve(text)


def test_ottawa_downtown_is_downtown() -> None:
    assert resolve("ottawa downtown").id == "downtown_core"


def test_region_alias_naming_a_place_is_rejected(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["region"]["aliases"].append("Vanier")
    with pytest.raises(DataFileError, match="vanier"):
        parse(raw, tmp_path / "g.yaml")
