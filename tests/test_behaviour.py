"""Behavioural tests (pipelines.behaviour): templates expand the same way every time, failure rates are counted right
on models whose answers are known, and the command and the Behaviour page work on the session's trained store."""

import json

import numpy as np
import pytest

from pipelines.behaviour import CAPABILITIES, CHECKLIST_TABLE_1, Case, check, suite_for
from pipelines.behaviour import Test as Suite  # (not "Test": pytest would try to collect it)
from pipelines.behaviour.templates import CASES_PER_TEST, INV, typo
from pipelines.data.text import tokenize


class WordRule:
    """A model whose answers are known: positive exactly when the text holds "good" (it never hears "not")."""

    run_id, label = "rule", "good means positive"

    def __init__(self, classes=("negative", "positive"), vocabulary=("this", "film", "is", "not", "good", "bad")):
        self.classes, self.vocabulary = list(classes), set(vocabulary)

    def predict_proba(self, texts):
        positive = self.classes.index("positive")
        rows = np.full((len(texts), len(self.classes)), 0.1 / (len(self.classes) - 1))
        for row, text in zip(rows, texts):
            winner = positive if "good" in tokenize(text) else self.classes.index("negative")
            if len(self.classes) == 3 and "not" in tokenize(text) and winner != positive:
                winner = self.classes.index("neutral")  # a three-class rule that calls "not bad" neutral
            row[winner] = 0.9
        return rows


TESTS = (
    Suite("not + positive", "Negation", "MFT", "", (Case("This film is not good.", ("negative",)),)),
    Suite("not + negative", "Negation", "MFT", "", (Case("This film is not bad.", ("positive", "neutral")),
                                                   Case("This film is bad.", ("negative",)))),
    Suite("typo", "Typos (INV)", INV, "", (Case("This film is godo.", original="This film is good."),
                                          Case("This film is abd.", original="This film is bad.")),
         unknown_by_design=True),
    Suite("meh", "Vocabulary", "MFT", "", (Case("This film is meh.", ("negative",)),)),
)  # fmt: skip


def test_the_templates_expand_the_same_way_every_time_and_cover_every_capability():
    for language in ("english", "indonesian"):
        suite = suite_for(language)
        assert suite == suite_for(language)  # deterministic: no random choice anywhere
        assert [test.capability for test in suite] == sorted((t.capability for t in suite), key=CAPABILITIES.index)
        assert set(CAPABILITIES) == {test.capability for test in suite}
        for test in suite:
            texts = [case.text for case in test.cases]
            assert 0 < len(texts) <= CASES_PER_TEST and len(set(texts)) == len(texts)
            for case in test.cases:
                assert (case.original is not None) == (test.kind == INV) and bool(case.expected) != (test.kind == INV)
                if case.original is not None:  # one word changed, nothing else
                    before, after = tokenize(case.original), tokenize(case.text)
                    assert len(before) == len(after) and sum(a != b for a, b in zip(before, after)) == 1
    english = {test.name: test for test in suite_for("english")}
    assert english["not + negative"].cases[0] == Case("This film is not bad.", ("positive", "neutral"))
    assert english["typo in the sentiment word"].cases[0].original == "This film is good."
    assert english["negative, then “it wasn't”"].cases[0] == Case("I thought the film would be bad, but it wasn't.",
                                                                  ("positive", "neutral"))  # fmt: skip
    assert english["positive? No."].cases[0] == Case("Do I think the film was good? No.", ("negative",))
    indonesian = {test.name: test for test in suite_for("indonesian")}
    assert indonesian["negative? No."].cases[0] == Case("Apa makanan ini buruk? Tidak.", ("positive", "neutral"))
    assert len(suite_for("english", cases_per_test=5)[0].cases) == 5
    with pytest.raises(ValueError, match="no behavioural tests in javanese"):
        suite_for("javanese")


def test_every_checklist_row_we_mirror_is_a_capability_or_test_of_both_suites_and_figures_are_rows():
    names = {name for language in ("english", "indonesian") for test in suite_for(language)
             for name in (test.name, test.capability)}  # fmt: skip
    assert set(CHECKLIST_TABLE_1["rows"]) <= names
    assert set(CHECKLIST_TABLE_1["figures"]) <= set(CHECKLIST_TABLE_1["rows"])
    for figures in CHECKLIST_TABLE_1["figures"].values():
        assert set(figures) == set(CHECKLIST_TABLE_1["figure_models"]) and all(0 <= f <= 100 for f in figures.values())


def test_a_typo_swaps_two_neighbouring_letters_that_differ():
    assert typo("great") == "gerat" and typo("good") == "ogod" and typo("bad") == "abd"
    assert typo("aa") == "aa" and typo("a") == "a"


def test_failure_rates_of_a_model_whose_answers_are_known():
    report = check([WordRule()], TESTS, dataset="tiny", language="english")
    model = report.models[0]
    # "not good" -> positive (fails), "not bad" -> negative (fails: a binary model must say positive), "bad" passes
    assert model.failure_rate("Negation") == pytest.approx(2 / 3)
    assert [result.text for result in model.failures("Negation")] == ["This film is not good.", "This film is not bad."]
    assert model.failures("Negation")[1].expected == ("positive",)  # "neutral" is not a class of this model
    # INV: "godo" loses "good" and flips to negative; "abd" stays negative like "bad"
    assert model.failure_rate("Typos (INV)") == 0.5
    flipped = model.failures("Typos (INV)")[0]
    assert (flipped.original, flipped.original_predicted, flipped.predicted) == ("This film is good.", "positive",
                                                                                 "negative")  # fmt: skip
    assert model.failure_rate("Contrast (but)") is None and report.capabilities == ["Vocabulary", "Negation",
                                                                                    "Typos (INV)"]  # fmt: skip
    # unknown words: "meh" is counted; the typos are unknown on purpose and are not
    assert (model.texts, model.texts_with_unknown, model.unknown_words) == (5, 1, {"meh": 1})  # "bad" is written twice
    assert report.rates()["Negation"] == {"good means positive": pytest.approx(2 / 3)}
    beside = {mirrored.ours: mirrored for mirrored in report.beside_checklist()}
    assert set(beside) == {"Vocabulary", "not + negative"}  # the rows this report has cases of
    assert (beside["not + negative"].span, beside["Vocabulary"].span) == ("50%", "0%")
    assert beside["not + negative"].row == "Negated negative should be positive or neutral"
    json.dumps(report.to_json(), allow_nan=False)


def test_a_three_class_model_passes_not_bad_when_it_answers_neutral():
    model = check([WordRule(classes=("negative", "neutral", "positive"))], TESTS).models[0]
    assert [result.text for result in model.failures("Negation")] == ["This film is not good."]
    assert model.failures("Negation")[0].expected == ("negative",)


# -- the command and the page on the session's trained store (slow: tests/conftest.py marks them by the fixture) ------


def test_the_command_tests_every_classifier_that_reads_words(trained, capsys):
    from pipelines.cli import main
    from pipelines.store import Store

    assert main(["--artifacts", str(trained), "checklist", "--dataset", "rt-polarity", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    runs = {record.run_id: record for record in Store(trained).runs("rt-polarity") if record.state == "done"}
    tested = [model["run_id"] for model in report["models"]]
    majority = [run_id for run_id in runs if run_id.startswith("sklearn-majority")]
    assert majority and not set(majority) & set(tested)  # it reads no words
    assert set(tested) == set(runs) - set(majority) and any(run_id.startswith("sklearn-tfidf") for run_id in tested)
    for model in report["models"]:
        assert set(model["failure_rates"]) == set(CAPABILITIES)
        assert all(0 <= rate <= 1 for rate in model["failure_rates"].values())
    nusax = next(record.run_id for record in Store(trained).runs("nusax") if record.run_id.startswith("torch-gru-"))
    assert main(["--artifacts", str(trained), "checklist", "--dataset", "nusax", "--runs", nusax,
                 "--examples", "1"]) == 0
    printed = capsys.readouterr().out
    assert "(indonesian)" in printed and "Negated negative should be positive or neutral" in printed
    assert "\"Parsing sentiment in (question, no) form\": Microsoft 96.8%, Google 90.8%" in printed
    assert main(["--artifacts", str(trained), "checklist", "--dataset", "rt-polarity", "--runs", majority[0]]) == 2
    assert "not a finished classifier that reads words" in capsys.readouterr().err


def test_the_page_draws_failure_rates_and_lists_a_capabilitys_failures(real_runs):
    from dashboard_stores import open_page, problems

    app = open_page("behaviour")
    assert not problems(app)
    (chart,) = app.get("plotly_chart")
    assert '"type":"heatmap"' in chart.proto.spec and "Negation, words between" in chart.proto.spec
    app.selectbox(key="capability").set_value("Negation").run()
    assert not problems(app)
    failing = app.dataframe[-1].value
    assert {"text", "expected", "answer", "confidence"} <= set(failing.columns) and len(failing)
    assert all("not" in text or "n't" in text for text in failing["text"])
