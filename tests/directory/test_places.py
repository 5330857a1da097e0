"""Offline place resolution for the Ottawa–Gatineau demo region, in English and French."""

import pytest

from directory.errors import UnknownPlace
from directory.geo import Point, distance_km
from directory.places import get_gazetteer, resolve

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
