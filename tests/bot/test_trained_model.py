"""The trained model reads intents and entities as the pipeline says, in both languages.

Loads ``models/waypoint.tar.gz`` (``make test`` trains it). The NLU's quality is measured
by ``bench.nlu``; this checks the wiring: the folded-text classifier ranks every intent
the domain trains, accents and case do not change its verdict, and the directory's
entities come with it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "waypoint.tar.gz"

pytestmark = pytest.mark.model  # needs models/waypoint.tar.gz


@pytest.fixture(scope="module")
def agent() -> Any:
    assert MODEL.exists(), "no trained model: run `make train` (make test does)"
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def parse(agent: Any, text: str) -> dict[str, Any]:
    return asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("text, intent, category", [
    ("I need a hot meal near Vanier", "find_service", "meals"),
    ("j'ai besoin d'une place pour dormir à soir", "find_service", "shelter"),
    ("merci beaucoup", "thanks", None),
    ("thanks a lot", "thanks", None),
    ("c'est ouvert dimanche?", "ask_hours", None),
    ("when do they open on sunday?", "ask_hours", None),
])
def test_intents_and_categories_in_both_languages(agent: Any, text: str, intent: str,
                                                  category: str | None) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == intent
    if category:
        assert {"entity": "service_category", "value": category} in [
            {"entity": e["entity"], "value": e["value"]} for e in parsed["entities"]]


def test_every_trained_intent_is_ranked(agent: Any) -> None:
    # Rasa adds these to every domain; nothing trains them.
    intents = set(agent.domain.intents) - {"restart", "back", "session_start", "nlu_fallback"}
    ranking = parse(agent, "where can I get a shower")["intent_ranking"]
    assert intents <= {r["name"] for r in ranking}
    assert sum(r["confidence"] for r in ranking if r["name"] in intents) == pytest.approx(1.0)


@pytest.mark.parametrize("plain, marked", [
    ("jai besoin dun hebergement ce soir", "J'ai besoin d'un HÉBERGEMENT ce soir"),
    ("ou est ce que je peux manger", "Où est-ce que je peux MANGER?"),
])
def test_accents_and_case_do_not_change_the_verdict(agent: Any, plain: str, marked: str) -> None:
    a, b = parse(agent, plain)["intent"], parse(agent, marked)["intent"]
    assert a["name"] == b["name"] == "find_service"
