"""The evaluation sets stay what evaluation/README.md says they are: the test sets at least
a fifth of every example written, in both languages, and no scored message (test set,
development set or crisis probe) outside evaluation/ or in the training data Rasa reads."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bench.nlu import (
    DEV_SETS,
    EVALUATION,
    PROBES,
    ROOT,
    TEST_SETS,
    TRAINING,
    examples,
    language_of,
    training_examples,
)
from safety.crisis import KINDS, fold

# Wordings of a crisis probe that earlier rounds had already put in the training data, as
# measured when probes joined this check: crisis_probe_2.yml repeats 10 training examples
# (same intents; written before the probe, not taken from it). A probe is not a measure
# (evaluation/README.md), so these stay; the number may only go down.
KNOWN_PROBE_OVERLAP = {"crisis_probe": 0, "crisis_probe_2": 10}


@lru_cache(maxsize=1)
def trained_wordings() -> frozenset[str]:
    return frozenset(fold(text) for text, _, _ in training_examples())


def shared_with_training(path: Path) -> list[str]:
    """The messages of an evaluation set whose folded text is a training example's."""
    return [text for text, _ in examples(path) if fold(text) in trained_wordings()]


def test_test_sets_hold_at_least_a_fifth_of_the_examples_written() -> None:
    trained = len(training_examples())
    held = sum(len(examples(p)) for p in TEST_SETS.values())
    assert held / (held + trained) >= 0.20, (held, trained)


def test_every_test_set_has_both_languages_and_every_crisis_kind() -> None:
    for name, path in TEST_SETS.items():
        pairs = examples(path)
        languages = {language_of(text) for text, _ in pairs}
        assert languages == {"en", "fr"}, name
        kinds = {intent for _, intent in pairs if intent.startswith("crisis_")}
        assert kinds == {f"crisis_{kind}" for kind in KINDS}, (name, kinds)


def test_evaluation_sets_live_in_evaluation_and_outside_the_training_data() -> None:
    sets = {**TEST_SETS, **DEV_SETS, **PROBES}
    assert sorted(EVALUATION.rglob("*.yml")) == sorted(
        [*sets.values(), EVALUATION / "test" / "categories.yml"])
    for path in sets.values():
        assert path.is_file() and ROOT / "data" not in path.parents


def test_no_test_message_is_a_training_example() -> None:
    """"Never trained on" means the wording too: "merci" in a test set is not held out
    if data/nlu also says "Merci"."""
    for name, path in TEST_SETS.items():
        shared = shared_with_training(path)
        assert not shared, (name, len(shared))


def test_development_sets_stay_out_of_the_training_data() -> None:
    """nlu_dev_2.yml and nlu_dev_3.yml are the unread halves of two data rounds, and
    nlu_dev_4.yml a whole round left untrained; a wording of theirs in data/nlu would mean a
    development figure measured in-sample."""
    for name, path in DEV_SETS.items():
        shared = shared_with_training(path)
        assert not shared, (name, len(shared))


def test_crisis_probes_share_no_more_wordings_with_the_training_data_than_measured() -> None:
    assert set(KNOWN_PROBE_OVERLAP) == set(PROBES)
    for name, path in PROBES.items():
        shared = shared_with_training(path)
        assert len(shared) <= KNOWN_PROBE_OVERLAP[name], (name, shared)


def test_each_training_example_is_written_once() -> None:
    """Rasa drops a repeated example only when its metadata matches too; with each block
    naming its source, a wording written again in another round would count twice."""
    texts = [text for text, _, _ in training_examples()]
    assert len(texts) == len(set(texts)), sorted(t for t in set(texts) if texts.count(t) > 1)


def test_training_files_hold_one_intent_in_one_language_each_block_naming_its_source() -> None:
    """data/nlu/<en|fr>/<intent>.yml, so where an example goes is never a question; lookup
    tables, synonyms or regexes, if ever needed, get a file of their own in data/nlu."""
    files = sorted(TRAINING.rglob("*.yml"))
    assert files
    for path in files:
        blocks = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
        if path.parent == TRAINING:
            assert not any("intent" in block for block in blocks), path
            continue
        assert path.parent.parent == TRAINING and path.parent.name in ("en", "fr"), path
        for block in blocks:
            assert block.get("intent") == path.stem, (path, block.get("intent"))
            assert isinstance(block.get("examples"), str), path
            assert set(block.get("metadata") or {}) == {"source"}, path
