"""NLU quality on the held-out split, per language, against the stock Rasa pipeline.

``python -m bench.nlu`` trains two NLU models on ``data/nlu`` (Waypoint's
config.yml and the stock `rasa init` pipeline), then parses the held-out
examples (``tests/nlu/heldout.yml``, never trained on) and the labelled
category set (``tests/nlu/categories.yml``), and prints intent macro-F1,
category accuracy and crisis recall for English and French, with training times.
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


def heldout() -> list[tuple[str, str]]:
    """(text, intent) pairs from the held-out NLU file."""
    data = yaml.safe_load((ROOT / "tests" / "nlu" / "heldout.yml").read_text(encoding="utf-8"))
    pairs = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), block["intent"]))
    return pairs


def language_of(text: str) -> str:
    from bot.language import detect

    return detect(text) or ("fr" if any(c in text for c in "éèàçêâôûù") else "en")


def train(config: Path, out: Path) -> tuple[str, float]:
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(str(config), str(ROOT / "data" / "nlu"), str(out),
                      domain=str(ROOT / "domain"), fixed_model_name="nlu")
    return str(model), time.perf_counter() - started


def evaluate(model: str) -> dict[str, Any]:
    from rasa.core.agent import Agent
    from sklearn.metrics import f1_score

    agent = Agent.load(model)

    def parse(text: str) -> dict[str, Any]:
        return asyncio.run(agent.parse_message(text))

    out: dict[str, Any] = {}
    by_lang: dict[str, list[tuple[str, str]]] = {"en": [], "fr": []}
    crisis_hits = crisis_total = 0
    for text, intent in heldout():
        predicted = parse(text)["intent"]["name"]
        by_lang[language_of(text)].append((intent, predicted))
        if intent.startswith("crisis_"):
            crisis_total += 1
            crisis_hits += predicted.startswith("crisis_")
    for lang, pairs in by_lang.items():
        truth, guess = zip(*pairs)
        out[f"intent_macro_f1_{lang}"] = f1_score(truth, guess, average="macro")
        out[f"examples_{lang}"] = len(pairs)
    out["crisis_recall"] = crisis_hits / crisis_total
    items = yaml.safe_load((ROOT / "tests" / "nlu" / "categories.yml").read_text(
        encoding="utf-8"))["items"]
    for lang in ("en", "fr"):
        mine = [i for i in items if i["lang"] == lang]
        right = sum(any(e["entity"] == "service_category" and e["value"] == i["code"]
                        for e in parse(i["text"])["entities"]) for i in mine)
        out[f"category_accuracy_{lang}"] = right / len(mine)
    return out


def main() -> None:
    import logging

    import structlog

    # Rasa's parse log prints every message at debug level; keep the figures readable.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with tempfile.TemporaryDirectory() as tmp:
        stock_config = Path(tmp) / "stock.yml"
        stock_config.write_text(yaml.safe_dump(STOCK_CONFIG), encoding="utf-8")
        rows = {}
        for name, config in (("waypoint", ROOT / "config.yml"), ("stock", stock_config)):
            model, seconds = train(config, Path(tmp) / name)
            rows[name] = {"train_s": seconds, **evaluate(model)}
    keys = ["intent_macro_f1_en", "intent_macro_f1_fr", "crisis_recall", "category_accuracy_en",
            "category_accuracy_fr", "train_s", "examples_en", "examples_fr"]
    print(f"\nNLU on the held-out split ({rows['waypoint']['examples_en']} en, "
          f"{rows['waypoint']['examples_fr']} fr) and tests/nlu/categories.yml")
    print(f"{'metric':<24}{'waypoint':>10}{'stock':>10}")
    for key in keys[:5]:
        print(f"{key:<24}{rows['waypoint'][key]:>10.3f}{rows['stock'][key]:>10.3f}")
    print("(training seconds are not shown: Rasa reuses cached components between runs)")


if __name__ == "__main__":
    main()
