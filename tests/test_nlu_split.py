"""The NLU test sets stay what docs/nlu.md says they are: at least a fifth of every
example written, in both languages, and outside the training data Rasa reads."""

from __future__ import annotations

from bench.nlu import ROOT, TEST_SETS, examples, language_of
from safety.crisis import KINDS


def test_test_sets_hold_at_least_a_fifth_of_the_examples_written() -> None:
    trained = sum(len(examples(p)) for p in (ROOT / "data" / "nlu").glob("*.yml"))
    held = sum(len(examples(p)) for p in TEST_SETS.values())
    assert held / (held + trained) >= 0.20, (held, trained)


def test_every_test_set_has_both_languages_and_every_crisis_kind() -> None:
    for name, path in TEST_SETS.items():
        pairs = examples(path)
        languages = {language_of(text) for text, _ in pairs}
        assert languages == {"en", "fr"}, name
        kinds = {intent for _, intent in pairs if intent.startswith("crisis_")}
        assert kinds == {f"crisis_{kind}" for kind in KINDS}, (name, kinds)


def test_test_sets_live_outside_the_training_data() -> None:
    for path in TEST_SETS.values():
        assert path.is_file() and ROOT / "data" not in path.parents


def test_no_test_message_is_a_training_example() -> None:
    """"Never trained on" means the wording too: "merci" in a test set is not held out
    if data/nlu also says "Merci"."""
    from safety.crisis import fold

    trained = {fold(text) for path in (ROOT / "data" / "nlu").glob("*.yml")
               for text, _ in examples(path)}
    for name, path in TEST_SETS.items():
        shared = [text for text, _ in examples(path) if fold(text) in trained]
        assert not shared, (name, len(shared))


def test_unread_development_sets_stay_out_of_the_training_data() -> None:
    """bench/nlu_dev_2.yml and nlu_dev_3.yml are the unread halves of two data rounds, and
    nlu_dev_4.yml a whole round left untrained; a wording of theirs in data/nlu would mean a
    development figure measured in-sample."""
    from safety.crisis import fold

    trained = {fold(text) for path in (ROOT / "data" / "nlu").glob("*.yml")
               for text, _ in examples(path)}
    for name in ("nlu_dev_2.yml", "nlu_dev_3.yml", "nlu_dev_4.yml"):
        shared = [text for text, _ in examples(ROOT / "bench" / name) if fold(text) in trained]
        assert not shared, (name, len(shared))
