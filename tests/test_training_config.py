"""config.yml holds nothing that trains on nothing.

A policy that learns from stories, when the data has none, is skipped by Rasa with a log
line and still sits in the model; a featuriser whose features no later component reads
costs training time for nothing; a regex featuriser without patterns, a synonym mapper
without synonyms, an entity learner without annotated entities or a response selector
without retrieval intents all train on nothing. Each is dead configuration that hides
what the model really is, so each fails here, against the project's real data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow  # loads the data with Rasa's importer

ROOT = Path(__file__).resolve().parents[1]


def project_data() -> dict[str, Any]:
    """What the project's training data holds, counted as the checks need it."""
    from rasa.shared.core.training_data.structures import RuleStep
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain"), [str(ROOT / "data")])
    steps = importer.get_stories().story_steps
    nlu = importer.get_nlu_data()
    return {"stories": sum(not isinstance(s, RuleStep) for s in steps),
            "rules": sum(isinstance(s, RuleStep) for s in steps),
            "intent_examples": len(nlu.intent_examples),
            "entity_examples": len(nlu.entity_examples),
            "regexes": len(nlu.regex_features) + len(nlu.lookup_tables),
            "synonyms": len(nlu.entity_synonyms),
            "retrieval_intents": len(nlu.retrieval_intents)}


def component_class(name: str) -> type:
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    return DefaultV1Recipe._from_registry(name).clazz


def dead_parts(config: dict[str, Any], data: dict[str, int]) -> list[str]:
    """Why each pipeline component or policy in ``config`` would train on nothing."""
    from rasa.core.policies.policy import Policy, SupportedData
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
    from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
    from rasa.nlu.featurizers.featurizer import Featurizer
    from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
    from rasa.nlu.selectors.response_selector import ResponseSelector
    from rasa.nlu.tokenizers.tokenizer import Tokenizer

    dead = []
    for policy in config.get("policies") or []:
        cls = component_class(policy["name"])
        kind = cls.supported_data() if issubclass(cls, Policy) else None
        if kind == SupportedData.ML_DATA and not data["stories"]:
            dead.append(f"{policy['name']}: learns from stories, and the data has none")
        if kind == SupportedData.RULE_DATA and not data["rules"]:
            dead.append(f"{policy['name']}: learns from rules, and the data has none")
        if kind == SupportedData.ML_AND_RULE_DATA and not data["stories"] + data["rules"]:
            dead.append(f"{policy['name']}: learns from stories and rules; the data has neither")

    pipeline = config.get("pipeline") or []
    classes = [component_class(c["name"]) for c in pipeline]
    needed: list[type] = []  # what the components after this one require
    for step, cls in reversed(list(zip(pipeline, classes))):
        name = step["name"]
        if issubclass(cls, (Tokenizer, Featurizer)) and not any(
                issubclass(cls, required) for required in needed):
            dead.append(f"{name}: no later component reads its tokens or features")
        needed.extend(cls.required_components())
        if issubclass(cls, RegexFeaturizer) and not data["regexes"]:
            dead.append(f"{name}: the data has no regexes or lookup tables")
        if issubclass(cls, EntitySynonymMapper) and not data["synonyms"]:
            dead.append(f"{name}: the data has no entity synonyms")
        if issubclass(cls, ResponseSelector) and not data["retrieval_intents"]:
            dead.append(f"{name}: the data has no retrieval intents")
        learns_entities = issubclass(cls, CRFEntityExtractor) or (
            issubclass(cls, DIETClassifier) and step.get("entity_recognition", True))
        if learns_entities and not data["entity_examples"]:
            dead.append(f"{name}: learns entities, and no example is annotated with one")
    return dead


@pytest.fixture(scope="module")
def data() -> dict[str, int]:
    return project_data()


def test_the_training_configuration_trains_nothing_on_nothing(data: dict[str, int]) -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    assert dead_parts(config, data) == []


@pytest.mark.parametrize("part, reason", [
    ({"policies": [{"name": "TEDPolicy"}]}, "learns from stories"),
    ({"policies": [{"name": "MemoizationPolicy"}]}, "learns from stories"),
    ({"pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "CountVectorsFeaturizer"},
                   {"name": "bot.nlu.linear.FoldedTextClassifier"}]},
     "no later component reads"),
    ({"pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "CountVectorsFeaturizer"},
                   {"name": "DIETClassifier"}]}, "learns entities"),
    ({"pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "RegexFeaturizer"},
                   {"name": "DIETClassifier", "entity_recognition": False}]},
     "no regexes or lookup tables"),
    ({"pipeline": [{"name": "EntitySynonymMapper"}]}, "no entity synonyms"),
])
def test_each_kind_of_dead_part_is_named_against_the_real_data(
        data: dict[str, int], part: dict[str, Any], reason: str) -> None:
    found = dead_parts(part, data)
    assert len(found) == 1 and reason in found[0], found


def test_a_featuriser_that_a_classifier_reads_is_not_dead(data: dict[str, int]) -> None:
    config = {"pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "CountVectorsFeaturizer"},
                           {"name": "DIETClassifier", "entity_recognition": False}],
              "policies": [{"name": "RulePolicy"}]}
    assert dead_parts(config, data) == []
