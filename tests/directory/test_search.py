"""Search over the demo directory, on SQLite and PostgreSQL, in English and French."""

from datetime import datetime

import pytest

from directory.db import session_scope
from directory.errors import UnknownPlace
from directory.geo import Point
from directory.listing import details, hours
from directory.places import resolve
from directory.search import Filters, search
from directory.taxonomy import CODES

TUESDAY_NOON = datetime(2026, 11, 24, 12, 0)
TUESDAY_2AM = datetime(2026, 11, 24, 2, 0)
SUNDAY_3AM = datetime(2026, 11, 29, 3, 0)
CHRISTMAS_NOON = datetime(2026, 12, 25, 12, 0)


@pytest.mark.parametrize("code", CODES)
def test_every_category_is_in_the_demo_data(demo_url: str, code: str) -> None:
    with session_scope(demo_url) as s:
        assert search(s, code, None, TUESDAY_NOON).results


def test_results_are_ranked_open_first_then_nearest(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "meals", "ByWard Market", TUESDAY_NOON, limit=20).results
    states = [r.state.open for r in res]
    assert states == sorted(states, reverse=True), "open results come first"
    for group in (True, False):
        dists = [r.distance_km for r in res if r.state.open is group and r.distance_km is not None]
        assert dists == sorted(dists)


def test_ranking_is_stable(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        first = [r.id for r in search(s, "shelter", "Vanier", TUESDAY_NOON, limit=10).results]
        again = [r.id for r in search(s, "shelter", "Vanier", TUESDAY_NOON, limit=10).results]
    assert first == again


def test_overnight_shelters_are_open_at_2am(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "shelter", "Lowertown", TUESDAY_2AM, Filters(open_now=True), limit=5).results
    assert res and all(r.state.open for r in res)


def test_nothing_open_says_what_opens_next(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        resp = search(s, "income_support", "Centretown", SUNDAY_3AM, Filters(open_now=True))
    assert resp.results == []
    assert resp.opens_next is not None and resp.opens_next.state.next_open is not None
    assert resp.opens_next.state.next_open.date() >= SUNDAY_3AM.date()


def test_holiday_closures_show_in_results(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "income_support", "Centretown", CHRISTMAS_NOON, limit=10).results
    texts = [r.state.text("en") for r in res]
    assert any(t.startswith("closed today (holiday: Christmas Day)") for t in texts), texts
    assert any("Jour de Noël" in r.state.text("fr") for r in res)


def test_temporary_closure_reason_in_both_languages(demo_url: str) -> None:
    found = []
    with session_scope(demo_url) as s:
        for code in CODES:
            found += [r for r in search(s, code, None, TUESDAY_NOON, limit=50).results
                      if r.state.closure is not None]
    flooded = [r for r in found if "flooding" in r.state.text("en")]
    assert flooded, "the demo data has a service closed by flooding"
    assert flooded[0].state.text("fr").startswith("fermé temporairement : inondation")


@pytest.mark.parametrize("filters, check", [
    (Filters(population="women"), lambda r: "women" in r.populations or "all" in r.populations),
    (Filters(population="youth", group_only=True), lambda r: "youth" in r.populations),
    (Filters(walk_in=True), lambda r: r.walk_in),
    (Filters(no_id=True), lambda r: not r.id_required and not r.health_card_required),
    (Filters(free=True), lambda r: r.cost == "free"),
    (Filters(pets=True), lambda r: r.pets),
    (Filters(language="fr"), lambda r: "fr" in r.languages),
])
def test_filters(demo_url: str, filters: Filters, check) -> None:  # type: ignore[no-untyped-def]
    with session_scope(demo_url) as s:
        res = [r for code in ("shelter", "meals", "primary_care")
               for r in search(s, code, "Centretown", TUESDAY_NOON, filters, limit=10).results]
    assert res and all(check(r) for r in res)


def test_confidential_shelters_never_show_address_or_coordinates(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "shelter", "Centretown", TUESDAY_NOON, Filters(population="women"), limit=30).results
    safe = [r for r in res if r.confidential]
    assert safe, "the demo data has confidential shelters"
    for r in safe:
        j = r.to_json("en")
        assert j["address"] is None and j["lat"] is None and j["lon"] is None
        assert j["distance_km"] is None and j["area"] and r.phone
        assert "phone only" in r.where("en") and "téléphone" in r.where("fr")


def test_the_confidential_filter_keeps_only_undisclosed_shelters(demo_url: str) -> None:
    """What a person who named partner violence is offered: the violence shelters."""
    with session_scope(demo_url) as s:
        res = search(s, "shelter", "Centretown", TUESDAY_NOON, Filters(confidential=True),
                     limit=10).results
    assert len(res) == 3 and all(r.confidential and r.address is None for r in res)


def test_coordinates_are_used_as_given(demo_url: str) -> None:
    market = resolve("ByWard Market").point
    with session_scope(demo_url) as s:
        by_point = search(s, "meals", Point(market.lat, market.lon), TUESDAY_NOON).results
        by_name = search(s, "meals", "ByWard Market", TUESDAY_NOON).results
    assert [r.id for r in by_point] == [r.id for r in by_name]


def test_unknown_place_is_an_error_not_a_guess(demo_url: str) -> None:
    with session_scope(demo_url) as s, pytest.raises(UnknownPlace):
        search(s, "meals", "Springfield", TUESDAY_NOON)


def test_region_wide_results_have_no_distance(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "shelter", None, TUESDAY_NOON).results
    assert res and all(r.distance_km is None for r in res)


def test_outreach_only_lists_teams_that_cover_the_place(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        downtown = search(s, "outreach", "ByWard Market", TUESDAY_NOON, limit=20).results
        far = search(s, "outreach", Point(45.20, -76.20), TUESDAY_NOON, limit=20).results
    assert downtown and all(r.coverage_km is None or r.distance_km <= r.coverage_km for r in downtown)
    assert len(far) < len(downtown)


def test_addiction_treatment_also_offers_raam_clinics(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "addiction_treatment", "Centretown", TUESDAY_NOON, limit=50).results
    assert any("raam_clinic" in r.categories for r in res)


def test_more_results_do_not_repeat(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        page1 = [r.id for r in search(s, "meals", "Sandy Hill", TUESDAY_NOON, limit=3).results]
        page2 = [r.id for r in search(s, "meals", "Sandy Hill", TUESDAY_NOON, limit=3, offset=3).results]
    assert len(page2) == 3 and not set(page1) & set(page2)


def test_every_listing_says_when_it_was_verified(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        res = search(s, "shelter", "Hull", TUESDAY_NOON, limit=10).results
    assert all(r.last_verified_at is not None for r in res)
    assert res[0].verified("en").startswith("verified ") and res[0].verified("fr").startswith("vérifié le ")


def test_french_names_and_states(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        [first] = search(s, "meals", "Vieux-Hull", TUESDAY_NOON, limit=1).results
    assert first.title("fr") != first.title("en")
    assert first.state.text("fr").split()[0] in ("ouvert", "fermé", "ouvre", "fermé,")


def test_details_and_hours_for_the_conversation_layer(demo_url: str) -> None:
    with session_scope(demo_url) as s:
        [hit] = search(s, "meals", "Lowertown", TUESDAY_NOON, limit=1).results
        listing = details(s, hit.id, TUESDAY_NOON)
        week = hours(s, hit.id, TUESDAY_NOON, "fr")
    assert listing.id == hit.id and listing.state.open == hit.state.open
    assert [d for d, _ in week.week] == ["lundi", "mardi", "mercredi", "jeudi", "vendredi",
                                         "samedi", "dimanche"]
