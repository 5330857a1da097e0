"""The trained model's intent is the vote of its classifiers, in both languages.

Loads ``models/waypoint.tar.gz`` (``make test`` trains it) and reads every message
property, not only the ones Rasa outputs, so each DIET's own ranking can be checked
against the intent the pipeline gave.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.nlu.components import VOTES

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "waypoint.tar.gz"


@pytest.fixture(scope="module")
def agent() -> Any:
    assert MODEL.exists(), "no trained model: run `make train` (make test does)"
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def parse(agent: Any, text: str) -> dict[str, Any]:
    from rasa.core.channels.channel import UserMessage

    return asyncio.run(agent.processor.parse_message(UserMessage(text),
                                                     only_output_properties=False))


VOTERS = ("DIETClassifier", "bot.nlu.linear.FoldedTextClassifier")


def vote_weights_in_config() -> list[float]:
    """The weight of each voter: that of the ``IntentVote`` that follows it."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    return [float(config["pipeline"][i + 1].get("weight", 1.0))
            for i, name in enumerate(names) if name in VOTERS
            and names[i + 1] == "bot.nlu.components.IntentVote"]


@pytest.mark.parametrize("text, intent", [
    ("I need a hot meal near Vanier", "find_service"),
    ("j'ai besoin d'une place pour dormir à soir", "find_service"),
    ("merci beaucoup", "thanks"),
    ("c'est ouvert dimanche?", "ask_hours"),
])
def test_the_intent_is_the_weighted_mean_of_every_voters_full_ranking(
        agent: Any, text: str, intent: str) -> None:
    parsed = parse(agent, text)
    votes = parsed[VOTES]
    weights = vote_weights_in_config()
    assert len(weights) >= 2 and [v["weight"] for v in votes] == weights
    # Rasa adds these to every domain; nothing trains them, so no voter ranks them.
    intents = set(agent.domain.intents) - {"restart", "back", "session_start", "nlu_fallback"}
    assert all(set(v["ranking"]) == intents for v in votes)  # every voter ranks every intent
    mean = {name: sum(v["weight"] * v["ranking"][name] for v in votes) / sum(weights)
            for name in intents}
    best = max(mean, key=mean.get)
    assert parsed["intent"]["name"] == best == intent
    assert parsed["intent"]["confidence"] == pytest.approx(mean[best])
