"""Rasa graph components: directory entities, detected language, and the crisis net.

``DirectoryEntityExtractor`` adds ``service_category`` (canonical codes),
``place`` (the resolved gazetteer name), ``time``, ``filter`` and
``detected_language``. ``CrisisOverride`` runs after the intent classifier and
forces the crisis intent whenever the keyword net in ``bot.safety`` fires, so
detection never rests on the classifier alone.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import language


def _entity(name: str, value: str, start: int, end: int, extractor: str) -> Dict[Text, Any]:
    return {"entity": name, "value": value, "start": start, "end": end,
            "confidence_entity": 1.0, "extractor": extractor}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class DirectoryEntityExtractor(GraphComponent):
    """Entities from the directory's taxonomy, filters, gazetteer and time words."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DirectoryEntityExtractor":
        from bot.nlu.matching import get_matcher

        get_matcher()  # build the spaCy matcher when the model loads, not on the first message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.nlu.matching import get_matcher

        for message in messages:
            text = message.get(TEXT) or ""
            found = [_entity(f.entity, f.value, f.start, f.end, type(self).__name__)
                     for f in get_matcher().find(text[:2000])]
            lang = language.detect(text[:2000])
            if lang:
                found.append(_entity("detected_language", lang, 0, len(text), type(self).__name__))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisOverride(GraphComponent):
    """Forces ``crisis_<kind>`` at confidence 1.0 when the keyword net detects a crisis."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisOverride":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        from bot.safety import detect

        for message in messages:
            crisis = detect(message.get(TEXT) or "")
            if crisis is None:
                continue
            intent = {"name": f"crisis_{crisis.kind}", "confidence": 1.0}
            ranking: Optional[List[Dict[Text, Any]]] = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY,
                        [intent] + [r for r in ranking if r.get("name") != intent["name"]],
                        add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
