"""The folded-text linear classifier trains, saves, loads and ranks, in both languages.

Trained on a small bilingual set through Rasa's own model storage, so the files it
writes and reads are the ones a real model holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear import FoldedTextClassifier, views

EXAMPLES = {
    "find_service": ["i need a bed tonight", "where can i sleep", "any shelter near me",
                     "j'ai besoin d'un hébergement", "où dormir ce soir", "un refuge svp"],
    "thanks": ["thanks", "thank you so much", "cheers", "merci", "merci beaucoup", "c'est gentil"],
    "greet": ["hi", "hello there", "hey", "bonjour", "salut", "allo"],
}


def training_data(examples: dict[str, list[str]]) -> TrainingData:
    return TrainingData([Message(data={TEXT: text, INTENT: intent})
                         for intent, texts in examples.items() for text in texts])


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage: LocalModelStorage, examples: dict[str, list[str]] = EXAMPLES,
            **config: Any) -> FoldedTextClassifier:
    resource = Resource("folded")
    classifier = FoldedTextClassifier.create({**FoldedTextClassifier.get_default_config(),
                                              **config}, storage, resource, context())
    classifier.train(training_data(examples))
    return FoldedTextClassifier.load(config, storage, resource, context())


def classify(classifier: FoldedTextClassifier, text: str) -> Message:
    message = Message(data={TEXT: text})
    classifier.process([message])
    return message


@pytest.mark.parametrize("text, intent", [
    ("need somewhere to sleep tonight", "find_service"), ("thank you", "thanks"),
    ("hello", "greet"), ("HÉBERGEMENT ce soir", "find_service"), ("merci!!", "thanks"),
    ("bonjour", "greet"),
])
def test_a_loaded_model_ranks_every_intent(storage: LocalModelStorage, text: str,
                                           intent: str) -> None:
    message = classify(trained(storage), text)
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT)["name"] == ranking[0]["name"] == intent
    assert {r["name"] for r in ranking} == set(EXAMPLES)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking),
                                                        reverse=True)


@pytest.mark.parametrize("one, other", [
    ("j'ai besoin d'un hébergement", "JAI BESOIN DUN HEBERGEMENT"),
    ("où dormir ce soir", "ou dormir ce soir"),
    ("Thank you so much!", "thank you so much"),
])
def test_accents_case_and_apostrophes_are_folded_away(storage: LocalModelStorage,
                                                      one: str, other: str) -> None:
    classifier = trained(storage)
    assert classify(classifier, one).get(INTENT_RANKING_KEY) == \
        classify(classifier, other).get(INTENT_RANKING_KEY)


def test_loading_gives_the_trained_models_rankings(storage: LocalModelStorage) -> None:
    resource = Resource("folded")
    fresh = FoldedTextClassifier.create(FoldedTextClassifier.get_default_config(), storage,
                                        resource, context())
    fresh.train(training_data(EXAMPLES))
    loaded = FoldedTextClassifier.load({}, storage, resource, context())
    for text in ("un lit pour ce soir", "thanks a lot", "yo"):
        assert classify(loaded, text).get(INTENT_RANKING_KEY) == pytest.approx(
            classify(fresh, text).get(INTENT_RANKING_KEY))


def test_two_intents_still_give_a_two_way_ranking(storage: LocalModelStorage) -> None:
    two = {k: v for k, v in EXAMPLES.items() if k != "greet"}
    message = classify(trained(storage, two), "merci beaucoup")
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["thanks", "find_service"]
    assert sum(r["confidence"] for r in message.get(INTENT_RANKING_KEY)) == pytest.approx(1.0)


@pytest.mark.parametrize("text", ["", "   "])
def test_a_message_with_nothing_to_classify_is_left_alone(storage: LocalModelStorage,
                                                          text: str) -> None:
    message = classify(trained(storage), text)
    assert message.get(INTENT) is None and message.get(INTENT_RANKING_KEY) is None


def test_one_intent_is_not_enough_to_train(storage: LocalModelStorage) -> None:
    classifier = FoldedTextClassifier.create({}, storage, Resource("one"), context())
    with pytest.raises(ValueError, match="at least two intents"):
        classifier.train(training_data({"thanks": ["thanks", "merci"]}))


@pytest.mark.parametrize("text, lemma", [("Les refuges", "le refuge"), ("je dormais", "je dormir"),
                                          ("The showers", "the shower")])
def test_the_lemma_view_reads_each_language_with_its_own_tables(text: str, lemma: str) -> None:

    seen = views([text], ["word", "lemma"])
    assert seen["lemma"] == [lemma] and seen["word"] == [text.lower()]


@pytest.mark.parametrize("text, intent", [("des refuges svp", "find_service"),
                                          ("merci", "thanks"), ("hey there", "greet")])
def test_with_lemmas_a_loaded_model_keeps_its_lemma_vocabulary(storage: LocalModelStorage,
                                                                text: str, intent: str) -> None:
    classifier = trained(storage, lemmas=True)
    assert classifier.kinds == ["word", "char", "lemma"] and "lemma" in classifier.vectorisers
    assert classify(classifier, text).get(INTENT)["name"] == intent


def test_the_nearest_examples_have_a_quarter_of_the_say(tmp_path: Path) -> None:
    (tmp_path / "with").mkdir()
    (tmp_path / "alone").mkdir()
    with_neighbours = trained(LocalModelStorage(tmp_path / "with"), neighbours=3)
    alone = trained(LocalModelStorage(tmp_path / "alone"), neighbours=0)
    for text in ("un refuge pour ce soir", "merci bien", "hey"):
        mixed = {r["name"]: r["confidence"]
                 for r in classify(with_neighbours, text).get(INTENT_RANKING_KEY)}
        plain = {r["name"]: r["confidence"] for r in classify(alone, text).get(INTENT_RANKING_KEY)}
        rows = with_neighbours.features(views([text], with_neighbours.kinds))
        votes = dict(zip(with_neighbours.classes, with_neighbours.neighbour_vote(rows)[0]))
        assert mixed == pytest.approx({n: 0.75 * plain[n] + 0.25 * votes[n] for n in plain})


@pytest.mark.parametrize("text, intent", [("merci beaucoup", "thanks"), ("où dormir ce soir",
                                                                         "find_service")])
def test_a_training_example_is_its_own_nearest_neighbour(storage: LocalModelStorage, text: str,
                                                         intent: str) -> None:
    classifier = trained(storage, neighbours=1)
    rows = classifier.features(views([text], classifier.kinds))
    votes = dict(zip(classifier.classes, classifier.neighbour_vote(rows)[0]))
    assert votes[intent] == pytest.approx(1.0)


@pytest.mark.parametrize("setting, message", [({"neighbours": -1}, "neighbours must be"),
                                              ({"neighbour_weight": 1.5}, "between 0 and 1")])
def test_impossible_neighbour_settings_are_refused(storage: LocalModelStorage,
                                                   setting: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FoldedTextClassifier.create(setting, storage, Resource("bad"), context())
