"""The directory entities and the crisis override, in both languages, without a model."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import (
    FUZZY,
    CrisisOverride,
    DirectoryEntityExtractor,
)
from safety.crisis import detect


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
    from safety.crisis import detect

    found = detect(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("text", [
    "i'm going to jump in the shower", "je vais sauter le dîner", "i want to cut my hair",
    "i need to cut costs", "my dad scares me sometimes", "je suis enfermé dehors",
    "je suis juste un ado qui cherche une job", "my mom scares me with her driving lol",
])
def test_crisis_net_ignores_look_alikes(text: str) -> None:
    from safety.crisis import detect

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
