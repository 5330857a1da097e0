"""Rasa graph components: directory entities, detected language, and the crisis net.

``DirectoryEntityExtractor`` adds ``service_category`` (canonical codes), ``place`` (the
resolved gazetteer name), ``time``, ``filter`` and ``detected_language``.
``CrisisOverride`` runs last and forces the crisis intent whenever the keyword net in
``safety.crisis`` fires, so detection never rests on the classifier alone, or when the
classifier's crisis intents together outweigh a low threshold.
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

from conversation import language

# A category found only by the directory's typo-tolerant fallback ("later" ~ "laver") is
# less certain than a taxonomy phrase, and its entity confidence says so.
EXACT, FUZZY = 1.0, 0.8


def _entity(name: str, value: str, start: int, end: int, extractor: str,
            confidence: float = EXACT) -> Dict[Text, Any]:
    return {"entity": name, "value": value, "start": start, "end": end,
            "confidence_entity": confidence, "extractor": extractor}


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
            matches = get_matcher().find(text[:2000])
            found = [_entity(f.entity, f.value, f.start, f.end, type(self).__name__,
                             EXACT if f.exact else FUZZY) for f in matches]
            # A place name says nothing of the writer's language: "Orléans" is an
            # English speaker's answer too.
            words = text[:2000]
            for f in matches:
                if f.entity == "place":
                    words = words[:f.start] + " " * (f.end - f.start) + words[f.end:]
            lang = language.detect(words)
            if lang:
                found.append(_entity("detected_language", lang, 0, len(text), type(self).__name__))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _set_intent(message: Message, name: str) -> None:
    """Make ``name`` the intent at confidence 1.0 and put it first in the ranking."""
    intent = {"name": name, "confidence": 1.0}
    ranking: List[Dict[Text, Any]] = message.get(INTENT_RANKING_KEY) or []
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + [r for r in ranking if r.get("name") != name],
                add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisOverride(GraphComponent):
    """Forces ``crisis_<kind>`` at confidence 1.0 when a crisis is detected.

    Two signals, either one enough:

    * the keyword net in ``safety.crisis`` fires (it never rests on the classifier),
      whose kind is kept unless the classifier chose an equally urgent, more
      specific one (:attr:`SPECIFIC`);
    * the classifier's crisis intents *together* carry at least ``crisis_mass``
      of the confidence, even though none of them came first. A message such as
      "i mixed pills and alcohol and i cant stay awake" spreads its confidence over
      overdose, medical and suicide, so each alone loses to ``nlu_fallback``; the
      sum says "crisis". The top crisis intent in the ranking is then chosen.

    Missing a crisis costs far more than a needless 911 line, so the mass
    threshold is low (0.3, chosen on a development split, now the training examples
    whose source is ``from_dev``).
    """

    # (kind the net found, kind the classifier chose) where the classifier's kind is
    # taken: its reply is as urgent and more specific. A partner's threat matches the
    # net's "danger" words, but the domestic-violence reply (911 first, then the
    # helplines and confidential shelters) fits it better. Being locked in matches the
    # net's trafficking words, but by a boyfriend it is domestic violence; both replies
    # open with 911. The reverse moves (suicide to self-harm, overdose to medical) would
    # drop 911 or the naloxone steps, so never.
    SPECIFIC = frozenset({("danger", "domestic_violence"), ("domestic_violence", "danger"),
                          ("trafficking", "domestic_violence"),
                          ("domestic_violence", "trafficking"),
                          ("self_harm", "suicide"), ("medical", "overdose")})

    def __init__(self, crisis_mass: float = 0.3) -> None:
        self.crisis_mass = crisis_mass

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"crisis_mass": 0.3}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisOverride":
        return cls(float(config.get("crisis_mass", 0.3)))

    def process(self, messages: List[Message]) -> List[Message]:
        from safety.crisis import detect

        for message in messages:
            crisis = detect(message.get(TEXT) or "")
            if crisis is not None:
                _set_intent(message, f"crisis_{self.kind(crisis.kind, message.get(INTENT))}")
                self.tell_language(message, crisis.language)
                continue
            kind = self.crisis_by_mass(message.get(INTENT) or {},
                                       message.get(INTENT_RANKING_KEY) or [])
            if kind:
                _set_intent(message, kind)
        return messages

    @staticmethod
    def tell_language(message: Message, lang: Optional[str]) -> None:
        """The net knows the language of texting French ("jveux mourir") that the word
        counts miss; the emergency reply must come in it."""
        entities = message.get(ENTITIES, [])
        if lang and not any(e.get("entity") == "detected_language" for e in entities):
            text = message.get(TEXT) or ""
            message.set(ENTITIES, entities + [_entity("detected_language", lang, 0, len(text),
                                                      "CrisisOverride")], add_to_output=True)

    def kind(self, found: str, intent: Optional[Dict[Text, Any]]) -> str:
        """The crisis kind to answer: the net's, or the classifier's where :attr:`SPECIFIC`."""
        chosen = str((intent or {}).get("name", "")).removeprefix("crisis_")
        return chosen if (found, chosen) in self.SPECIFIC else found

    def crisis_by_mass(self, intent: Dict[Text, Any],
                       ranking: List[Dict[Text, Any]]) -> Optional[str]:
        """The top crisis intent when crisis intents together reach ``crisis_mass``."""
        if str(intent.get("name", "")).startswith("crisis_"):
            return None
        crises = [r for r in ranking if str(r.get("name", "")).startswith("crisis_")]
        if crises and sum(float(r.get("confidence", 0.0)) for r in crises) >= self.crisis_mass:
            return str(max(crises, key=lambda r: float(r.get("confidence", 0.0)))["name"])
        return None

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
