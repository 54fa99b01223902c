"""The pages for honest comparisons through Streamlit's AppTest: significance, the report button, the
baseline's word weights in the Playground, and the tables and figures they draw from."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import run_documents
from dashboard import comparisons, figures, figures_comparisons, tables
from dashboard_stores import open_page, problems, trained_store
from pipelines.store import Store


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_store(tmp_path_factory)


@pytest.fixture
def real_runs(trained, monkeypatch):
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(trained))
    return trained


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def test_the_significance_page_tests_every_pair_and_says_it_in_words(real_runs):
    app = open_page("significance")
    assert not problems(app)
    chosen = app.multiselect(key="runs").value
    assert len(chosen) == 9  # the first seed of each of the quick zoo's 7 models, and the 2 baselines
    matrix, differences = (chart.proto.spec for chart in app.get("plotly_chart")[:2])
    assert '"type":"heatmap"' in matrix and "Each model minus" in differences
    sentences = texts(app.markdown)
    assert sentences.count("points of accuracy, 95% interval") == 8  # every model against the reference
    assert "McNemar p" in sentences and "Holm-adjusted for 36 pairs" in sentences
    assert "Over seeds" in texts(app.subheader) and len(app.dataframe[-1].value) == 2  # the GRUs' two seeds
    reference = chosen[-1]
    app.selectbox(key="reference").set_value(reference).run()
    assert not problems(app) and "minus " in app.get("plotly_chart")[1].proto.spec
    app.multiselect(key="runs").set_value(chosen[:1]).run()
    assert "Pick at least two models" in texts(app.info)


def test_the_significance_page_of_one_seed_per_model_asks_for_more(real_runs):
    app = open_page("significance")
    app.sidebar.selectbox(key="dataset").set_value("nusax").run()
    assert not problems(app)
    assert "--seeds 3" in texts(app.info)  # every NusaX model was trained once


def test_the_report_page_builds_an_html_file_to_download(real_runs):
    app = open_page("report")
    [button for button in app.button if button.label == "Build the HTML report"][0].click().run()
    assert not problems(app)
    assert "opens without a network" in texts(app.success)
    download = app.get("download_button")
    assert download and "rnnlens-rt-polarity-" in download[0].proto.label
    app.text_area(key="report_text").input("Another review entirely.").run()
    assert "settings changed" in texts(app.caption) and not app.get("download_button")


def test_the_playground_shows_the_baselines_word_weights_escaped(real_runs):
    app = open_page("playground")
    app.text_input(key="text").input('<img src=x onerror="alert(1)"> a wonderful film').run()
    assert not problems(app)
    assert "Why TF-IDF + LR (1-2 grams) says so" in texts(app.markdown)
    shown = "".join(html.proto.body for html in app.get("html"))
    assert "<img" not in shown and "&lt;" in shown  # the tokens "<", "img", ... each escaped
    ngrams = next(chart.proto.spec for chart in app.get("plotly_chart") if "n-grams that decided" in chart.proto.spec)
    assert "wonderful" in ngrams and "<img" not in ngrams  # user text on a chart is escaped too


# -- the pure parts ----------------------------------------------------------------------------


def test_the_model_table_summarises_seeds_and_measures_the_gap_to_tfidf(trained):
    records = [record for record in Store(trained).runs("rt-polarity") if record.state == "done"]
    frame = comparisons.model_frame(records)
    assert len(frame) == 9 and sorted(frame["seeds"]) == [1] * 7 + [2] * 2
    assert list(frame["f1_macro"]) == sorted(frame["f1_macro"], reverse=True)
    gru = frame[frame["seeds"] == 2].iloc[0]
    values = [record.metrics.accuracy for record in records if record.run_id in gru["run_ids"]]
    assert gru["accuracy"] == pytest.approx(np.mean(values)) and gru["accuracy_std"] == pytest.approx(
        np.std(values, ddof=1))
    tfidf = frame.loc[frame["baseline"] == "tfidf-lr", "accuracy"].iloc[0]
    assert gru["over_tfidf"] == pytest.approx(gru["accuracy"] - tfidf)
    board = comparisons.model_leaderboard(frame)
    assert board.loc[frame["baseline"].notna(), "cell"].tolist() == ["baseline"] * 2
    line = comparisons.headline(frame)
    assert line.best_accuracy == frame.loc[frame["baseline"].isna(), "accuracy"].max()
    assert line.gain == pytest.approx(line.best_accuracy - tfidf)


def test_two_equal_models_read_plus_zero_both_ways_in_the_matrix():
    """Row minus column of two models with the same accuracy (or 0.04 points apart) is 0 both ways, never "-0.0"."""
    differences = np.array([[np.nan, 0.0, 12.5], [-0.0, np.nan, 12.46], [-12.5, -12.46, np.nan]])
    verdicts = np.array([[np.nan, 0, 2], [0, np.nan, 2], [0, 0, np.nan]])
    figure = figures_comparisons.significance_heatmap(["A", "B", "C"], differences, verdicts, [[""] * 3] * 3)
    assert figure.data[0].text.tolist() == [["", "+0.0", "+12.5 ✓"], ["+0.0", "", "+12.5 ✓"], ["-12.5", "-12.5", ""]]
    tiny = figures_comparisons.significance_heatmap(["A", "B"], np.array([[np.nan, 0.04], [-0.04, np.nan]]),
                                                    np.array([[np.nan, 0], [0, np.nan]]), [[""] * 2] * 2)
    assert tiny.data[0].text.tolist() == [["", "+0.0"], ["+0.0", ""]]


def test_labels_name_the_seed_only_where_it_tells_runs_apart():
    def run(run_id, seed, **model):
        return run_documents.record(run_id, training={"epochs": 2, "seed": seed}, **model)

    labels = tables.run_labels([run("a", 42, cell="gru"), run("b", 43, cell="gru"), run("c", 42, cell="lstm")])
    assert labels == {"a": "GRU 1×64 · seed 42", "b": "GRU 1×64 · seed 43", "c": "LSTM 1×64"}


def test_baselines_get_grey_dotted_styles_and_dashed_lines_in_the_cell_chart(trained):
    records = [record for record in Store(trained).runs("rt-polarity") if record.state == "done"]
    frame = tables.run_frame(records)
    styles = figures.run_styles(frame)
    tfidf = frame.loc[frame["baseline"] == "tfidf-lr", "label"].iloc[0]
    assert styles[tfidf] == figures.Style(figures.BASELINE_COLOURS["tfidf-lr"], "dot", "square")
    cells = figures.cell_comparison(frame)
    assert any(shape.line.dash == "dash" for shape in cells.layout.shapes)  # the TF-IDF line across
    dots = [label for trace in cells.data for label in (trace.customdata if trace.customdata is not None else ())]
    assert len(dots) == len(frame) - 2 and tfidf not in dots  # every recurrent run a dot; a baseline is a line


def test_the_interval_chart_draws_a_bar_per_seeded_model_and_names_a_far_baseline():
    frame = pd.DataFrame([
        {"label": "GRU", "seeds": 3, "cell": "gru", "baseline": None, "bidirectional": False, "accuracy": 0.76,
         "accuracy_low": 0.74, "accuracy_high": 0.78, "accuracy_values": (0.75, 0.76, 0.77)},
        {"label": "LSTM", "seeds": 1, "cell": "lstm", "baseline": None, "bidirectional": True, "accuracy": 0.75,
         "accuracy_low": None, "accuracy_high": None, "accuracy_values": (0.75,)},
        {"label": "TF-IDF", "seeds": 1, "cell": None, "baseline": "tfidf-lr", "bidirectional": False,
         "accuracy": 0.77, "accuracy_low": None, "accuracy_high": None, "accuracy_values": (0.77,)},
        {"label": "Majority", "seeds": 1, "cell": None, "baseline": "majority", "bidirectional": False,
         "accuracy": 0.5, "accuracy_low": None, "accuracy_high": None, "accuracy_values": (0.5,)},
    ])  # fmt: skip
    figure = figures_comparisons.model_intervals(frame)
    bars = [trace for trace in figure.data if trace.error_x.array is not None]
    assert [trace.y[0] for trace in bars] == ["GRU"] and bars[0].error_x.array[0] == pytest.approx(0.02)
    assert next(trace for trace in figure.data if trace.y[0] == "GRU").marker.color == figures.CELL_COLOURS["gru"]
    assert "Majority: 0.500, off the left edge" in figure.layout.xaxis.title.text
    assert [annotation.text for annotation in figure.layout.annotations] == ["TF-IDF 0.770"]


def test_sweep_points_over_seeds_become_one_point_with_an_interval():
    points = pd.DataFrame({
        "study": ["depth", "depth", "depth", "direction", "direction"], "value": [1, 1, 2, True, False],
        "cell": ["gru"] * 5, "framework": ["torch"] * 5, "f1_macro": [0.70, 0.74, 0.76, 0.72, 0.71],
        "label": ["GRU 1×64 · seed 42", "GRU 1×64 · seed 43", "GRU 2×64", "BiGRU 1×64", "GRU 1×64"],
        "run_id": list("abcde"),
    })  # fmt: skip
    summary = comparisons.sweep_summary(points)
    one_layer = summary[(summary["study"] == "depth") & (summary["value"] == 1)].iloc[0]
    assert one_layer["f1_macro"] == pytest.approx(0.72) and one_layer["seeds"] == 2 and one_layer["f1_low"] < 0.70
    assert one_layer["label"] == "GRU 1×64" and len(summary) == 4
    figure = figures.sweep_studies(summary)
    depth = next(trace for trace in figure.data if trace.xaxis == "x")
    assert list(depth.x) == ["1", "2"] and depth.error_y.array[0] > 0  # 1 layer, not "both ways"
    direction = next(trace for trace in figure.data if trace.xaxis == "x2")
    assert list(direction.x) == ["one way", "both ways"]


def test_one_seed_has_no_spread_and_no_cell_reads_none(trained):
    """Issue 22 (8): the ± sd cells of a model trained once read "None" on the Overview and in the report."""
    from dashboard.report.render import table

    records = [record for record in Store(trained).runs("nusax") if record.state == "done"]
    board = comparisons.model_leaderboard(comparisons.model_frame(records))
    assert (board["seeds"] == 1).all()
    for column in ("± sd", "F1 ± sd", "ROC AUC", "vs TF-IDF + LR"):
        assert board[column].dtype == float, column  # NaN: an empty cell in st.dataframe's number columns
    assert board["± sd"].isna().all() and board["F1 ± sd"].isna().all()
    html = str(table(board, {"± sd": ".3f", "F1 ± sd": ".3f"}))
    assert "None" not in html and "<td>–</td>" in html


def test_the_overview_writes_a_dash_where_one_seed_has_no_spread(real_runs):
    """Issue 22 (8): st.dataframe writes a missing number as "None"; rt-polarity has GRUs trained twice."""
    app = open_page("overview")
    board = app.dataframe[0].value
    for column in ("± sd", "F1 ± sd"):
        spreads = dict(zip(board["seeds"], board[column]))
        assert spreads[1] == "–" and float(spreads[2]) >= 0 and board[column].notna().all(), column


def test_the_baselines_value_never_sits_on_a_cells_best_label():
    """Issue 22 (8): "best 0.757" (GRU) sat on "TF-IDF + LR 0.756", both written above nearly the same height.
    A baseline's name and value are in the legend, by its dashed line; the plot keeps one label per column."""
    frame = pd.DataFrame([
        {"run_id": "r", "label": "RNN", "cell": "rnn", "bidirectional": False, "f1_macro": 0.744, "baseline": None},
        {"run_id": "g", "label": "GRU", "cell": "gru", "bidirectional": False, "f1_macro": 0.757, "baseline": None},
        {"run_id": "t", "label": "TF-IDF + LR", "cell": None, "bidirectional": False, "f1_macro": 0.756,
         "baseline": "tfidf-lr"},
    ])  # fmt: skip
    figure = figures.cell_comparison(frame)
    notes = [(note.x, note.text) for note in figure.layout.annotations]
    assert notes == [("RNN", "best 0.744"), ("GRU", "best 0.757")]  # one per column: none can meet another
    baseline = next(trace for trace in figure.data if trace.name == "TF-IDF + LR 0.756")
    assert baseline.line.dash == "dash" and baseline.line.color == figures.BASELINE_COLOURS["tfidf-lr"]
    assert any(shape.y0 == 0.756 and shape.line.dash == "dash" for shape in figure.layout.shapes)


def cell_frame() -> pd.DataFrame:
    """The issue's picture: three cells 0.013 apart, TF-IDF + LR among them, the majority class far below."""
    rows = [("rnn", 0.763), ("lstm", 0.770), ("gru", 0.776), (None, 0.756), (None, 0.333)]
    return pd.DataFrame([{"run_id": f"run-{index}", "label": cell or ("TF-IDF + LR" if f1 > 0.5 else "Majority"),
                          "cell": cell, "bidirectional": False, "f1_macro": f1,
                          "baseline": None if cell else ("tfidf-lr" if f1 > 0.5 else "majority")}
                         for index, (cell, f1) in enumerate(rows)])  # fmt: skip


def test_the_cell_chart_carries_each_runs_interval_on_an_honest_axis():
    """Defect 10: "Macro F1 by cell" spanned 0.73-0.79, so a 0.013 gap filled the chart, with no interval."""
    frame = cell_frame()
    intervals = {"run-0": (0.738, 0.788), "run-1": (0.745, 0.795), "run-2": (0.751, 0.800)}
    figure = figures.cell_comparison(frame, intervals)
    dots = [trace for trace in figure.data if trace.customdata is not None]
    assert [trace.error_y.array[0] + trace.y[0] for trace in dots] == pytest.approx([0.788, 0.795, 0.800])
    assert [trace.y[0] - trace.error_y.arrayminus[0] for trace in dots] == pytest.approx([0.738, 0.745, 0.751])
    low, high = figure.layout.yaxis.range
    assert low <= 0.333 < 0.800 <= high  # down to the majority class, whose line is drawn
    assert {shape.y0 for shape in figure.layout.shapes} == {0.756, 0.333}
    assert (0.776 - 0.763) / (high - low) < 0.05  # the gap is a sliver of the axis, as it is of the scale
    assert "95% intervals" in figure.layout.title.text


def test_the_cell_chart_draws_hollow_the_runs_the_paired_test_tells_apart_from_the_best():
    figure = figures.cell_comparison(cell_frame(), apart={"run-0"}, best="run-2")
    dots = {trace.customdata[0]: trace for trace in figure.data if trace.customdata is not None}
    assert dots["rnn"].marker.symbol == "circle-open" and dots["gru"].marker.symbol == "circle"
    assert "worse than the best, for real" in dots["rnn"].hovertemplate
    assert "cannot be told apart from the best" in dots["lstm"].hovertemplate
    assert "the best run" in dots["gru"].hovertemplate


def test_the_cell_uncertainty_reads_the_tests_of_every_run_against_the_best():
    from types import SimpleNamespace

    from pipelines.comparison import ScoreInterval

    intervals = {run_id: {"f1_macro": ScoreInterval("f1_macro", 0.7, 0.65, 0.75, 0.95)} for run_id in "abc"}
    table = SimpleNamespace(against="a", pairs={("a", "b"): SimpleNamespace(verdict="real"),
                                                ("a", "c"): SimpleNamespace(verdict="borderline")})  # fmt: skip
    uncertainty = comparisons.cell_uncertainty(intervals, table)
    assert uncertainty.intervals == {run_id: (0.65, 0.75) for run_id in "abc"}
    assert (uncertainty.best, uncertainty.apart, uncertainty.tested) == ("a", {"b"}, 2)
    assert "tells 1 of the 2 other runs apart" in uncertainty.sentence({"a": "GRU 1×64"})
    assert "GRU 1×64" in uncertainty.sentence({"a": "GRU 1×64"})


def test_the_compare_page_says_what_the_bars_mean_and_how_many_runs_are_apart(real_runs):
    app = open_page("compare")
    assert not problems(app)
    cells = app.get("plotly_chart")[0].proto.spec
    assert "Macro F1 by cell, with 95% intervals" in cells and '"error_y"' in cells
    caption = texts(app.caption) + texts(app.markdown)
    assert "95% bootstrap interval of its macro F1" in caption and "the paired test" in caption
    assert re.search(r"tells \d+ of the \d+ other runs apart", caption)


def test_the_report_page_builds_a_forecasting_report(real_runs):
    """The Report page stopped on co2 ("finished runs ... which this page does not draw"): it has no classifier."""
    app = open_page("report")
    app.sidebar.selectbox(key="dataset").set_value("co2").run()
    assert not problems(app)
    assert not app.get("text_area")  # no review to explain: a forecaster reads no text
    [button for button in app.button if button.label == "Build the HTML report"][0].click().run()
    assert not problems(app) and "opens without a network" in texts(app.success)
    assert "rnnlens-co2-" in app.get("download_button")[0].proto.label


def test_without_a_majority_baseline_the_cell_axis_reaches_down_to_chance():
    frame = cell_frame()
    frame = frame[frame["baseline"] != "majority"]
    low, _ = figures.cell_comparison(frame, chance=0.5).layout.yaxis.range
    assert low <= 0.5 and 0.5 in {shape.y0 for shape in figures.cell_comparison(frame, chance=0.5).layout.shapes}
