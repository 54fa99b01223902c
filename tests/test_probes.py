"""The hand-written probes: balanced, what their categories say they are, and scored per category."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.data import tokenize
from pipelines.probes import CATEGORIES, PROBES, probe_scores

NEGATORS = {"not", "never", "nothing", "no"}
TURNS = {"but", "yet", "although"}


def test_every_category_is_balanced():
    for category in CATEGORIES:
        labels = [probe.label for probe in PROBES if probe.category == category]
        assert labels.count("positive") == labels.count("negative") >= 3, category


def test_the_probes_are_what_their_category_says():
    for probe in PROBES:
        tokens = set(tokenize(probe.text))
        if probe.category == "negation":
            assert tokens & NEGATORS, probe.text
        if probe.category == "contrast":
            assert tokens & TURNS, probe.text
        if probe.category == "long":
            assert len(tokenize(probe.text)) >= 100, probe.text[:40]
    assert len({probe.text for probe in PROBES}) == len(PROBES)


class Oracle:
    """A stand-in run that answers from a table: positive for the texts in `positive`."""

    run_id, classes = "stub", ["negative", "positive"]

    def __init__(self, positive: set[str]):
        self.positive = positive

    def predict_proba(self, texts):
        return np.array([[0.2, 0.8] if text in self.positive else [0.9, 0.1] for text in texts])


def test_scores_per_category():
    right = Oracle({probe.text for probe in PROBES if probe.label == "positive"})
    assert all(score.accuracy == 1.0 for score in probe_scores(right).values())
    always_negative = probe_scores(Oracle(set()))
    assert {category: score.accuracy for category, score in always_negative.items()} == dict.fromkeys(CATEGORIES, 0.5)
    # Getting only the negation probes wrong (answering the polar word, not its negation).
    flipped = {p.text for p in PROBES if (p.label == "positive") != (p.category == "negation")}
    scores = probe_scores(Oracle(flipped))
    assert scores["negation"].correct == 0 and scores["contrast"].accuracy == scores["long"].accuracy == 1.0


def test_a_run_without_both_classes_is_refused():
    stub = Oracle(set())
    stub.classes = ["negatif", "positif"]
    with pytest.raises(ValueError, match="negative and positive"):
        probe_scores(stub)
