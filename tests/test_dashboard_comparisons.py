"""The pages for honest comparisons through Streamlit's AppTest: significance, the report button, the
baseline's word weights in the Playground, and the tables and figures they draw from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import run_documents
from dashboard import comparisons, figures, figures_comparisons, tables
from dashboard_stores import open_page, problems, trained_store
from pipelines.store import Store


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_store(tmp_path_factory.getbasetemp())


@pytest.fixture
def real_runs(trained, monkeypatch):
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(trained))
    return trained


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def test_the_significance_page_tests_every_pair_and_says_it_in_words(real_runs):
    app = open_page("significance")
    assert not problems(app)
    chosen = app.multiselect(key="significance_runs:rt-polarity").value
    assert len(chosen) == 9  # the first seed of each of the quick zoo's 7 models, and the 2 baselines
    matrix, differences = (chart.proto.spec for chart in app.get("plotly_chart")[:2])
    assert '"type":"heatmap"' in matrix and "Each model minus" in differences
    sentences = texts(app.markdown)
    assert sentences.count("points of accuracy, 95% interval") == 8  # every model against the reference
    assert "McNemar p" in sentences and "Holm-adjusted for 36 pairs" in sentences
    assert "Over seeds" in texts(app.subheader) and len(app.dataframe[-1].value) == 2  # the GRUs' two seeds
    reference = chosen[-1]
    app.selectbox(key="significance_reference:rt-polarity").set_value(reference).run()
    assert not problems(app) and "minus " in app.get("plotly_chart")[1].proto.spec
    app.multiselect(key="significance_runs:rt-polarity").set_value(chosen[:1]).run()
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
    app.text_area(key="text").input('<img src=x onerror="alert(1)"> a wonderful film').run()
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
