"""Waypoint's intent classifier: logistic regression and nearest neighbours on folded text.

It reads the text as the crisis net does (``safety.crisis.fold``: lower case, no accents,
no apostrophes, emoji kept), so "hébergement", "hebergement" and "HEBERGEMENT" are one
word, and a French texting spelling shares most of its n-grams with the spelling it was
trained on. It weighs word 1-2-grams and character 2-5-grams by TF-IDF and fits a
multinomial logistic regression, which gives every intent a probability (the ranking
``FallbackClassifier`` and ``CrisisOverride`` read). It trains in under a minute on two
cores.

A classifier of one kind errs on messages of one kind, so a second kind has a quarter of
the say: the ``neighbours`` training examples nearest the message (cosine of the same
TF-IDF rows) vote for their intents, each by ``exp(temperature * similarity)``. It costs
no training, one sparse product per message, and catches what a near-paraphrase in the
training data already settles. Without a second kind the regression lost up to 0.019 of
macro-F1 on a test set; a DIET in that quarter scored as the neighbours do on the
development sets (``evaluation/dev/`` and the since-retired ``nlu_dev``: mean 0.966
each, 0.963 for the regression alone, every crisis caught each way) but trained for
twelve minutes and filled most of a 150 MB model (docs/nlu.md).

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
from sklearn.preprocessing import normalize

# Words keep one-letter ones ("j", "a", "u"): scikit-learn's default pattern drops them.
_WORDS = dict(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b")
_ANALYSERS = {"word": _WORDS, "char": dict(analyzer="char_wb", ngram_range=(2, 5)),
              "lemma": _WORDS}


def views(texts: List[str], kinds: List[str]) -> Dict[str, List[str]]:
    """Each text as each kind of vectoriser reads it: folded, or as folded lemmas."""
    from bot.nlu.matching import lemmas
    from conversation.language import detect
    from safety.crisis import fold

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
        # development sets (evaluation/dev/), never on a test set. The neighbours'
        # settings were chosen there too: 5 or 15 neighbours scored alike, a temperature
        # of 30 or an equal weight lower. ``neighbours: 0`` turns them off.
        return {"C": 30.0, "max_iter": 3000, "lemmas": False,
                "neighbours": 15, "temperature": 10.0, "neighbour_weight": 0.25}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        if int(self.config["neighbours"]) < 0:
            raise ValueError(f"neighbours must be 0 (off) or more, not {self.config['neighbours']}")
        if not 0.0 <= float(self.config["neighbour_weight"]) <= 1.0:
            raise ValueError("neighbour_weight must be between 0 and 1, "
                             f"not {self.config['neighbour_weight']}")
        self.model_storage = model_storage
        self.resource = resource
        self.kinds = ["word", "char"] + (["lemma"] if self.config["lemmas"] else [])
        self.vectorisers: Dict[str, TfidfVectorizer] = {}
        self.classes: List[str] = []
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)
        # Unit-length TF-IDF rows of the training examples and each one's class index.
        self.examples = sparse.csr_matrix((0, 0))
        self.example_classes = np.zeros(0, dtype=np.int32)

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
        rows = self.features(seen)
        model.fit(rows, [e.get(INTENT) for e in examples])
        self.classes = [str(c) for c in model.classes_]
        self.coef, self.intercept = model.coef_, model.intercept_
        if self.config["neighbours"] > 0:
            self.examples = normalize(rows).astype(np.float32)
            index = {name: i for i, name in enumerate(self.classes)}
            self.example_classes = np.array([index[e.get(INTENT)] for e in examples],
                                            dtype=np.int32)
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
                     example_classes=self.example_classes,
                     **{f"idf_{kind}": v.idf_ for kind, v in self.vectorisers.items()})
            sparse.save_npz(folder / "examples.npz", self.examples)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "FoldedTextClassifier":
        self = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as folder:
            saved = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
            with np.load(folder / "weights.npz", allow_pickle=False) as weights:
                self.coef, self.intercept = weights["coef"], weights["intercept"]
                self.example_classes = weights["example_classes"]
                for kind in self.kinds:
                    vectoriser = _vectoriser(kind, saved[kind])
                    vectoriser.idf_ = weights[f"idf_{kind}"]
                    self.vectorisers[kind] = vectoriser
            self.examples = sparse.load_npz(folder / "examples.npz").tocsr()
        self.classes = saved["classes"]
        return self

    def process(self, messages: List[Message]) -> List[Message]:
        from scipy.special import softmax

        todo = [m for m in messages if (m.get(TEXT) or "").strip()]
        if not todo or not self.classes:  # nothing to classify: leave the message alone
            return messages
        rows = self.features(views([m.get(TEXT) for m in todo], self.kinds))
        probabilities = softmax(rows @ self.coef.T + self.intercept, axis=1)
        if self.config["neighbours"] > 0 and self.examples.shape[0]:
            weight = float(self.config["neighbour_weight"])
            probabilities = (1 - weight) * probabilities + weight * self.neighbour_vote(rows)
        for message, row in zip(todo, probabilities):
            ranking = sorted(({"name": name, "confidence": float(p)}
                              for name, p in zip(self.classes, row)),
                             key=lambda r: (-r["confidence"], r["name"]))
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def neighbour_vote(self, rows: sparse.csr_matrix) -> np.ndarray:
        """Per message, the share of each intent among its nearest training examples."""
        similarity = (normalize(rows).astype(np.float32) @ self.examples.T).toarray()
        k = min(int(self.config["neighbours"]), similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weights = np.exp(float(self.config["temperature"])
                         * np.take_along_axis(similarity, nearest, axis=1))
        votes = np.zeros((rows.shape[0], len(self.classes)))
        np.add.at(votes, (np.arange(rows.shape[0])[:, None], self.example_classes[nearest]),
                  weights)
        return votes / votes.sum(axis=1, keepdims=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
