"""The dashboard's pure parts: tables and figure builders, with data small enough to check by hand."""

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import run_documents
from dashboard import figures, tables
from pipelines.data import Vocabulary
from pipelines.records import RunRecord, framework_twins
from pipelines.store import Store


def record(run_id, cell="lstm", bi=False, layers=1, hidden=64, framework="torch", pooling="max", f1=0.7,
           training=None, **model):  # fmt: skip
    return run_documents.record(run_id, framework, f1=f1, training=training, cell=cell, bidirectional=bi,
                                layers=layers, hidden_size=hidden, pooling=pooling, **model)  # fmt: skip


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
    frame = tables.run_frame([record("a", f1=0.6), record("b", "gru", f1=0.9), record("c", "rnn", f1=0.5)])
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

    shape = dict(pooling=SWEEP_BASE.pooling, dropout=SWEEP_BASE.dropout, embedding_size=SWEEP_BASE.embedding_size)
    base = record("base", "gru", **shape)  # the shared base: in every study
    deep = record("deep", "gru", layers=2, **shape)
    other = record("other", "gru", hidden=48, **shape)  # not a sweep model
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


def font_size(figure) -> int:
    """The text size Plotly draws: the figure's own, else its template's (styled() sets the look as a template)."""
    return figure.layout.font.size or figure.layout.template.layout.font.size


def test_presentation_mode_scales_text_and_lines():
    normal = figures.styled(figures.class_balance({"train": [1, 3]}, ["negative", "positive"]))
    histories = {"A": pd.DataFrame({"epoch": [1, 2], "train_loss": [1, 0.5], "val_loss": [1, 0.6],
                                    "train_accuracy": [0.5, 0.7], "val_accuracy": [0.5, 0.6]})}  # fmt: skip
    styles = {"A": figures.Style("#123456", "solid", "circle")}
    big = figures.styled(figures.training_curves(histories, styles, {"A": 2}), presentation=True)
    assert font_size(normal) == 14 and font_size(big) == 21
    assert {note.font.size for note in big.layout.annotations} == {21}  # the panels' titles, set on each one
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
    assert font_size(figure) == 14 and figure.to_plotly_json()["layout"]["template"]["layout"]["font"]["size"] == 14


def test_token_chips_escape_every_token():
    from dashboard.highlight import READ_LOOKS, token_chips

    markup = token_chips([("<script>alert(1)</script>", "known"), ('"><img src=x onerror=y>', "unknown")], READ_LOOKS,
                         hidden=3)  # fmt: skip
    assert "<script" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup and "&quot;&gt;&lt;img" in markup
    assert "and 3 more tokens" in markup


# -- inside the model and the glass box -----------------------------------------------------------


def test_repeated_tokens_stay_apart_on_the_token_axis():
    from dashboard.figures_inside import token_labels

    labels = token_labels(["the", "film", "the", "the"])
    assert len(set(labels)) == 4 and [label.replace("\u200b", "") for label in labels] == ["the", "film", "the", "the"]


def test_state_heatmap_orders_units_and_picks_the_value_scale():
    from dashboard.figures_inside import state_heatmap

    values = np.array([[0.1, -0.9, 0.5], [0.2, -0.8, 0.4]])  # (tokens, units)
    heatmap = state_heatmap(values, ["good", "film"], np.array([2, 0, 1]), "hidden", "h").data[0]
    assert list(heatmap.y) == ["unit 2", "unit 0", "unit 1"]
    np.testing.assert_allclose(np.asarray(heatmap.z)[0], [0.5, 0.4])  # unit 2 first, over both tokens
    assert (heatmap.zmin, heatmap.zmax) == (-1.0, 1.0)
    gate = state_heatmap(np.full((2, 3), 0.5), ["a", "b"], np.arange(3), "forget", "f").data[0]
    assert (gate.zmin, gate.zmax) == (0.0, 1.0)
    cell = state_heatmap(values * 3, ["a", "b"], np.arange(3), "cell", "c").data[0]
    assert cell.zmax == pytest.approx(2.7) and cell.zmin == pytest.approx(-2.7)


def test_units_are_named_by_their_words_and_every_gate_gets_a_heatmap_in_the_same_unit_order():
    from dashboard.figures_inside import gate_heatmaps, state_heatmap
    from dashboard.palette import HIDDEN_STATES

    names = ["great↑ dull↓", "", "not↑ film↓"]  # one per unit, in index order; unit 1 moved by no word
    heatmap = state_heatmap(np.zeros((2, 3)), ["not", "bad"], np.array([2, 0, 1]), "hidden", "h", names).data[0]
    assert list(heatmap.y) == ["u2 not↑ film↓", "u0 great↑ dull↓", "u1"]
    assert {colour for _, colour in HIDDEN_STATES}.isdisjoint(figures.CLASS_COLOURS.values())  # a sign is not a class
    values = {"input": np.array([[0.1, 0.9, 0.5]] * 2), "forget": np.array([[1.0, 0.0, 0.5]] * 2)}  # (tokens, units)
    means = {name: array.mean(axis=1) for name, array in values.items()}
    figure = gate_heatmaps({**values, "cell": np.ones((2, 3))}, means, ["not", "bad"], np.array([1, 0, 2]), "g", names)
    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    assert [np.asarray(trace.z)[:, 0].tolist() for trace in heatmaps] == [[0.9, 0.1, 0.5], [0.0, 1.0, 0.5]]
    assert all(trace.y[0] == "u1" for trace in heatmaps) and (heatmaps[0].zmin, heatmaps[0].zmax) == (0.0, 1.0)
    assert [trace.name for trace in figure.data if trace.type == "scatter"] == ["input gate i", "forget gate f"]
    assert font_size(figures.styled(figure)) == 14


def test_every_value_the_explanation_keeps_has_a_title():
    from dashboard.figures_inside import VALUE_TITLES
    from pipelines.explain import CELL_VALUES

    assert {value for values in CELL_VALUES.values() for value in values} | {"hidden"} == set(VALUE_TITLES)


@pytest.mark.parametrize("classes", [["negative", "positive"], ["negative", "neutral", "positive"]])
def test_trajectory_draws_one_line_for_two_classes_and_one_per_class_for_more(classes):
    from dashboard.figures_inside import trajectory

    probabilities = np.full((4, len(classes)), 1 / len(classes))
    figure = figures.styled(trajectory(probabilities, ["not", "bad", "at", "all"], classes))
    assert len(figure.data) == (1 if len(classes) == 2 else 3)


def test_other_inside_builders_make_figures_plotly_accepts():
    from dashboard.features.glass_box.figures_glassbox import difference_lines
    from dashboard.figures_inside import attribution_bars, gate_means, norm_lines, top_word_bars

    tokens = ["a", "fine", "film"]
    for figure in (
        norm_lines({"forward": np.ones(3), "backward": np.zeros(3)}, tokens, "#3558d6"),
        gate_means({"forget": np.full(3, 0.9), "candidate": np.zeros(3)}, tokens, "gates"),
        attribution_bars({"before": np.ones(3), "after": np.ones(2)}, {"before": tokens, "after": tokens[:2]}, "t"),
        top_word_bars(["fine", "good"], [1.2, 0.8], [7, 5], "positive", "#0072b2"),
        difference_lines({"hidden": np.array([1e-8, 0.0, 3e-7])}, tokens, 1e-5, "agreement"),
    ):
        assert font_size(figures.styled(figure)) == 14
    assert len(gate_means({"forget": np.ones(3), "candidate": np.ones(3)}, tokens, "g").data) == 1  # gates only


def test_attribution_chips_escape_tokens_and_tint_by_score():
    from dashboard.highlight import attribution_chips, colour_key
    from dashboard.palette import NEGATIVE, POSITIVE, tint

    markup = attribution_chips([("<script>x</script>", 2.0, True), ("dull", -1.0, False), ("a", 0.0, True)],
                               max_abs=2.0, towards=POSITIVE, against=NEGATIVE, hidden=4)  # fmt: skip
    assert "<script" not in markup and "&lt;script&gt;" in markup
    assert f"background:{POSITIVE};color:#ffffff" in markup  # full strength: white on the blue (5.2:1)
    assert f"background:{tint(NEGATIVE, 0.5)};color:#000000" in markup  # half strength: black on light orange
    assert "<sup" in markup and ">+</sup>" in markup and ">−</sup>" in markup  # the sign beside the colour
    assert 'title="+2.000"' in markup and "underline dotted" in markup and "and 4 more tokens" in markup
    unscored = attribution_chips([("a", 0.0, True)], 0.0, POSITIVE, NEGATIVE)
    assert "background:#ffffff" in unscored and "<sup" not in unscored  # no colour, no sign
    assert "&lt;b&gt;" in colour_key([("<b>class</b>", "#000000")])


def test_framework_pairs_match_the_same_spec_settings_and_data():
    torch_run, keras_run = record("torch-gru", "gru"), record("keras-gru", "gru", framework="keras")
    other = record("keras-lstm", "lstm", framework="keras")  # another architecture
    retrained = record("keras-gru-2", "gru", framework="keras", training={"epochs": 5})  # other settings: no twin
    pairs = framework_twins([torch_run, keras_run, other, retrained])
    assert [(a.run_id, b.run_id) for a, b in pairs] == [("torch-gru", "keras-gru")]
    comparison = tables.framework_comparison(pairs[0])
    assert list(comparison.columns) == ["measure", "PyTorch", "Keras"]
    rows = dict(zip(comparison["measure"], comparison["PyTorch"]))
    assert rows["parameters"] == "1,000" and rows["seconds per epoch"] == "1.5000" and rows["accuracy"] == "0.7500"
    assert rows["device"] == "–"  # not recorded


@pytest.mark.parametrize("classes,against", [(["negative", "positive"], "#d55e00"),
                                             (["neg", "neu", "pos"], "#6b7280")])  # fmt: skip
def test_explanation_chips_colour_towards_the_explained_class(classes, against):
    from types import SimpleNamespace

    from dashboard.highlight import explanation_chips
    from dashboard.palette import tint

    tokens = [SimpleNamespace(start=0, end=4, known=True), SimpleNamespace(start=5, end=9, known=False)]
    explanation = SimpleNamespace(target=len(classes) - 1, classes=classes, text="good dull", read_tokens=tokens,
                                  truncated=0)  # fmt: skip
    attribution = SimpleNamespace(scores=np.array([1.0, -1.0]), max_abs=1.0, signed=True)
    markup = explanation_chips(explanation, attribution)
    assert ">good<sup" in markup and ">dull<sup" in markup and f"+ towards {classes[-1]}" in markup
    assert f"background:{tint(against, 1.0)}" in markup  # the negative word, in the other class's colour (or grey)


def test_the_gradient_norm_legend_names_its_line_styles():
    """Issue 22 (8): mean solid and largest dotted, but no legend said so (the training curves' said
    "training/validation" just above it)."""
    histories = {"A": pd.DataFrame({"epoch": [1, 2], "learning_rate": [1e-3, 1e-3], "grad_norm": [1.0, 0.8],
                                    "grad_norm_max": [3.0, 2.0]})}  # fmt: skip
    figure = figures.optimisation_curves(histories, {"A": figures.Style("#123456", "solid", "circle")})
    meanings = {trace.name: trace.line.dash for trace in figure.data if trace.legendgroup == "line styles"}
    assert meanings == {"mean gradient norm": "solid", "largest in an epoch": "dot"}
    drawn = {trace.line.dash or "solid" for trace in figure.data if trace.yaxis == "y2"}
    assert drawn == {"solid", "dot"}  # the styles the legend names are the ones drawn


def test_a_length_histogram_of_one_length_shows_its_bar_beside_the_maxlen_line():
    """Issue 22 (8): every memory-dN sequence is D + 1 tokens, which is also maxlen: the one thin bar sat under
    the dashed maxlen line. A bar is now never narrower than 3% of the axis: it shows on both sides of the line."""
    edges = [6.5 + index / 7 for index in range(8)]  # the memory-d6 store's bins: one of them holds everything
    figure = figures.length_histogram(edges, [0, 0, 0, 4000, 0, 0, 0], maxlen=7, truncated_fraction=0.0,
                                      unit="tokens", items="sequences")  # fmt: skip
    assert figure.layout.shapes[0].x0 == 7 and figure.layout.shapes[0].line.width == 3
    axis = figure.layout.xaxis.range[1] - figure.layout.xaxis.range[0]
    full = [width for width, count in zip(figure.data[0].width, figure.data[0].y) if count]
    assert full and min(full) >= 0.03 * axis  # 10 px on the Overview's narrowest chart (330 px): 3 px each side


def test_a_chart_is_built_once_per_content_of_its_inputs_and_a_changed_input_builds_it_again():
    """ui.styled_figure keys its cache on a digest of the inputs' pickle: equal inputs (new objects, as each rerun
    reads them) are one figure; a changed value is another; inputs that cannot be pickled (a function) are drawn, not kept."""
    from dashboard import ui

    built = []

    def bars(frame: pd.DataFrame, title: str, colour=None) -> go.Figure:
        built.append(title)
        return go.Figure(go.Bar(x=frame["x"], y=frame["y"]), layout=dict(title=title))

    def frame(last: float) -> pd.DataFrame:
        return pd.DataFrame({"x": ["a", "b"], "y": [1.0, last]})

    first, words = ui.styled_figure(bars, (frame(2.0), "cache test"), {}, False, None)
    again, _ = ui.styled_figure(bars, (frame(2.0), "cache test"), {}, False, None)
    changed, _ = ui.styled_figure(bars, (frame(2.5), "cache test"), {}, False, None)
    assert again is first and changed is not first and built == ["cache test", "cache test"]
    assert list(changed.data[0].y) == [1.0, 2.5]
    assert words.lower().startswith("cache test")  # its description in words (dashboard.describe)
    assert ui.styled_figure(bars, (frame(2.0), "cache test"), {}, True, None)[0] is not first  # presentation: its own
    unpicklable, _ = ui.styled_figure(bars, (frame(2.0), "cache test"), {"colour": lambda: None}, False, None)
    assert list(unpicklable.data[0].y) == [1.0, 2.0] and unpicklable is not first and len(built) == 4
