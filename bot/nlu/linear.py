"""Waypoint's intent classifier: logistic regression over n-grams of the folded text.

It reads the text as the crisis net does (``bot.safety.fold``: lower case, no accents,
no apostrophes, emoji kept), so "hébergement", "hebergement" and "HEBERGEMENT" are one
word, and a French texting spelling shares most of its n-grams with the spelling it was
trained on. It weighs word 1-2-grams and character 2-5-grams by TF-IDF and fits a
multinomial logistic regression, which gives every intent a probability (the ranking
``FallbackClassifier`` and ``CrisisOverride`` read). It trains in under a minute on two
cores.

It was first a second voter beside a DIET, carrying three quarters of the vote. Alone it
scored within 0.007 of that pair on every development set (``bench/nlu_dev*.yml``) and
caught the same crises, while the DIET took twelve of the fourteen minutes of training
and most of the model file, so the DIET went.

With ``lemmas`` on, it also weighs word 1-2-grams of the lemmas (spaCy's lookup tables
for the message's language, as the entity matcher uses them), so "dormais", "dormir" and
"dors" share a word. On the first author's French training data, cross-validated
(``python -m bench.nlu_cv``), that raised macro-F1 from 0.926 to 0.934 (English 0.913 to
0.916).

It is saved as JSON and NumPy arrays (no pickle), so loading a model runs no code from
the model file.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# Words keep one-letter ones ("j", "a", "u"): scikit-learn's default pattern drops them.
_WORDS = dict(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b")
_ANALYSERS = {"word": _WORDS, "char": dict(analyzer="char_wb", ngram_range=(2, 5)),
              "lemma": _WORDS}


def views(texts: List[str], kinds: List[str]) -> Dict[str, List[str]]:
    """Each text as each kind of vectoriser reads it: folded, or as folded lemmas."""
    from bot.language import detect
    from bot.nlu.matching import lemmas
    from bot.safety import fold

    folded = [fold(text) for text in texts]
    out = {kind: folded for kind in kinds if kind != "lemma"}
    if "lemma" in kinds:
        out["lemma"] = [lemmas(text, detect(text) or "en") for text in texts]
    return out


def _vectoriser(kind: str, vocabulary: Dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(sublinear_tf=True, lowercase=False, vocabulary=vocabulary,
                           **_ANALYSERS[kind])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FoldedTextClassifier(GraphComponent):
    """Intent ranking from a logistic regression over TF-IDF n-grams of the folded text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularisation; 30 scored best of 3, 10, 30 and 100 on the
        # development sets (bench/nlu_dev*.yml), never on a test set.
        return {"C": 30.0, "max_iter": 3000, "lemmas": False}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self.model_storage = model_storage
        self.resource = resource
        self.kinds = ["word", "char"] + (["lemma"] if self.config["lemmas"] else [])
        self.vectorisers: Dict[str, TfidfVectorizer] = {}
        self.classes: List[str] = []
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "FoldedTextClassifier":
        return cls(config, model_storage, resource)

    def features(self, seen: Dict[str, List[str]]) -> sparse.csr_matrix:
        """The TF-IDF rows of texts, each vectoriser reading its own view (``views``)."""
        return sparse.hstack([self.vectorisers[kind].transform(seen[kind])
                              for kind in self.kinds]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            raise ValueError("FoldedTextClassifier needs examples of at least two intents")
        seen = views([e.get(TEXT) for e in examples], self.kinds)
        self.vectorisers = {kind: _vectoriser(kind).fit(seen[kind]) for kind in self.kinds}
        model = LogisticRegression(C=float(self.config["C"]),
                                   max_iter=int(self.config["max_iter"]))
        model.fit(self.features(seen), [e.get(INTENT) for e in examples])
        self.classes = [str(c) for c in model.classes_]
        self.coef, self.intercept = model.coef_, model.intercept_
        if len(self.classes) == 2:  # one row for the second class: p = softmax([0, z])
            self.coef = np.vstack([np.zeros_like(self.coef), self.coef])
            self.intercept = np.concatenate([[0.0], self.intercept])
        self.persist()
        return self.resource

    def persist(self) -> None:
        with self.model_storage.write_to(self.resource) as folder:
            (folder / "vocabulary.json").write_text(json.dumps(
                {"classes": self.classes,
                 **{kind: {term: int(i) for term, i in v.vocabulary_.items()}
                    for kind, v in self.vectorisers.items()}}), encoding="utf-8")
            np.savez(folder / "weights.npz", coef=self.coef, intercept=self.intercept,
                     **{f"idf_{kind}": v.idf_ for kind, v in self.vectorisers.items()})

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FoldedTextClassifier":
        self = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as folder:
            saved = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as weights:
                self.coef, self.intercept = weights["coef"], weights["intercept"]
                for kind in self.kinds:
                    vectoriser = _vectoriser(kind, saved[kind])
                    vectoriser.idf_ = weights[f"idf_{kind}"]
                    self.vectorisers[kind] = vectoriser
        self.classes = saved["classes"]
        return self

    def process(self, messages: List[Message]) -> List[Message]:
        from scipy.special import softmax

        todo = [m for m in messages if (m.get(TEXT) or "").strip()]
        if not todo or not self.classes:  # nothing to classify: leave the message alone
            return messages
        scores = self.features(views([m.get(TEXT) for m in todo], self.kinds)) @ self.coef.T
        probabilities = softmax(scores + self.intercept, axis=1)
        for message, row in zip(todo, probabilities):
            ranking = sorted(({"name": name, "confidence": float(p)}
                              for name, p in zip(self.classes, row)),
                             key=lambda r: (-r["confidence"], r["name"]))
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
