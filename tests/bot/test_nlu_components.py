"""The directory entities, the intent vote and the crisis override, in both languages, without a model."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import (
    FUZZY,
    VOTES,
    CrisisOverride,
    DirectoryEntityExtractor,
    IntentVote,
)
from bot.safety import detect


def parse(text: str, intent: str) -> dict[str, Any]:
    """Run the deterministic components over ``text`` as if the classifier said ``intent``."""
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.6})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.6},
                                     {"name": "find_service", "confidence": 0.3}])
    DirectoryEntityExtractor().process([message])
    CrisisOverride().process([message])
    return message.as_dict(only_output_properties=False)


@pytest.mark.parametrize("text, predicted", [
    ("soup kitchen near the bus station", "inform_place"),
    ("soupe populaire près de la gare", "inform_place"),
    ("around lunch", "inform_time"), ("après le souper", "inform_time"),
    ("where can i get a winter coat for free", "find_service"),
    ("besoin d'une place pour moi pis ma fille ce soir", "find_service"),
])
def test_entities_never_change_the_intent(text: str, predicted: str) -> None:
    """The classifier's intent stands; a deterministic intent-entity reconciler was tried and
    removed, since on 1,401 development messages it broke nine intents for two it fixed."""
    out = parse(text, predicted)
    assert out[INTENT] == {"name": predicted, "confidence": 0.6}
    assert any(e["entity"] != "detected_language" for e in out["entities"])


@pytest.mark.parametrize("text", ["later", "talk later"])
def test_a_typo_tolerant_category_has_a_lower_confidence(text: str) -> None:
    out = parse(text, "inform_time")
    assert any(e["entity"] == "service_category" and e["confidence_entity"] == FUZZY
               for e in out["entities"])


@pytest.mark.parametrize("text", ["my friend is overdosing, need narcan near the market",
                                  "mon ami fait une overdose, besoin de narcan au marché"])
def test_crisis_wins_over_any_other_intent(text: str) -> None:
    assert parse(text, "inform_place")[INTENT] == {"name": "crisis_overdose", "confidence": 1.0}


@pytest.mark.parametrize("text, kind", [
    ("i'm going to jump", "suicide"), ("je vais sauter", "suicide"),
    ("i want to cut", "self_harm"), ("je me suis brûlé le bras exprès", "self_harm"),
    ("il me laisse pas sortir de l'appart pis il me fait mal", "domestic_violence"),
    ("je suis enfermée", "trafficking"),
    ("i'm 14 and my mom's boyfriend scares me", "youth_unsafe"),
    ("chu juste un ado pis j'ai nulle part où dormir", "youth_unsafe"),
])
def test_crisis_net_catches_training_phrasings(text: str, kind: str) -> None:
    from bot.safety import detect

    found = detect(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("text", [
    "i'm going to jump in the shower", "je vais sauter le dîner", "i want to cut my hair",
    "i need to cut costs", "my dad scares me sometimes", "je suis enfermé dehors",
    "je suis juste un ado qui cherche une job", "my mom scares me with her driving lol",
])
def test_crisis_net_ignores_look_alikes(text: str) -> None:
    from bot.safety import detect

    assert detect(text) is None


def ranked(text: str, ranking: list[tuple[str, float]]) -> dict[str, Any]:
    """Run the crisis override over ``text`` as if the classifier ranked ``ranking``."""
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    CrisisOverride().process([message])
    return message.as_dict(only_output_properties=False)


@pytest.mark.parametrize("text", [
    "it's bad, really bad", "c'est grave, vraiment grave",
])
def test_crisis_intents_that_together_outweigh_the_threshold_win(text: str) -> None:
    assert detect(text) is None  # the classifier's signal alone
    out = ranked(text, [("nlu_fallback", 0.3), ("crisis_overdose", 0.18),
                        ("crisis_medical", 0.15), ("find_service", 0.12)])
    assert out[INTENT] == {"name": "crisis_overdose", "confidence": 1.0}
    assert out[INTENT_RANKING_KEY][0]["name"] == "crisis_overdose"


@pytest.mark.parametrize("text", ["a bed tonight please", "un lit pour ce soir svp"])
def test_a_little_crisis_confidence_is_not_a_crisis(text: str) -> None:
    out = ranked(text, [("find_service", 0.8), ("crisis_youth_unsafe", 0.1),
                        ("crisis_medical", 0.05)])
    assert out[INTENT]["name"] == "find_service"


def test_the_threshold_is_configurable() -> None:
    ranking = [{"name": "goodbye", "confidence": 0.6}, {"name": "crisis_suicide", "confidence": 0.2}]
    assert CrisisOverride(crisis_mass=0.2).crisis_by_mass(ranking[0], ranking) == "crisis_suicide"
    assert CrisisOverride(crisis_mass=0.3).crisis_by_mass(ranking[0], ranking) is None


@pytest.mark.parametrize("text, classifier, expected", [
    ("my ex is going to hurt me", "crisis_domestic_violence", "crisis_domestic_violence"),
    ("mon ex va me faire mal", "crisis_domestic_violence", "crisis_domestic_violence"),
    ("j'ai mélangé des pilules pis je reste pas réveillé", "crisis_medical", "crisis_overdose"),
    ("i mixed pills and alcohol and i cant stay awake", "crisis_medical", "crisis_overdose"),
    ("i mixed pills and alcohol and i cant stay awake", "find_service", "crisis_overdose"),
    ("my boyfriend locked me in the apartment", "crisis_domestic_violence",
     "crisis_domestic_violence"),
    ("il m'a enfermée dans la chambre", "crisis_domestic_violence", "crisis_domestic_violence"),
    ("my boyfriend locked me in the apartment", "crisis_suicide", "crisis_trafficking"),
])
def test_the_net_keeps_its_kind_unless_the_classifier_is_as_urgent_and_more_specific(
        text: str, classifier: str, expected: str) -> None:
    found = detect(text)
    assert found is not None
    assert ranked(text, [(classifier, 0.7), ("find_service", 0.2)])[INTENT]["name"] == expected


def vote(message: Message, ranking: list[tuple[str, float]], weight: float = 1.0) -> None:
    """What one classifier then one ``IntentVote`` do to ``message``."""
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    IntentVote(ranking_length=2, weight=weight).process([message])


@pytest.mark.parametrize("text", ["need a shower and food", "besoin d'une douche pis de bouffe"])
def test_the_vote_is_the_mean_of_every_diet_so_far(text: str) -> None:
    message = Message(data={TEXT: text})
    vote(message, [("find_service", 0.5), ("inform_place", 0.4), ("greet", 0.1)])
    assert message.get(INTENT) == {"name": "find_service", "confidence": 0.5}
    vote(message, [("inform_place", 0.9), ("find_service", 0.1)])
    vote(message, [("inform_place", 0.6), ("greet", 0.3), ("find_service", 0.1)])
    # inform_place (0.4 + 0.9 + 0.6) / 3 beats find_service (0.5 + 0.1 + 0.1) / 3; greet
    # is missing from the second ranking, so counts 0 there, and is cut by ranking_length.
    assert message.get(INTENT) == {"name": "inform_place", "confidence": pytest.approx(1.9 / 3)}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["inform_place", "find_service"]
    assert message.get(INTENT_RANKING_KEY)[1]["confidence"] == pytest.approx(0.7 / 3)


@pytest.mark.parametrize("text", ["a bed or a meal, either", "un lit ou un repas, peu importe"])
def test_a_heavier_vote_counts_that_many_times(text: str) -> None:
    message = Message(data={TEXT: text})
    vote(message, [("find_service", 0.8), ("inform_place", 0.2)])
    vote(message, [("inform_place", 0.7), ("find_service", 0.3)], weight=3)
    # Unweighted, find_service would win (0.55 to 0.45); weighted 1 to 3, inform_place
    # (0.2 + 3 * 0.7) / 4 beats find_service (0.8 + 3 * 0.3) / 4.
    assert message.get(INTENT) == {"name": "inform_place", "confidence": pytest.approx(2.3 / 4)}
    assert message.get(INTENT_RANKING_KEY)[1] == {"name": "find_service",
                                                  "confidence": pytest.approx(1.7 / 4)}
    assert [v["weight"] for v in message.get(VOTES)] == [1.0, 3.0]


def test_a_vote_needs_a_positive_weight() -> None:
    with pytest.raises(ValueError, match="positive"):
        IntentVote(weight=0)


def test_a_message_with_nothing_to_classify_is_left_alone() -> None:
    message = Message(data={TEXT: ""})
    message.set(INTENT, {"name": None, "confidence": 0.0})
    message.set(INTENT_RANKING_KEY, [])
    IntentVote().process([message])
    assert message.get(INTENT) == {"name": None, "confidence": 0.0}


def languages(out: dict[str, Any]) -> set[str]:
    return {e["value"] for e in out["entities"] if e["entity"] == "detected_language"}


@pytest.mark.parametrize("text", ["Orléans", "near Côte-de-Sable", "I'm at Place du Portage"])
def test_a_french_place_name_is_not_french(text: str) -> None:
    """An English speaker answering "where are you?" with a French name stays in English."""
    assert "fr" not in languages(parse(text, "inform_place"))


@pytest.mark.parametrize("text", ["jveux mourir", "jme coupe encore"])
def test_the_crisis_net_tells_the_language_of_texting_french(text: str) -> None:
    """The word counts miss "jveux"; the net knows it is French, so the reply is too."""
    out = parse(text, "out_of_scope")
    assert out[INTENT]["name"].startswith("crisis_") and languages(out) == {"fr"}
