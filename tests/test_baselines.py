"""The bag-of-words baselines: known accuracies on generated data, exact explanations, pickle-free storage,
and runs of kind `baseline` trained by the pipeline beside every zoo."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from conftest import NEGATIVE_WORDS, POSITIVE_WORDS, synthetic_review
from pipelines.baselines import BaselineModel, BaselineSpec, fit_baseline
from pipelines.baselines.model import FEATURES_FILE, WEIGHTS_FILE
from pipelines.loaded import load
from pipelines.store import Store
from tiny_zoo import three_class_text

CLASSES = ["negative", "positive"]


def reviews(count: int, seed: int, positive_share: float = 0.5) -> tuple[list[str], np.ndarray]:
    rng = random.Random(seed)
    labels = np.array([int(rng.random() < positive_share) for _ in range(count)])
    return [synthetic_review(int(label), rng) for label in labels], labels


def fitted(method: str, positive_share: float = 0.5, classes=CLASSES) -> tuple[BaselineModel, list[str], np.ndarray]:
    train, train_labels = reviews(300, 0, positive_share)
    validation, validation_labels = reviews(60, 1, positive_share)
    test, test_labels = reviews(200, 2, positive_share)
    model = fit_baseline(BaselineSpec(method).resolved(len(classes)), train, train_labels, validation,
                         validation_labels, classes)  # fmt: skip
    return model, test, test_labels


def test_tfidf_logistic_regression_separates_polar_words():
    """Each synthetic review carries two clearly polar words: a bag of words reads it perfectly."""
    model, test, labels = fitted("tfidf-lr")
    assert (model.predict_proba(test).argmax(1) == labels).mean() >= 0.98
    assert model.regularisation in BaselineSpec().regularisation_grid
    assert set(model.validation_scores) == {f"{c:g}" for c in BaselineSpec().regularisation_grid}


def test_the_majority_class_scores_its_share_and_says_the_same_to_everything():
    model, test, labels = fitted("majority", positive_share=0.8)
    probabilities = model.predict_proba(test)
    assert (probabilities == probabilities[0]).all()  # one answer for every text
    assert probabilities[0].argmax() == 1 and probabilities[0, 1] == pytest.approx(0.8, abs=0.06)
    assert (probabilities.argmax(1) == labels).mean() == pytest.approx(labels.mean())


def test_a_stored_baseline_predicts_exactly_as_the_fitted_one_without_pickle(tmp_path):
    for method in ("majority", "tfidf-lr"):
        model, test, _ = fitted(method)
        folder = tmp_path / method
        folder.mkdir()
        model.save_weights(folder / WEIGHTS_FILE)
        (folder / FEATURES_FILE).write_text(json.dumps(model.features_document()))
        assert b"pickle" not in (folder / FEATURES_FILE).read_bytes()
        loaded = BaselineModel.load(folder, model.spec)
        assert np.array_equal(loaded.predict_proba(test), model.predict_proba(test))
        assert loaded.parameters == model.parameters


def test_word_weights_add_up_to_the_models_log_odds():
    model, _, _ = fitted("tfidf-lr")
    text = f"A {POSITIVE_WORDS[0]} film, but {NEGATIVE_WORDS[0]} and {NEGATIVE_WORDS[1]}; unheardofword!"
    weights = model.word_weights(text)
    probability = weights.probabilities[weights.target]
    assert weights.unit == "log-odds"
    assert weights.logit == pytest.approx(np.log(probability / (1 - probability)), abs=1e-9)
    assert weights.intercept + sum(f.contribution for f in weights.features) == pytest.approx(weights.logit)
    assert weights.scores.sum() == pytest.approx(weights.logit - weights.intercept)  # the words share it all
    unknown = next(i for i, token in enumerate(weights.tokens) if token.text == "unheardofword")
    assert not weights.known[unknown] and weights.scores[unknown] == 0
    polar = {token.text: score for token, score in zip(weights.tokens, weights.scores)}
    towards_negative = weights.target_class == "negative"
    assert (polar[NEGATIVE_WORDS[0]] > 0) == towards_negative and (polar[POSITIVE_WORDS[0]] > 0) != towards_negative
    other = model.word_weights(text, target=1 - weights.target)  # the other class: every sign flips
    assert np.allclose(other.scores, -weights.scores) and other.logit == pytest.approx(-weights.logit)


def test_a_bigrams_weight_is_shared_by_its_two_words():
    model, _, _ = fitted("tfidf-lr")
    weights = model.word_weights("the film was dull")
    pair = next(feature for feature in weights.features if feature.ngram == "was dull")
    assert len(pair.tokens) == 2 and [weights.tokens[i].text for i in pair.tokens] == ["was", "dull"]
    assert sum(f.contribution for f in weights.features) == pytest.approx(weights.scores.sum())


def test_three_classes_explain_a_logit_against_the_mean():
    rng = random.Random(0)
    split = lambda n: ([three_class_text(i % 3, rng) for i in range(n)], np.arange(n) % 3)  # noqa: E731
    (train, train_labels), (validation, validation_labels) = split(150), split(30)
    classes = ["negative", "neutral", "positive"]
    model = fit_baseline(BaselineSpec().resolved(3), train, train_labels, validation, validation_labels, classes)
    weights = model.word_weights(train[2])
    assert weights.unit == "logit minus the mean logit"
    logits = model.classifier.decision_function(model.vectorizer.transform([train[2]]))[0]
    assert weights.logit == pytest.approx(logits[weights.target] - logits.mean())


def test_bad_specs_and_one_class_data_are_refused_in_words():
    with pytest.raises(ValueError, match="baseline method"):
        BaselineSpec("bert")
    with pytest.raises(ValueError, match="n-grams"):
        BaselineSpec(ngram_min=2, ngram_max=1)
    with pytest.raises(ValueError, match="unknown baseline spec keys"):
        BaselineSpec.from_json({"method": "majority", "depth": 3})
    with pytest.raises(ValueError, match="single class"):
        fit_baseline(BaselineSpec().resolved(2), ["a", "b"], [1, 1], ["c"], [1], CLASSES)


def test_the_pipeline_trains_the_baselines_once_beside_a_zoo(tmp_path, rt_data_dir):
    from pipelines.training.train import train_zoo

    store = Store(tmp_path / "store")
    train = lambda **options: train_zoo(store, "rt-polarity", "quick", ["torch"], device="cpu",  # noqa: E731
                                        overrides={"epochs": 1}, data_dir=rt_data_dir, only=["gru-uni-*"],
                                        show_progress=False, words=False, **options)  # fmt: skip
    first = train()
    kinds = {outcome.run_id: store.run("rt-polarity", outcome.run_id).task for outcome in first}
    baselines = sorted(run_id for run_id, kind in kinds.items() if kind == "baseline")
    assert [outcome.result for outcome in first] == ["trained"] * 3 and len(baselines) == 2
    assert baselines[0].startswith("sklearn-majority-") and baselines[1].startswith("sklearn-tfidf-lr-1-2gram-")
    tfidf = store.run("rt-polarity", baselines[1])
    assert tfidf.state == "done" and tfidf.framework == "sklearn" and tfidf.metrics.accuracy >= 0.9
    assert tfidf.metrics.method == "tfidf-lr" and tfidf.metrics.features > 10 and tfidf.metrics.regularisation
    predictions = store.read_predictions("rt-polarity", baselines[1])
    assert (predictions["predicted"] == predictions["label"]).mean() == pytest.approx(tfidf.metrics.accuracy)
    loaded = load(store, "rt-polarity", baselines[1])
    text = "A wonderful, moving film."
    assert loaded.predict_proba([text]).argmax() == 1 and loaded.word_weights(text).predicted_class == "positive"

    again = train()  # the same request: nothing is trained twice
    assert {outcome.result for outcome in again} == {"skipped"}
    assert len(train(seeds=2)) == 4  # one more seed of the GRU; the baselines (no seed) stay as they are
    assert [o.result for o in train(seeds=2, baselines=False)] == ["skipped", "skipped"]
