"""The NLU benchmark's arithmetic: what it reports is what the guesses say."""

from __future__ import annotations

from bench.nlu import confusions, scores


def test_confusions_count_mistakes_per_language_without_texts() -> None:
    pairs = [("en", "thanks", "goodbye"), ("en", "thanks", "goodbye"), ("en", "greet", "greet"),
             ("fr", "deny", "frustration"), ("fr", "affirm", "affirm")]
    assert confusions(pairs) == {"en": [("thanks -> goodbye", 2)],
                                 "fr": [("deny -> frustration", 1)]}


def test_fallback_guesses_count_against_recall_and_crises_are_counted_together() -> None:
    pairs = [("en", "greet", "greet"), ("en", "thanks", "nlu_fallback"),
             ("fr", "crisis_suicide", "crisis_self_harm"), ("fr", "crisis_danger", "greet")]
    out = scores(pairs)
    assert out["intent_macro_f1_en"] == 0.5  # greet 1.0, thanks 0.0; nlu_fallback not averaged
    assert out["crisis_recall"] == 0.5 and out["crisis_examples"] == 2


def test_cross_validation_trains_the_linear_classifier_on_folded_text() -> None:
    from bench.nlu_cv import fit_predict

    train = [("merci beaucoup", "thanks"), ("thanks a lot", "thanks"), ("merci", "thanks"),
             ("bonjour", "greet"), ("hello there", "greet"), ("allo", "greet")]
    assert fit_predict(train, ["MERCI!", "Bonjour"]) == ["thanks", "greet"]
