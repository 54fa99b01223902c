"""The dashboard's pure parts: tables and figure builders, with data small enough to check by hand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import figures, tables
from pipelines.data import Vocabulary
from pipelines.store import RunRecord, Store


def record(run_id, cell="lstm", bi=False, layers=1, hidden=64, framework="torch", pooling="max", f1=0.7, **metrics):
    model = {"cell": cell, "bidirectional": bi, "layers": layers, "hidden_size": hidden, "embedding_size": 64,
             "dropout": 0.3, "pooling": pooling, "head": [], "batch_norm": False, "vocab_size": 100,
             "num_classes": 2}  # fmt: skip
    spec = {"framework": framework, "model": model, "dataset": {"classes": ["negative", "positive"]}}
    metrics = {"accuracy": 0.8, "f1_macro": f1, "roc_auc": 0.85, "parameters": 1000, "train_seconds": 3.0, **metrics}
    return RunRecord("ds", run_id, Path(run_id), "done", {"updated_at": 1.0}, spec, metrics)


def test_labels_are_readable_and_unique():
    runs = [record("a", "gru", bi=True), record("b", "lstm", layers=2, hidden=128), record("c", "lstm", pooling="mean")]
    runs.append(record("torch-lstm-uni-1x64-max-1234abcd", "lstm"))  # reads like "c"
    labels = tables.run_labels(runs)
    assert labels["a"] == "BiGRU 1×64" and labels["b"] == "LSTM 2×128"
    assert labels["c"] == "LSTM 1×64 · c" and labels["torch-lstm-uni-1x64-max-1234abcd"] == "LSTM 1×64 · 1234abcd"
    mixed = tables.run_labels([record("a"), record("k", framework="keras")])
    assert mixed == {"a": "LSTM 1×64 · PyTorch", "k": "LSTM 1×64 · Keras"}


def test_a_run_without_a_spec_is_labelled_by_its_id():
    queued = RunRecord("ds", "torch-gru-uni-1x64-max-00000000", Path("x"), "queued")
    assert tables.run_labels([queued]) == {queued.run_id: queued.run_id}


def test_run_frame_is_sorted_by_macro_f1_and_leaderboard_names_things():
    frame = tables.run_frame([record("a", f1=0.6), record("b", "gru", f1=0.9), record("c", "rnn", f1=None)])
    assert list(frame["run_id"]) == ["b", "a", "c"]
    board = tables.leaderboard(frame)
    assert list(board.columns[:8]) == ["model", "cell", "direction", "layers", "accuracy", "macro F1", "ROC AUC",
                                       "parameters"]  # fmt: skip
    assert board["cell"].tolist() == ["GRU", "LSTM", "RNN"] and board["framework"].iloc[0] == "PyTorch"


def test_styles_keep_a_cell_in_its_colour_family_and_draw_bidirectional_dashed():
    frame = tables.run_frame([record("a", "lstm"), record("b", "lstm", bi=True), record("c", "lstm", layers=2),
                              record("d", "gru")])  # fmt: skip
    styles = figures.run_styles(frame)
    by_label = dict(zip(frame["run_id"], frame["label"]))
    assert styles[by_label["a"]].colour == styles[by_label["b"]].colour  # same shape, other direction
    assert styles[by_label["b"]].dash == "dash" and styles[by_label["a"]].dash == "solid"
    assert styles[by_label["c"]].colour != styles[by_label["a"]].colour
    assert styles[by_label["d"]].colour == figures.CELL_COLOURS["gru"]
    assert figures.shade("#000000", 0.5) == "#808080" and figures.shade("#ffffff", -1.0) == "#000000"


def test_token_view_marks_unknown_words_and_what_maxlen_cuts():
    vocabulary = Vocabulary(["<pad>", "<unk>", "a", "great", "film"], maxlen=3)
    view = tables.token_view("A GREAT <b>film", vocabulary)
    assert view == [("A", "known"), ("GREAT", "known"), ("<", "unknown"), ("b", "beyond"), (">", "beyond"),
                    ("film", "beyond")]  # fmt: skip
    assert tables.token_view("", vocabulary) == []


def test_sweep_points_place_each_run_in_its_studies():
    from pipelines.models.zoos import SWEEP_BASE

    base = record("base", "gru")  # the shared base: in every study
    deep = record("deep", "gru", layers=2)
    other = record("other", "gru", hidden=48)  # not a sweep model
    for run in (base, deep, other):
        run.spec["model"].update(pooling=SWEEP_BASE.pooling, dropout=SWEEP_BASE.dropout,
                                 embedding_size=SWEEP_BASE.embedding_size)  # fmt: skip
    points = tables.sweep_points([base, deep, other], tables.run_labels([base, deep, other]))
    assert sorted(points["study"]) == ["depth", "depth", "direction", "width"]
    assert set(points.loc[points["study"] == "depth", "value"]) == {1, 2}


def test_roc_legend_reads_best_first_with_auc():
    styles = {"A": figures.Style("#000", "solid", "circle"), "B": figures.Style("#111", "dash", "diamond")}
    curves = {"A": {"fpr": [0, 1], "tpr": [0, 1], "auc": 0.5}, "B": {"fpr": [0, 0, 1], "tpr": [0, 1, 1], "auc": 1.0}}
    names = [trace.name for trace in figures.roc_curves(curves, styles, "positive").data]
    assert names == ["chance (AUC 0.50)", "B (AUC 1.000)", "A (AUC 0.500)"]


def test_confusion_pair_shows_counts_and_row_shares():
    figure = figures.confusion_pair([[3, 1], [0, 0]], ["negative", "positive"], "model")
    counts, shares = figure.data
    assert np.asarray(counts.z).tolist() == [[3, 1], [0, 0]]
    assert np.asarray(shares.z).tolist() == [[0.75, 0.25], [0.0, 0.0]]  # an empty row stays 0, not NaN
    assert counts.xaxis == "x" and shares.xaxis == "x2"


def test_metrics_heatmap_ranks_within_each_metric_and_prints_values():
    table = pd.DataFrame({"accuracy": [0.8, 0.9], "ROC AUC": [0.7, np.nan]}, index=["A", "B"])
    heatmap = figures.metrics_heatmap(table).data[0]
    assert np.asarray(heatmap.z)[:, 0].tolist() == [0.0, 1.0]
    assert heatmap.text[1][1] == "–" and heatmap.text[0][0] == "0.800"


def test_length_histogram_marks_maxlen_even_beyond_the_longest_review():
    figure = figures.length_histogram([1, 5, 10], [4, 2], maxlen=64, truncated_fraction=0.0)
    assert figure.layout.shapes[0].x0 == 64
    assert figure.layout.xaxis.range[1] > 64
    assert "no review is cut" in figure.layout.annotations[0].text


def test_presentation_mode_scales_text_and_lines():
    normal = figures.styled(figures.class_balance({"train": [1, 3]}, ["negative", "positive"]))
    histories = {"A": pd.DataFrame({"epoch": [1, 2], "train_loss": [1, 0.5], "val_loss": [1, 0.6],
                                    "train_accuracy": [0.5, 0.7], "val_accuracy": [0.5, 0.6]})}  # fmt: skip
    styles = {"A": figures.Style("#123456", "solid", "circle")}
    big = figures.styled(figures.training_curves(histories, styles, {"A": 2}), presentation=True)
    assert normal.layout.font.size == 14 and big.layout.font.size == 21
    assert big.data[0].line.width > 2.5 and big.layout.height > 380
    assert big.layout.legend.yref == "container"  # legends sit under the chart, never clipped


def test_store_change_token_moves_when_a_run_is_written(tmp_path):
    store = Store(tmp_path)
    empty = store.last_changed("ds")
    with store.claim("ds", "run-1") as claim:
        claim.set_status("running", progress=0.1)
        first = store.last_changed("ds")
        claim.set_status("running", progress=0.2)
        assert store.last_changed("ds") != first != empty


@pytest.mark.parametrize("builder,args", [
    (figures.prediction_bars, (pd.DataFrame({"negative": [0.2], "positive": [0.8]}, index=["A"]),
                               ["negative", "positive"])),
    (figures.cell_comparison, (tables.run_frame([record("a"), record("b", "gru", bi=True)]),)),
])  # fmt: skip
def test_other_builders_make_figures_plotly_accepts(builder, args):
    figure = figures.styled(builder(*args))
    assert figure.to_plotly_json()["layout"]["font"]["size"] == 14


def test_token_chips_escape_every_token():
    from dashboard.highlight import READ_LOOKS, token_chips

    markup = token_chips([("<script>alert(1)</script>", "known"), ('"><img src=x onerror=y>', "unknown")], READ_LOOKS,
                         hidden=3)  # fmt: skip
    assert "<script" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup and "&quot;&gt;&lt;img" in markup
    assert "and 3 more tokens" in markup
