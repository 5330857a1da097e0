"""NLU quality on the held-out split, per language, against the stock Rasa pipeline.

``python -m bench.nlu`` trains two NLU models on ``data/nlu`` (Waypoint's
config.yml and the stock `rasa init` pipeline), then parses the test sets that
were never trained on and prints intent macro-F1 per language and crisis recall
for each, plus category accuracy on the labelled set (``evaluation/test/categories.yml``):

* ``evaluation/test/heldout.yml``: a seeded draw from the examples the first author wrote;
* ``evaluation/test/independent.yml``: half of a set written by an author who never saw
  the training data (the other half was read while tuning, then trained on: the source
  ``from_dev`` in ``data/nlu``);
* ``evaluation/test/independent_2.yml``: a set by a fourth author who saw only the
  labelling guide, and which nobody read;
* ``evaluation/test/independent_3.yml``: likewise, by a later author, written after the
  third development set (source ``dev_3``) was trained on;
* ``evaluation/test/first_style.yml``: a seeded 22% of a sixth round by four authors writing
  in the first author's style (the rest is trained on, source ``first_style``), never read;
* ``evaluation/test/independent_4.yml``: a set by a seventh author who saw only the labelling
  guide, written after the linear classifier landed, never read.

No test message is a training example: a training example whose folded text is also in
a test set was taken out of ``data/nlu`` (``tests/test_nlu_split.py`` keeps it so).

Short replies ("thanks", "oui") recur in any two sets, so each figure is also given
for the "new wording" subset: test messages whose folded text is not a training example.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
STOCK_CONFIG = {
    "recipe": "default.v1", "language": "en",
    "pipeline": [
        {"name": "WhitespaceTokenizer"}, {"name": "RegexFeaturizer"},
        {"name": "LexicalSyntacticFeaturizer"}, {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": 100, "random_seed": 7},
        {"name": "EntitySynonymMapper"}, {"name": "FallbackClassifier", "threshold": 0.3},
    ],
    "policies": [],
}


# Every set that is scored and never trained on lives under evaluation/ (its README says
# which is for what): test sets, development sets and crisis probes.
EVALUATION = ROOT / "evaluation"
TEST_SETS = {name: EVALUATION / "test" / f"{name}.yml" for name in (
    "heldout", "independent", "independent_2", "independent_3", "first_style", "independent_4")}
CATEGORIES = EVALUATION / "test" / "categories.yml"
DEV_SETS = {name: EVALUATION / "dev" / f"{name}.yml"
            for name in ("nlu_dev_2", "nlu_dev_3", "nlu_dev_4")}
PROBES = {name: EVALUATION / "probes" / f"{name}.yml"
          for name in ("crisis_probe", "crisis_probe_2")}


def _blocks(path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(text, intent, block metadata) for each example of a Rasa NLU file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for block in data["nlu"]:
        for line in block.get("examples", "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                rows.append((line[2:].strip(), block["intent"], block.get("metadata") or {}))
    return rows


def examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs from a Rasa NLU file."""
    return [(text, intent) for text, intent, _ in _blocks(path)]


TRAINING = ROOT / "data" / "nlu"


def training_examples() -> list[tuple[str, str, str]]:
    """(text, intent, source) for every training example, files in the order Rasa reads them.

    The source is the round an example was written in: its block's ``metadata: source``
    (docs/nlu.md lists them), or the file's name where a block has none.
    """
    return [(text, intent, metadata.get("source", path.stem))
            for path in sorted(TRAINING.rglob("*.yml"))
            for text, intent, metadata in _blocks(path)]


def trained_wordings() -> set[str]:
    """The folded text of every training example."""
    from safety.crisis import fold

    return {fold(text) for text, _, _ in training_examples()}


def language_of(text: str) -> str:
    from conversation.language import detect

    return detect(text) or ("fr" if any(c in text for c in "éèàçêâôûù") else "en")


def train(config: Path, out: Path) -> tuple[str, float]:
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(str(config), str(ROOT / "data" / "nlu"), str(out),
                      domain=str(ROOT / "domain"), fixed_model_name="nlu")
    return str(model), time.perf_counter() - started


def scores(pairs: list[tuple[str, str, str]]) -> dict[str, float]:
    """Macro-F1 per language and crisis recall over (language, truth, guess) triples.

    The macro average runs over the intents in the test set. A guess of
    ``nlu_fallback`` (the model abstaining) counts against the true intent's recall;
    it is not averaged in as a 28th intent with F1 0, as scikit-learn's default would.
    """
    from sklearn.metrics import f1_score

    out: dict[str, float] = {}
    for lang in ("en", "fr"):
        mine = [(t, g) for lang_, t, g in pairs if lang_ == lang]
        truth, guess = zip(*mine)
        out[f"intent_macro_f1_{lang}"] = f1_score(truth, guess, average="macro",
                                                  labels=sorted(set(truth)))
        out[f"examples_{lang}"] = len(mine)
    crisis = [g for _, t, g in pairs if t.startswith("crisis_")]
    out["crisis_recall"] = sum(g.startswith("crisis_") for g in crisis) / len(crisis)
    out["crisis_examples"] = len(crisis)
    return out


def confusions(pairs: list[tuple[str, str, str]], top: int = 8) -> dict[str, list[tuple[str, int]]]:
    """The commonest (truth -> guess) mistakes per language, as counts only.

    A development set's errors can be studied this way without printing its texts, so a
    set kept unread stays unread.
    """
    from collections import Counter

    out = {}
    for lang in ("en", "fr"):
        wrong = Counter(f"{t} -> {g}" for lang_, t, g in pairs if lang_ == lang and t != g)
        out[lang] = wrong.most_common(top)
    return out


def evaluate(model: str, sets: dict[str, Path] | None = None) -> dict[str, Any]:
    from rasa.core.agent import Agent

    from safety.crisis import fold

    agent = Agent.load(model)

    def parse(text: str) -> dict[str, Any]:
        return asyncio.run(agent.parse_message(text))

    seen = trained_wordings()
    out: dict[str, Any] = {}
    for name, path in (sets or TEST_SETS).items():
        pairs = [(language_of(text), intent, parse(text)["intent"]["name"], fold(text) in seen)
                 for text, intent in examples(path)]
        out[name] = scores([(lang, t, g) for lang, t, g, _ in pairs])
        out[name]["confusions"] = confusions([(lang, t, g) for lang, t, g, _ in pairs])
        out[f"{name}, new wording"] = scores([(lang, t, g) for lang, t, g, old in pairs if not old])
    items = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))["items"]
    for lang in ("en", "fr"):
        mine = [i for i in items if i["lang"] == lang]
        right = sum(any(e["entity"] == "service_category" and e["value"] == i["code"]
                        for e in parse(i["text"])["entities"]) for i in mine)
        out[f"category_accuracy_{lang}"] = right / len(mine)
        out[f"categories_{lang}"] = len(mine)
    return out


def main(argv: list[str] | None = None) -> None:
    import argparse
    import logging

    import structlog

    parser = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("waypoint", "stock"),
                        help="train and score one pipeline (the stock one takes about 30 "
                             "minutes on 2 cores with today's training data)")
    parser.add_argument("--dev", type=Path, nargs="+", metavar="FILE",
                        help="score these NLU files instead of the test sets: development "
                             "sets (evaluation/dev/*.yml) for comparing configurations "
                             "without spending the test sets, or the crisis probes")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml",
                        help="the Waypoint pipeline to train (default: config.yml)")
    parser.add_argument("--model", type=Path,
                        help="score this trained Waypoint model (such as models/waypoint.tar.gz "
                             "from `make train`) instead of training one")
    parser.add_argument("--confusions", action="store_true",
                        help="also print each set's commonest mistakes (intent pairs and "
                             "counts, never the texts)")
    args = parser.parse_args(argv)
    sets = {path.stem: path for path in args.dev} if args.dev else None
    # Rasa's parse log prints every message at debug level; keep the figures readable.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    pipelines = [name for name in ("waypoint", "stock") if args.only in (None, name)]
    with tempfile.TemporaryDirectory() as tmp:
        stock_config = Path(tmp) / "stock.yml"
        stock_config.write_text(yaml.safe_dump(STOCK_CONFIG), encoding="utf-8")
        configs = {"waypoint": args.config, "stock": stock_config}
        rows = {}
        for name in pipelines:
            if name == "waypoint" and args.model:
                model = str(args.model)
            else:
                model, _ = train(configs[name], Path(tmp) / name)
            rows[name] = evaluate(model, sets)
    first = rows[pipelines[0]]
    print(f"\n{'test set':<28}{'metric':<20}{'n':>6}" + "".join(f"{p:>10}" for p in pipelines))
    for name in [k for k in first if isinstance(first[k], dict)]:
        for key, count in (("intent_macro_f1_en", "examples_en"),
                           ("intent_macro_f1_fr", "examples_fr"),
                           ("crisis_recall", "crisis_examples")):
            print(f"{name:<28}{key:<20}{first[name][count]:>6}"
                  + "".join(f"{rows[p][name][key]:>10.3f}" for p in pipelines))
    if args.confusions:
        for p in pipelines:
            for name in [k for k in rows[p] if isinstance(rows[p][k], dict)
                         and "confusions" in rows[p][k] and "new wording" not in k]:
                for lang, pairs in rows[p][name]["confusions"].items():
                    print(f"\n{p} {name} {lang}: " + "; ".join(f"{c}x {pair}" for pair, c in pairs))
    for lang in ("en", "fr"):
        key = f"category_accuracy_{lang}"
        print(f"{'categories.yml':<28}{key:<20}{first[f'categories_{lang}']:>6}"
              + "".join(f"{rows[p][key]:>10.3f}" for p in pipelines))


if __name__ == "__main__":
    main()
