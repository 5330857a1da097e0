"""Cross-validated French and English macro-F1 on the first author's training examples.

``python -m bench.nlu_cv`` is a development measure, never a test: the held-out split
(``evaluation/test/heldout.yml``) is a seeded draw from the first author's examples, so the
rest of that author's examples, scored by k-fold cross-validation, show how the model
does on that author's style without reading the held-out set. The intent classifier
(``bot.nlu.linear``, with its settings in config.yml) is trained per fold, outside Rasa.
Each fold trains on every other training example, all authors.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path
from typing import Any

from bench.nlu import ROOT, language_of, training_examples

# The first author's sources (docs/nlu.md): the held-out split was drawn from them.
FIRST_AUTHOR = ("conversation", "crisis", "general", "services", "peers")


def training_rows() -> list[tuple[str, str, str, str]]:
    """(text, intent, source, language) for every training example."""
    return [(text, intent, source, language_of(text))
            for text, intent, source in training_examples()]


def linear_config() -> dict[str, Any]:
    """The classifier's settings in config.yml, over its defaults."""
    import yaml

    from bot.nlu.linear import FoldedTextClassifier

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    mine = [c for c in pipeline if c["name"] == "bot.nlu.linear.FoldedTextClassifier"]
    return {**FoldedTextClassifier.get_default_config(), **(mine[0] if mine else {})}


def fit_predict(train: list[tuple[str, str]], texts: list[str],
                config: dict[str, Any] | None = None) -> list[str]:
    """The classifier's top intent for ``texts``, trained on ``train`` through the
    component itself, in a throw-away model storage."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.linear import FoldedTextClassifier

    with tempfile.TemporaryDirectory() as folder:
        classifier = FoldedTextClassifier.create(config or linear_config(),
                                                 LocalModelStorage(Path(folder)), Resource("cv"),
                                                 ExecutionContext(GraphSchema({}), "cv"))
        classifier.train(TrainingData([Message(data={TEXT: t, INTENT: i}) for t, i in train]))
        asked = [Message(data={TEXT: text}) for text in texts]
        classifier.process(asked)
    return [m.get(INTENT)["name"] for m in asked]


def cross_validate(folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Macro-F1 per language over the first author's examples, each scored by a model
    that did not train on it."""
    from sklearn.metrics import f1_score

    rows = training_rows()
    scored = [i for i, row in enumerate(rows) if row[2] in FIRST_AUTHOR]
    random.Random(seed).shuffle(scored)
    truth: list[tuple[str, str, str]] = []
    for k in range(folds):
        held = set(scored[k::folds])
        train = [(r[0], r[1]) for i, r in enumerate(rows) if i not in held]
        tested = [rows[i] for i in scored[k::folds]]
        guesses = fit_predict(train, [r[0] for r in tested])
        truth += [(r[3], r[1], g) for r, g in zip(tested, guesses)]
    out = {}
    for lang in ("en", "fr"):
        pairs = [(t, g) for lang_, t, g in truth if lang_ == lang]
        out[lang] = float(f1_score([t for t, _ in pairs], [g for _, g in pairs], average="macro",
                                   labels=sorted({t for t, _ in pairs})))
        out[f"examples_{lang}"] = len(pairs)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu_cv",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = cross_validate(args.folds, args.seed)
    print(f"First author's training examples, {args.folds}-fold, linear classifier:")
    for lang in ("en", "fr"):
        print(f"  {lang}: macro-F1 {result[lang]:.3f} over {result[f'examples_{lang}']} examples")


if __name__ == "__main__":
    main()
