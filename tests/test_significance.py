"""Significance and seeds: McNemar against a table worked by hand and against scipy/statsmodels, the paired
bootstrap's coverage, Holm's adjustment, t intervals over seeds, and runs that cannot be compared."""

from __future__ import annotations

import gc
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import accuracy_score, f1_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

import run_documents
from conftest import reseal_checksums
from pipelines.comparison import (
    NotComparable, across_seeds, compare_pair, compare_runs, mcnemar_exact, paired_bootstrap, score_bootstrap,
    seed_groups, spread,
)  # fmt: skip
from pipelines.comparison.significance import points
from pipelines.files import write_json
from pipelines.store import Store


def answers(table: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Right/wrong answers of two classifiers that fill a 2x2 table [[both right, only first], [only second,
    both wrong]]."""
    (both, first_only), (second_only, neither) = table
    first = [True] * both + [True] * first_only + [False] * second_only + [False] * neither
    second = [True] * both + [False] * first_only + [True] * second_only + [False] * neither
    return np.array(first), np.array(second)


def test_mcnemar_matches_a_table_worked_by_hand():
    # 7 texts split the runs: the first alone is right on 6, the second alone on 1. Under "no difference" each
    # discordant text is a fair coin: P(1 or fewer of 7) = (1 + 7) / 2**7, and twice that for two sides.
    result = mcnemar_exact(*answers([[40, 6], [1, 13]]))
    assert (result.both_right, result.only_first, result.only_second, result.both_wrong) == (40, 6, 1, 13)
    assert result.p_value == pytest.approx(2 * 8 / 128)
    assert result.table == [[40, 6], [1, 13]]


@pytest.mark.parametrize("table", [[[50, 12], [3, 20]], [[5, 0], [9, 1]], [[10, 30], [28, 2]], [[4, 2], [2, 4]]])
def test_mcnemar_agrees_with_statsmodels_and_scipys_binomial_test(table):
    result = mcnemar_exact(*answers(table))
    assert result.p_value == pytest.approx(mcnemar(table, exact=True).pvalue)
    discordant = table[0][1] + table[1][0]
    assert result.p_value == pytest.approx(min(1.0, stats.binomtest(table[0][1], discordant, 0.5).pvalue))


def test_runs_that_never_disagree_show_no_difference():
    result = mcnemar_exact(*answers([[30, 0], [0, 10]]))
    assert result.p_value == 1.0


def test_the_bootstraps_point_estimates_are_sklearns_scores():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 300)
    first, second = (np.where(rng.random(300) < share, labels, rng.integers(0, 3, 300)) for share in (0.8, 0.6))
    intervals = paired_bootstrap(labels, first, second, classes=3, resamples=500)
    assert intervals["accuracy"].difference == pytest.approx(accuracy_score(labels, first)
                                                             - accuracy_score(labels, second))  # fmt: skip
    expected_f1 = f1_score(labels, first, average="macro") - f1_score(labels, second, average="macro")
    assert intervals["f1_macro"].difference == pytest.approx(expected_f1)
    for interval in intervals.values():
        assert interval.low < interval.difference < interval.high


def test_the_paired_bootstrap_covers_the_true_difference_at_about_the_stated_rate():
    """Draw many test sets from a population where the first classifier is right 75% of the time and the
    second 70% (correlated, as two models of one data set are); the 95% interval should hold the true
    difference, 5 points, about 95% of the time."""
    rng = np.random.default_rng(1)
    trials, size, covered, widths = 200, 400, 0, []
    for trial in range(trials):
        labels = rng.integers(0, 2, size)
        shared = rng.random(size)  # easy texts are easy for both
        first_right = shared < 0.75
        second_right = np.where(rng.random(size) < 0.6, shared < 0.70, rng.random(size) < 0.70)
        first, second = np.where(first_right, labels, 1 - labels), np.where(second_right, labels, 1 - labels)
        interval = paired_bootstrap(labels, first, second, classes=2, resamples=1000, seed=trial)["accuracy"]
        covered += interval.low <= 0.05 <= interval.high
        widths.append(interval.high - interval.low)
    assert 0.90 <= covered / trials <= 0.99, covered / trials
    assert 0.03 < np.mean(widths) < 0.12  # narrower than an unpaired interval would be


def test_one_runs_interval_is_centred_on_sklearns_score_and_covers_the_true_accuracy():
    """The bars of the Compare page's cell chart: one run's score, resampled over its test texts. A classifier
    right 75% of the time on 400 texts: the 95% interval holds 0.75 about 95% of the time, about ±4 points wide."""
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, 300)
    predicted = np.where(rng.random(300) < 0.7, labels, rng.integers(0, 3, 300))
    intervals = score_bootstrap(labels, predicted, classes=3, resamples=500)
    assert intervals["accuracy"].score == pytest.approx(accuracy_score(labels, predicted))
    assert intervals["f1_macro"].score == pytest.approx(f1_score(labels, predicted, average="macro"))
    assert all(i.low < i.score < i.high for i in intervals.values())
    covered, widths = 0, []
    for trial in range(200):
        labels = rng.integers(0, 2, 400)
        predicted = np.where(rng.random(400) < 0.75, labels, 1 - labels)
        interval = score_bootstrap(labels, predicted, classes=2, resamples=500, seed=trial)["accuracy"]
        covered += interval.low <= 0.75 <= interval.high
        widths.append(interval.high - interval.low)
    assert 0.90 <= covered / 200 <= 0.99 and 0.06 < np.mean(widths) < 0.11, (covered, np.mean(widths))
    perfect = score_bootstrap(np.array([0, 1, 1, 0] * 10), np.array([0, 1, 1, 0] * 10), resamples=100)
    assert all((i.score, i.low, i.high) == (1.0, 1.0, 1.0) for i in perfect.values())


def test_identical_answers_differ_by_exactly_zero():
    labels = np.array([0, 1, 1, 0, 1])
    intervals = paired_bootstrap(labels, labels, labels)
    assert all((i.difference, i.low, i.high) == (0.0, 0.0, 0.0) for i in intervals.values())


def test_points_are_signed_with_a_true_minus():
    assert (points(0.009), points(-0.004), points(0.0), points(-0.00001)) == ("+0.9", "\u22120.4", "0.0", "0.0")


# -- runs of a store ----------------------------------------------------------------------------


def write_run(store: Store, run_id: str, predicted: list[int], labels: list[int], seed: int = 42,
              dataset: str = "ds", **model) -> None:  # fmt: skip
    """A finished classifier with these test predictions (its metrics computed from them)."""
    from pipelines.evaluate import classification_metrics

    probabilities = np.eye(2)[predicted] * 0.8 + 0.1
    metrics = classification_metrics(probabilities, np.array(labels), run_documents.CLASSES)
    metrics.update(parameters=10, train_seconds=1.0, epochs_trained=1, best_epoch=1)
    spec = run_documents.spec_document(run_id, **model)
    spec["training"]["seed"] = seed
    spec["dataset"]["key"] = dataset
    ids = [f"t{index}" for index in range(len(labels))]
    write_json(store.dataset_dir(dataset) / "dataset.json", {"key": dataset, "title": "Test data"})  # findable
    with store.claim(dataset, run_id) as claim:
        claim.write_frame("predictions.csv", pd.DataFrame({"id": ids, "label": labels, "predicted": predicted}))
        claim.write_json("spec.json", spec)
        claim.write_frame("history.csv", pd.DataFrame({"epoch": [1]}))
        (claim.path / "weights.safetensors").write_text("x")
        claim.write_json("metrics.json", metrics)
        claim.set_status("done")


@pytest.fixture
def three_runs(tmp_path) -> Store:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400).tolist()
    store = Store(tmp_path / "store")
    for run_id, share, cell in (("run-good", 0.9, "gru"), ("run-fair", 0.75, "lstm"), ("run-twin", 0.74, "rnn")):
        predicted = [label if rng.random() < share else 1 - label for label in labels]
        write_run(store, run_id, predicted, labels, cell=cell)
    return store


@contextmanager
def forbidding_full_collection():
    """A full garbage collection, as statsmodels' Holm adjustment runs, costs the dashboard's server ~190 ms a call
    (pipelines/comparison/holm.py): the comparisons must not run one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gc, "collect", lambda *arguments: pytest.fail("a full garbage collection"))
        yield


@pytest.mark.parametrize("p_values", [[0.01, 0.04, 0.03, 0.2], [0.5, 0.5, 0.01, 0.5], [0.0, 1.0, 0.3], [0.02],
                                      [0.4, 0.3, 0.35, 0.9, 0.01, 0.01], []])  # fmt: skip
def test_holms_adjustment_is_statsmodels(p_values):
    """Ties, a zero, a one, products above 1, one test and none: the same numbers as statsmodels' Holm."""
    from pipelines.comparison.holm import holm_adjusted

    expected = multipletests(p_values, method="holm")[1] if p_values else []
    assert list(holm_adjusted(p_values)) == pytest.approx(list(expected), abs=1e-15)


def test_every_pair_is_tested_and_holm_adjusts_the_family(three_runs):
    records = three_runs.runs("ds")
    with forbidding_full_collection():
        table = compare_runs(three_runs, records, resamples=300)
    assert [record.run_id for record in table.runs] == ["run-good", "run-fair", "run-twin"]  # best first
    assert len(table.pairs) == 3 and not table.left_out and table.against is None
    raw = [pair.mcnemar.p_value for pair in table.pairs.values()]
    assert [pair.p_adjusted for pair in table.pairs.values()] == pytest.approx(list(multipletests(raw,
                                                                                            method="holm")[1]))
    assert all(pair.family == 3 for pair in table.pairs.values())
    good_vs_fair = table.pair("run-good", "run-fair")
    assert good_vs_fair.verdict == "real" and good_vs_fair.intervals["accuracy"].difference > 0.1
    assert table.pair("run-fair", "run-good").intervals["accuracy"].difference == pytest.approx(
        -good_vs_fair.intervals["accuracy"].difference)
    assert "a real difference on 400 test texts" in good_vs_fair.sentence()
    assert table.pair("run-fair", "run-twin").verdict in ("not distinguishable", "borderline")


def test_a_sentence_says_what_the_issue_asks_for(three_runs):
    records = {record.run_id: record for record in three_runs.runs("ds")}
    pair = compare_pair(three_runs, records["run-fair"], records["run-twin"], resamples=300)
    sentence = pair.sentence("test reviews")
    assert sentence.startswith("LSTM 1×64 vs RNN 1×64: ")
    assert " points of accuracy, 95% interval " in sentence and "on 400 test reviews (McNemar p = " in sentence
    assert pair.p_adjusted is None and "Holm" not in sentence  # a single pair is not a family


def test_runs_without_predictions_or_of_another_split_are_left_out_by_name(three_runs):
    labels = [0, 1] * 50
    write_run(three_runs, "run-short", labels, labels)  # 100 test texts, not the 400 the others share
    (three_runs.run_dir("ds", "run-twin") / "predictions.csv").write_text("\x00 not a table")
    reseal_checksums(three_runs.run_dir("ds", "run-twin"))  # else the checksum names it corrupt before it is read
    table = compare_runs(three_runs, three_runs.runs("ds"), resamples=200)
    left_out = dict(table.left_out)
    assert set(left_out) == {"run-short", "run-twin"}
    assert "another test split (100 texts) than the 2 compared runs" in left_out["run-short"]
    assert "the test predictions of run-twin" in left_out["run-twin"]
    assert len(table.pairs) == 1


def test_runs_of_two_data_sets_cannot_be_compared(three_runs):
    labels = [0, 1] * 200
    write_run(three_runs, "run-elsewhere", labels, labels, dataset="other")
    good = three_runs.run("ds", "run-good")
    with pytest.raises(NotComparable, match="different test texts cannot be compared"):
        compare_pair(three_runs, good, three_runs.run("other", "run-elsewhere"))


def test_past_a_dozen_runs_each_is_compared_with_the_best(three_runs):
    table = compare_runs(three_runs, three_runs.runs("ds"), resamples=200, matrix_limit=2)
    assert table.against == "run-good" and set(table.pairs) == {("run-good", "run-fair"), ("run-good", "run-twin")}


# -- seeds ----------------------------------------------------------------------------------------


def test_a_spread_over_seeds_is_students_t_interval():
    values = [0.76, 0.75, 0.78]
    summary = spread(values)
    low, high = stats.t.interval(0.95, 2, loc=np.mean(values), scale=stats.sem(values))
    assert (summary.n, summary.mean, summary.std) == (3, pytest.approx(0.7633333), pytest.approx(np.std(values,
                                                                                                        ddof=1)))
    assert (summary.low, summary.high) == (pytest.approx(low), pytest.approx(high))
    one = spread([0.7])
    assert (one.std, one.low, one.high) == (None, None, None)
    assert spread([0.9, 0.1]).high == 1.0 and spread([0.9, 0.1]).low == 0.0  # clipped to the metric's range


def test_runs_differing_only_in_their_seed_form_one_model(tmp_path):
    store = Store(tmp_path / "store")
    labels = [0, 1] * 20
    for seed, wrong in ((42, 2), (43, 4), (44, 3)):
        write_run(store, f"gru-{seed}", [1 - l if i < wrong else l for i, l in enumerate(labels)], labels, seed,
                  cell="gru")  # fmt: skip
    for seed, wrong in ((42, 8), (43, 9)):
        write_run(store, f"lstm-{seed}", [1 - l if i < wrong else l for i, l in enumerate(labels)], labels, seed)
    groups = seed_groups(store.runs("ds"))
    assert [(group.label, group.seeds) for group in groups] == [("GRU 1×64", [42, 43, 44]), ("LSTM 1×64", [42, 43])]
    gru, lstm = groups
    assert gru.spread("accuracy").mean == pytest.approx(1 - 3 / 40)
    result = across_seeds(gru, lstm)
    expected = stats.ttest_ind(gru.values("accuracy"), lstm.values("accuracy"), equal_var=False)
    assert result.p_value == pytest.approx(expected.pvalue) and result.difference == pytest.approx(
        np.mean(gru.values("accuracy")) - np.mean(lstm.values("accuracy")))
    assert result.low < result.difference < result.high


# -- the command ----------------------------------------------------------------------------------


def test_the_significance_command_prints_every_pair_and_its_json(three_runs, capsys):
    import json

    from pipelines.cli import main

    root = str(three_runs.root)
    assert main(["--artifacts", root, "significance", "--dataset", "ds", "--resamples", "300"]) == 0
    out = capsys.readouterr().out
    assert "3 runs of ds, 400 test texts" in out and out.count("points of accuracy, 95% interval") == 3
    assert main(["--artifacts", root, "significance", "--runs", "run-fair", "run-twin", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    (pair,) = result["pairs"]["pairs"]
    assert pair["first"] == "run-fair" and pair["p_adjusted"] is None and pair["verdict"] in (
        "not distinguishable", "borderline")
    assert [group["label"] for group in result["seeds"]] == ["LSTM 1×64", "RNN 1×64"]


def test_corrupt_and_unverified_runs_are_left_out_by_name_with_their_reason(three_runs, capsys):
    import json

    from pipelines.cli import main

    labels = [0, 1] * 200
    for run_id in ("run-edited", "run-unsealed"):
        write_run(three_runs, run_id, labels, labels)
    (three_runs.run_dir("ds", "run-edited") / "metrics.json").write_text('{"accuracy": 2.0}')  # forged
    status = three_runs.run_dir("ds", "run-unsealed") / "status.json"
    document = json.loads(status.read_text())
    del document["files"]  # reads like a run from before checksums
    status.write_text(json.dumps(document))
    root = str(three_runs.root)
    assert main(["--artifacts", root, "significance", "--dataset", "ds", "--resamples", "200"]) == 0
    out = capsys.readouterr().out
    assert "3 runs of ds" in out
    assert "left out: run-edited (corrupt: " in out and "left out: run-unsealed (unverified: " in out
    assert main(["--artifacts", root, "significance", "--dataset", "ds", "--resamples", "200", "--json"]) == 0
    left_out = {entry["run_id"]: entry["reason"] for entry in json.loads(capsys.readouterr().out)["left_out"]}
    assert set(left_out) == {"run-edited", "run-unsealed"}
    assert left_out["run-edited"].startswith("corrupt: ") and left_out["run-unsealed"].startswith("unverified: ")


@pytest.mark.parametrize("args,message", [
    (["--runs", "run-good", "run-elsewhere"], "runs of different data sets cannot be compared"),
    (["--dataset", "nowhere"], "no finished classifier runs of nowhere"),
    (["--dataset", "ds", "--resamples", "10"], "--resamples must be at least 100"),
    (["--runs", "run-good", "run-short"], "run-good (400 test texts) and run-short (100) were scored on different"),
    ([], "name a --dataset or the --runs"),
    (["--runs", "run-good", "run-good"], "--runs names run-good more than once"),  # not two seeds of one model
    (["--dataset", "ds", "--confidence", "nan"], "--confidence must be between"),
])  # fmt: skip
def test_the_significance_command_answers_bad_input_in_one_line(args, message, three_runs, capsys):
    from pipelines.cli import main

    labels = [0, 1] * 200
    write_run(three_runs, "run-elsewhere", labels, labels, dataset="other")
    write_run(three_runs, "run-short", labels[:100], labels[:100])  # another test split of the same data set
    assert main(["--artifacts", str(three_runs.root), "significance", *args]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


def test_predictions_naming_a_class_that_does_not_exist_are_damaged(three_runs):
    path = three_runs.run_dir("ds", "run-fair") / "predictions.csv"
    table = pd.read_csv(path)
    table.loc[0, "predicted"] = 7
    table.to_csv(path, index=False)
    reseal_checksums(path.parent)  # else the checksum names it corrupt before the classes are read
    result = compare_runs(three_runs, three_runs.runs("ds"), resamples=200)
    assert dict(result.left_out)["run-fair"] == "the test predictions of run-fair hold classes other than 0 to 1"


def test_many_models_against_one_over_seeds_are_holm_adjusted(tmp_path):
    from pipelines.comparison import versus

    store = Store(tmp_path / "store")
    labels = [0, 1] * 20
    for cell, wrongs in (("gru", (1, 2, 3)), ("lstm", (6, 8, 9)), ("rnn", (2, 4, 3)), ("lstm-one", (5,))):
        for seed, wrong in zip((42, 43, 44), wrongs):
            predicted = [1 - label if index < wrong else label for index, label in enumerate(labels)]
            write_run(store, f"{cell}-{seed}", predicted, labels, seed, cell=cell.split("-")[0],
                      hidden_size=32 if cell == "lstm-one" else 64)  # fmt: skip
    best, *others = seed_groups(store.runs("ds"))
    assert best.label == "GRU 1×64" and [len(group.runs) for group in others] == [3, 1, 3]
    with forbidding_full_collection():
        comparisons = versus(best, others)
    tested = [comparisons[0], comparisons[2]]
    raw = [comparison.p_value for comparison in tested]
    assert [c.p_adjusted for c in tested] == pytest.approx(list(multipletests(raw, method="holm")[1]))
    assert comparisons[1].p_value is None and comparisons[1].p_adjusted is None  # one seed: no test
