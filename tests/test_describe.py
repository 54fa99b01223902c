"""Every chart in words and as a table (dashboard/describe.py): tiny figures whose right description can be worked
out by hand, and the builders that carry the course's lessons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import figures
from dashboard.describe import chart_data, describe
from dashboard.features.lab import figures_lab


def test_a_line_is_told_by_its_start_its_end_and_the_extremes_between():
    figure = go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[0.5, 0.9, 0.2, 0.6], mode="lines", name="GRU"))
    figure.update_layout(title="Accuracy per epoch")
    figure.update_xaxes(title="epoch")
    figure.update_yaxes(title="accuracy", tickformat=".0%")
    words = describe(figure)
    assert words.startswith("Accuracy per epoch. Accuracy against epoch, 1 to 4;")
    assert "GRU: 50% at 1 to 60% at 4, highest 90% at 2, lowest 20% at 3." in words


def test_lines_that_say_the_same_are_told_once():
    figure = go.Figure()
    for name in ("LSTM", "GRU"):
        figure.add_scatter(x=[2, 20, 200], y=[1.0, 1.0, 1.0], mode="lines", name=name)
    figure.add_scatter(x=[2, 20, 200], y=[1.0, 0.5, 0.5], mode="lines", name="RNN")
    figure.update_yaxes(tickformat=".0%")
    words = describe(figure)
    assert "LSTM and GRU: 100% at 2 to 100% at 200" in words and "RNN: 100% at 2 to 50% at 200" in words


def test_bars_name_their_highest_and_lowest():
    words = list("abcdefg")
    figure = go.Figure(go.Bar(x=words, y=[3, 9, 1, 4, 5, 2, 6]))
    figure.update_layout(title="Counts")
    assert describe(figure) == "Counts. 7 bars, highest b 9, lowest c 1."


def test_a_few_horizontal_bars_are_read_one_by_one():
    figure = go.Figure(go.Bar(y=["negative", "positive"], x=[0.25, 0.75], orientation="h", name="share"))
    figure.update_xaxes(tickformat=".0%")
    assert describe(figure) == "A chart. Share: negative 25%, positive 75%."


def test_a_heatmap_says_its_size_and_where_its_extremes_are():
    figure = go.Figure(go.Heatmap(z=[[0.1, 0.2, 0.3], [0.9, -0.4, 0.0]], x=["the", "film", "rocks"],
                                  y=["unit 0", "unit 1"]))  # fmt: skip
    figure.update_layout(title="Hidden state")
    words = describe(figure)
    assert "A heatmap of 2 rows by 3 columns, values from -0.4 to 0.9" in words
    assert "highest 0.9 at unit 1, the; lowest -0.4 at unit 1, film" in words


def test_unnamed_dots_become_one_series_labelled_by_their_models():
    """figures.cell_comparison: one unnamed trace per run, at its cell, the run's label in customdata."""
    figure = go.Figure()
    for label, cell, f1 in (("LSTM 1×64", "LSTM", 0.81), ("RNN 1×64", "RNN", 0.62), ("GRU 1×64", "GRU", 0.79)):
        figure.add_scatter(x=[cell], y=[f1], mode="markers", customdata=[label], showlegend=False)
    figure.add_scatter(x=[None], y=[None], mode="markers", name="one way")  # a legend entry only: not data
    figure.update_yaxes(title="macro F1")
    words = describe(figure)
    assert "LSTM 1×64 0.81, RNN 1×64 0.62, GRU 1×64 0.79" in words and "one way" not in words


def test_the_roc_curves_name_every_model_with_its_auc():
    frame = pd.DataFrame({"label": ["GRU", "RNN"], "cell": ["gru", "rnn"], "bidirectional": [False, False],
                          "layers": [1, 1], "hidden_size": [64, 64]})  # fmt: skip
    curves = {"GRU": {"fpr": [0, 0.1, 1], "tpr": [0, 0.9, 1], "auc": 0.93},
              "RNN": {"fpr": [0, 0.5, 1], "tpr": [0, 0.55, 1], "auc": 0.52}}  # fmt: skip
    words = describe(figures.roc_curves(curves, figures.run_styles(frame), "positive"))
    assert words.startswith("ROC: positive against the rest. True positive rate against false positive rate")
    assert "GRU (AUC 0.930): 0% at 0% to 100% at 100%, average 90%" in words  # its AUC, from the curve
    assert "RNN (AUC 0.520): 0% at 0% to 100% at 100%, average 52%" in words


def test_a_confusion_matrix_reads_its_diagonal():
    figure = figures.confusion_pair([[40, 10], [5, 45]], ["negative", "positive"], "GRU 1×64")
    words = describe(figure)
    assert words.startswith("GRU 1×64. Counts: a heatmap of 2 true by 2 predicted")
    assert "diagonal: negative 40, positive 45" in words  # the counts, as printed on the cells
    assert "Share of each true class:" in words and "diagonal: negative 80%, positive 90%" in words


def test_the_memory_lab_says_which_cells_remember_across_the_distance():
    points = pd.DataFrame([{"distance": d, "cell": cell, "init": init, "fair": True, "accuracy": accuracy, "seed": 0}
                           for cell, init, curve in (("lstm", "chrono", [1.0, 1.0, 1.0]),
                                                     ("rnn", "identity", [1.0, 0.5, 0.5]))
                           for d, accuracy in zip((2, 20, 200), curve)])  # fmt: skip
    words = describe(figures_lab.accuracy_by_distance(points))
    assert "Test accuracy against distance D" in words and "2 to 200 (log scale)" in words
    assert "LSTM (chrono start): 100% at 2 to 100% at 200" in words
    assert "RNN (identity start): 100% at 2 to 50% at 200" in words


def test_panels_are_told_one_after_another_and_a_shared_axis_once():
    history = pd.DataFrame({"epoch": [1, 2, 3], "train_loss": [0.7, 0.5, 0.3], "val_loss": [0.69, 0.55, 0.6],
                            "train_accuracy": [0.5, 0.7, 0.9], "val_accuracy": [0.5, 0.72, 0.7]})  # fmt: skip
    frame = pd.DataFrame({"label": ["GRU"], "cell": ["gru"], "bidirectional": [False], "layers": [1],
                          "hidden_size": [64]})  # fmt: skip
    words = describe(figures.training_curves({"GRU": history}, figures.run_styles(frame), {"GRU": 2}))
    assert words.startswith("Panels: Loss (lower is better), Accuracy.")
    assert "Loss (lower is better): by epoch, 1 to 3; GRU: 0.69 at 1 to 0.6 at 3, lowest 0.55 at 2." in words
    assert "Accuracy: GRU: 50% at 1 to 70% at 3, highest 72% at 2." in words  # validation: the solid line
    assert words.count("epoch") == 1


def test_the_table_holds_every_point_of_every_trace():
    figure = go.Figure()
    figure.add_scatter(x=[1, 2], y=[0.5, 0.7], name="a")
    figure.add_scatter(x=[1, 2, 3], y=[0.1, None, 0.3], name="b")
    figure.update_xaxes(title="epoch")
    figure.update_yaxes(title="accuracy")
    table = chart_data(figure)
    assert list(table.columns) == ["series", "epoch", "accuracy"]
    assert table.values.tolist() == [["a", 1, 0.5], ["a", 2, 0.7], ["b", 1, 0.1], ["b", 3, 0.3]]


def test_the_table_of_a_heatmap_has_a_row_per_cell():
    figure = go.Figure(go.Heatmap(z=np.arange(6).reshape(2, 3), x=["a", "b", "c"], y=["r", "s"]))
    table = chart_data(figure)
    assert len(table) == 6 and table.iloc[-1][["row", "column", "value"]].tolist() == ["s", "c", 5]


def test_a_figure_of_an_unforeseen_shape_is_named_by_its_title_not_an_error():
    figure = go.Figure(go.Pie(labels=["a", "b"], values=[1, 2]))
    figure.update_layout(title="Shares")
    assert describe(figure) == "Shares."
    broken = go.Figure(go.Scatter(x=[1, 2], y=["a", "b"], mode="lines", name="odd"))
    broken.update_layout(title="Odd")
    assert describe(broken).startswith("Odd")
