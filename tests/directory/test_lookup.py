"""Finding a service named in a person's words, over the demo directory, in English and French."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from directory.db import session_scope
from directory.lookup import distinctive, find_by_name
from directory.models import Service


def named(url: str, text: str) -> str | None:
    """The English name of the service ``text`` is taken to name, if any."""
    with session_scope(url) as s:
        found = find_by_name(s, text)
        return None if found is None else s.scalar(select(Service.name).where(Service.id == found))


@pytest.mark.parametrize("text", [
    # The audit's messages: words about time or rank, found in service names.
    "does it open at night?",
    "when does it open tomorrow morning",
    "is it open late",
    "when does the second one open",
    "c'est quoi les heures du deuxième",
    # More of the same, naming nothing.
    "c'est ouvert dimanche?",
    "ça ouvre à quelle heure ce soir",
    "is it open 24 hours",
    "what are their hours on saturday",
    "when do they open",
    "",
])
def test_time_and_question_words_name_no_service(demo_url: str, text: str) -> None:
    assert named(demo_url, text) is None


@pytest.mark.parametrize("text, name", [
    ("when does the soup kitchen on Murray open", "Harbour House Community Meals"),
    ("when does the night shelter on Murray open", "Harbour House Night Shelter"),
    ("what time does that drop-in on Rideau open tomorrow", "Side by Side Peer Drop-In"),
    ("is the shelter on cathcart open tonight", "Cathcart Mission Emergency Shelter"),
    ("when does harbour house night shelter open", "Harbour House Night Shelter"),
    ("when is the cobourg foot care clinic open", "Cobourg Foot Care Clinic"),
    ("when does second wind drug checking open", "Second Wind Drug Checking"),
    ("hours for the juniper house support line", "Juniper House 24-Hour Support Line"),
    ("harbor house showers", "Harbour House Showers and Laundry"),  # a typo
])
def test_english_names_and_streets(demo_url: str, text: str, name: str) -> None:
    assert named(demo_url, text) == name


@pytest.mark.parametrize("text, name", [
    ("le refuge sur la rue Murray ouvre quand?", "Harbour House Night Shelter"),
    ("la soupe populaire sur Murray ouvre à quelle heure", "Harbour House Community Meals"),
    ("la clinique de soins des pieds Cobourg ouvre quand?", "Cobourg Foot Care Clinic"),
    ("c'est quoi les heures de la ligne de soutien Maison Genevrier", "Juniper House 24-Hour Support Line"),
    ("HALTE-ACCUEIL JEUNESSE PRISME c'est ouvert demain?", "Prism Youth Drop-In"),
])
def test_french_names_and_streets_accents_and_case_aside(demo_url: str, text: str, name: str) -> None:
    assert named(demo_url, text) == name


@pytest.mark.parametrize("text", [
    "when does Harbour House open",  # five services
    "Second Wind hours",  # six services
    "is the supervised consumption site open",  # two services
    "community meals hours",  # Harbour House and Sidewalk Inn
    "youth drop in hours",  # Northstar and Prism
    "when does stillwater open",
])
def test_a_name_shared_by_several_services_is_no_answer(demo_url: str, text: str) -> None:
    assert named(demo_url, text) is None


def test_a_street_the_service_is_not_on_rules_it_out(demo_url: str) -> None:
    assert named(demo_url, "the foot care clinic on Rideau") is None
    assert named(demo_url, "the foot care clinic on Cobourg") == "Cobourg Foot Care Clinic"


def test_one_word_or_a_street_alone_is_not_a_name(demo_url: str) -> None:
    assert named(demo_url, "is the kitchen open") is None
    assert named(demo_url, "anything on Murray") is None


def test_safe_shelters_are_never_found_by_name(demo_url: str) -> None:
    assert named(demo_url, "Juniper House Shelter hours") is None


def test_distinctive_words_leave_out_time_rank_and_filler() -> None:
    assert distinctive("When does the 2nd one open tomorrow night?") == []
    assert distinctive("Le refuge de nuit ouvre à quelle heure, dimanche?") == ["refuge"]
    assert distinctive("Queen Mary Shower and Laundry Mornings") == ["queen", "mary", "shower",
                                                                    "laundry"]
