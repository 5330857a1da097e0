"""The intent-entity reconciler and the crisis override, in both languages, without a model."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import (
    FUZZY,
    CrisisOverride,
    DirectoryEntityExtractor,
    IntentEntityReconciler,
)
from bot.safety import detect


def parse(text: str, intent: str) -> dict[str, Any]:
    """Run the deterministic components over ``text`` as if the classifier said ``intent``."""
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.6})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.6},
                                     {"name": "find_service", "confidence": 0.3}])
    DirectoryEntityExtractor().process([message])
    IntentEntityReconciler().process([message])
    CrisisOverride().process([message])
    return message.as_dict(only_output_properties=False)


@pytest.mark.parametrize("text, predicted", [
    ("soup kitchen near the bus station", "inform_place"),
    ("soupe populaire près de la gare", "inform_place"),
    ("hot meal tonight", "inform_time"),
    ("un repas ce soir", "inform_time"),
    ("halfway house", "nlu_fallback"),
    ("maison de transition", "nlu_fallback"),
    ("free shower", "set_filter"),
    ("douche gratuite", "set_filter"),
])
def test_a_named_service_is_a_request(text: str, predicted: str) -> None:
    out = parse(text, predicted)
    assert out[INTENT] == {"name": "find_service", "confidence": 1.0}
    assert out[INTENT_RANKING_KEY][0]["name"] == "find_service"
    assert [r["name"] for r in out[INTENT_RANKING_KEY]].count("find_service") == 1


@pytest.mark.parametrize("text, expected", [
    ("Sandy Hill", "inform_place"), ("à la Côte-de-Sable", "inform_place"),
    ("in Vanier tonight", "inform_place"), ("dans Vanier ce soir", "inform_place"),
    ("tonight", "inform_time"), ("ce soir", "inform_time"),
    ("women only", "set_filter"), ("pour femmes seulement", "set_filter"),
])
def test_a_bare_answer_is_not_a_request(text: str, expected: str) -> None:
    assert parse(text, "find_service")[INTENT]["name"] == expected


@pytest.mark.parametrize("text, predicted", [
    ("for men", "nlu_fallback"), ("pour hommes", "nlu_fallback"),
    ("women only", "inform_time"), ("j'ai un chien", "more_results"),
])
def test_a_bare_filter_is_a_filter(text: str, predicted: str) -> None:
    assert parse(text, predicted)[INTENT]["name"] == "set_filter"


@pytest.mark.parametrize("text, predicted", [
    ("can i chat with a real person", "talk_to_person"),  # "chat" is also a French pet
    ("ça marche", "nlu_fallback"),                        # resolves to the Market; not trusted
    ("not now", "deny"), ("pas maintenant", "deny"),
    ("when does the soup kitchen open", "ask_hours"),
    ("à quelle heure ouvre la soupe populaire", "ask_hours"),
    ("how does this work", "help"),             # "work" is an employment phrase
    ("that works", "affirm"),
    ("need a bed in Vanier", "find_service"),
    ("un lit dans Vanier", "find_service"),
    ("nede a shleter in lowertown", "find_service"),  # a typo-tolerant category still counts
])
def test_agreeing_intents_are_left_alone(text: str, predicted: str) -> None:
    out = parse(text, predicted)
    assert out[INTENT] == {"name": predicted, "confidence": 0.6}


@pytest.mark.parametrize("text", ["later", "talk later"])
def test_a_typo_tolerant_category_alone_never_makes_a_request(text: str) -> None:
    out = parse(text, "inform_time")
    assert any(e["entity"] == "service_category" and e["confidence_entity"] == FUZZY
               for e in out["entities"])
    assert out[INTENT]["name"] == "inform_time"


@pytest.mark.parametrize("text", ["my friend is overdosing, need narcan near the market",
                                  "mon ami fait une overdose, besoin de narcan au marché"])
def test_crisis_wins_over_the_reconciler(text: str) -> None:
    assert parse(text, "inform_place")[INTENT] == {"name": "crisis_overdose", "confidence": 1.0}


@pytest.mark.parametrize("intent", ["crisis_overdose", "crisis_suicide", "crisis_youth_unsafe"])
def test_crisis_intents_are_never_reconciled(intent: str) -> None:
    entities = [{"entity": "service_category", "value": "shelter", "confidence_entity": 1.0},
                {"entity": "place", "value": "Vanier", "confidence_entity": 1.0}]
    assert IntentEntityReconciler.reconcile(intent, entities) is None
    assert IntentEntityReconciler.reconcile(intent, entities[1:]) is None


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
