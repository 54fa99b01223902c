"""The dashboard through Streamlit's AppTest: every page, against empty, real and damaged stores."""

import json
import os
import time
from contextlib import ExitStack

import pytest

from dashboard_stores import (
    APP, CLASSIFIER_PAGES, FAILED_RUN, FORECAST_PAGES, KERAS_TWIN, LAB_DISTANCES, NO_METRICS_RUN, PAGES, RUNNING_RUN,
    SWEEP_DATASET, assert_every_chart_described, copy_store, damage, done_runs, open_page, problems,
)  # fmt: skip
from pipelines.training import jobs
from pipelines.verify import TOLERANCE
from pipelines.store import Store


@pytest.fixture
def damaged(trained, store_at, tmp_path):
    root = store_at(copy_store(trained, tmp_path / "damaged"))
    with ExitStack() as stack:
        yield root, damage(root, stack)


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def test_the_server_as_streamlit_reads_its_settings_watches_no_file_and_collects_no_garbage_after_each_rerun():
    """A rerun's largest cost was Streamlit's full garbage collection after it (BENCHMARKS.md section 21); these
    settings are read by `streamlit run` from .streamlit/config.toml in the project folder, as here."""
    import subprocess
    import sys

    read = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            "print(config.get_option('runner.postScriptGC'), config.get_option('server.fileWatcherType'), "
            "config.get_option('client.showErrorDetails'))")  # fmt: skip
    project = APP.parent.parent
    settings = subprocess.run([sys.executable, "-c", read], cwd=project, capture_output=True, text=True, check=True)
    assert settings.stdout.split() == ["False", "none", "none"]


def test_a_rerun_clears_no_keras_session_but_still_closes_matplotlibs_figures(real_runs, monkeypatch):
    """Streamlit clears Keras's session after every rerun once `keras` is imported: a full garbage collection each
    time, for every session (dashboard/runner.py). Stand-ins for both modules record what the rerun asks of them."""
    import sys
    import types

    asked = []
    keras = types.SimpleNamespace(backend=types.SimpleNamespace(clear_session=lambda: asked.append("clear_session")))
    pyplot = types.SimpleNamespace(close=lambda which: asked.append(f"close {which}"))
    monkeypatch.setitem(sys.modules, "keras", keras)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    app = open_page("training")  # no Keras run on it: nothing imports the stand-in
    assert not problems(app) and asked == ["close all"]


# -- empty states -----------------------------------------------------------------------------


LAB_PAGES = ("memory_lab", "gradients")  # they draw the memory lab's runs, from every memory-dN data set
SEQ2SEQ_PAGES = ("translate", "bottleneck", "teacher_forcing")  # encoder-decoders, from their own tasks
# (tests/test_seq2seq_pipeline.py)
# The pages that draw the sidebar's text data set (forecasting pages draw series: test_forecast_dashboard.py)
# (the class wall's pages draw the reviews students send; the finished models only vote: tests/test_class_wall_pages.py)
CLASS_WALL_PAGES = ("class_wall", "submit")
NO_CHART_HERE = {*FORECAST_PAGES, "inside", "glass_box", "deploy", "train", "report", "class_wall", "submit"}  # charts
# after a click, or none on this store (nothing measured for Deploy): tests/test_end_to_end_pages.py opens them in the
# browser
DATA_SET_PAGES = [page for page in CLASSIFIER_PAGES
                  if page not in ("train", "write", *CLASS_WALL_PAGES, *LAB_PAGES, *SEQ2SEQ_PAGES)]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_teaches_what_to_do_with_no_store(page, store_at, tmp_path):
    store_at(tmp_path / "no-store-here")
    app = open_page(page)
    assert not problems(app)
    if page == "train":
        assert "No training jobs yet" in texts(app.info)
    elif page == "submit":  # a student's page: it needs no model, only the store to write the review in
        assert app.text_input(key="wall_draft") and app.button[0].label == "Send to the wall"
    elif page in LAB_PAGES:
        assert "python -m pipelines lab" in texts([*app.info, *app.markdown])
    else:
        assert "python -m pipelines train --dataset rt-polarity --zoo quick" in texts(app.info)


@pytest.mark.parametrize("page", ["overview", "memory_lab"])
def test_presentation_mode_folds_the_command_lines_away(page, store_at, tmp_path):
    """A projector is no terminal: the room reads what to do; the command waits in a folded expander."""
    store_at(tmp_path / "no-store-here")
    app = open_page(page, presentation="true")
    assert not problems(app)
    assert "python -m pipelines" not in texts([*app.info, *app.markdown])
    assert [expander.label for expander in app.main.expander] == ["The command, for a terminal"]
    assert texts(app.code).startswith("python -m pipelines")


@pytest.mark.parametrize("page", [page for page in PAGES if page not in ("train", "submit", *LAB_PAGES)])
def test_a_data_set_without_runs_says_how_to_train_it(page, trained, store_at, tmp_path):
    root = store_at(tmp_path / "bare")
    (root / "rt-polarity").mkdir(parents=True)
    for name in ("dataset.json", "vocab.json", "test.parquet"):
        (root / "rt-polarity" / name).write_bytes((trained / "rt-polarity" / name).read_bytes())
    app = open_page(page)
    assert not problems(app)
    if page in FORECAST_PAGES:  # a text data set: how to train forecasters on a series instead
        assert "python -m pipelines train --dataset co2 --zoo forecast-quick" in texts(app.info)
        return
    if page == "write":  # it writes with language models, which a classifier's data set does not hold
        assert "python -m pipelines train --dataset rt-polarity-chars --zoo charlm" in texts(app.info)
    elif page in SEQ2SEQ_PAGES:  # encoder-decoders train on their own tasks
        assert "python -m pipelines train --dataset dates --zoo seq2seq" in texts(app.info)
    else:
        assert "python -m pipelines train --dataset rt-polarity --zoo quick" in texts(app.info)
    if page == "overview":
        assert "Rotten Tomatoes" in texts(app.subheader)  # the data set card still shows


# -- real runs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_real_runs(page, real_runs):
    app = open_page(page)
    assert not problems(app)
    assert app.title[0].value
    charts = app.get("plotly_chart")
    assert_every_chart_described(app, page)
    if page not in NO_CHART_HERE:  # a classifier's data set: forecasting pages draw on a series (test_forecast_...)
        assert charts, f"{page} drew no chart"
    if page == "overview":
        board = app.dataframe[0].value
        assert len(board) == 9  # the quick zoo's seven models (its GRUs with two seeds) and the two baselines
        assert sorted(board["seeds"]) == [1] * 7 + [2] * 2 and list(board["cell"]).count("baseline") == 2
        assert len(charts) == 3  # class balance, review lengths, accuracy with intervals
        assert {"best recurrent", "TF-IDF + logistic regression", "majority class"} <= {
            metric.label.split(":")[0] for metric in app.metric}
    elif page in ("training", "evaluation", "compare"):
        assert charts
    elif page == "playground":
        assert len(app.dataframe[0].value) == 11 and charts  # every run's prediction, baselines and seeds too
        assert "TF-IDF + LR" in texts(app.markdown) and any("<span title=" in h.proto.body for h in app.get("html"))
    elif page == "significance":
        assert '"type":"heatmap"' in charts[0].proto.spec and "points of accuracy" in texts(app.markdown)
    elif page == "report":
        assert [button.label for button in app.button][:2] == ["Build the HTML report", "Build the PDF"]
    elif page == "train":
        assert app.get("form") or app.form_submit_button
    elif page == "inside":
        assert app.metric and "<span title=" in "".join(html.proto.body for html in app.get("html"))
    elif page == "top_words":
        assert len(charts) == 2  # the best model's words towards each class, computed when it was trained
    elif page == "glass_box":
        assert app.get("latex") and app.table  # the cell's equations and where each framework keeps its weights
    elif page == "memory_lab":
        assert len(charts) == 2 and len(app.dataframe[0].value) == 6  # accuracy by distance, and where they look
    elif page == "gradients":
        assert len(charts) == 1 and "RNN (identity)" in charts[0].proto.spec  # the three cells side by side
    elif page == "write":  # the corpus's best RNN, LSTM and GRU write side by side; one is looked at closely
        assert len(charts) == 2 and "<span title=" in "".join(html.proto.body for html in app.get("html"))
    elif page == "translate":  # the store's encoder-decoders side by side: the one with attention draws its map
        assert len(charts) == 1 and "one context vector" in texts(app.info)
    elif page == "bottleneck":
        assert len(charts) == 1 and len(app.dataframe[0].value) == 2


def test_compare_explains_how_to_train_the_sweep(real_runs):
    app = open_page("compare")
    assert "--zoo sweep" in texts(app.info)


def test_compare_draws_the_sweep_studies(real_runs):
    app = open_page("compare")
    app.sidebar.selectbox(key="dataset").set_value(SWEEP_DATASET).run()
    assert not problems(app)
    assert "--zoo sweep" not in texts(app.info)
    sweep = [chart.proto.spec for chart in app.get("plotly_chart") if "Depth: stacked layers" in chart.proto.spec]
    assert len(sweep) == 1
    for study in ("Width: units per direction", "Direction", '"name":"RNN"', '"name":"LSTM"', '"name":"GRU"'):
        assert study in sweep[0]


def test_leaderboard_is_sorted_by_macro_f1_and_filters_apply(real_runs):
    app = open_page("overview")
    board = app.dataframe[0].value
    assert list(board["macro F1"]) == sorted(board["macro F1"], reverse=True)
    assert board["layers"].isna().any() and app.dataframe[0].proto.placeholder == "–"  # a baseline's, not "None"
    app.button_group(key="filter_cell").set_value(["gru"]).run()
    assert not problems(app)
    assert set(app.dataframe[0].value["cell"]) == {"GRU", "baseline"}  # the filters never hide the baselines
    for page in ("training", "evaluation", "compare", "playground", "significance"):
        app.switch_page(PAGES[page]).run()
        assert not problems(app), page
    app.button_group(key="filter_cell").set_value([]).run()
    app.switch_page(PAGES["compare"]).run()
    assert "Only the baselines pass" in texts(app.info)
    app.switch_page(PAGES["training"]).run()
    assert "filters hide all" in texts(app.info)  # the baselines have no training curves


def test_the_page_address_opens_a_data_set_in_presentation_mode(real_runs):
    from streamlit.testing.v1 import AppTest

    from dashboard_stores import APP

    app = AppTest.from_file(str(APP), default_timeout=90)
    app.query_params.update({"dataset": "nusax", "presentation": "true"})
    app.run()
    assert not problems(app)
    assert app.sidebar.selectbox(key="dataset").value == "nusax" and app.toggle(key="presentation").value
    app.query_params.update({"dataset": "no-such-data-set"})
    app.run()
    assert not problems(app) and app.sidebar.selectbox(key="dataset").value in ("nusax", "rt-polarity")


def test_training_overlays_several_runs(real_runs):
    app = open_page("training")
    runs = done_runs(real_runs)
    app.multiselect(key="runs").set_value(runs[:3]).run()
    assert not problems(app)
    figure = app.get("plotly_chart")[0].proto.spec
    assert figure.count('"legendgroup"') >= 3 * 4  # validation, training and best-epoch traces per run
    app.multiselect(key="runs").set_value([]).run()
    assert "Pick at least one model" in texts(app.info)


@pytest.mark.parametrize("view", ["Confusion matrices", "Metrics", "Per class"])
def test_every_evaluation_tab_draws(view, real_runs):
    app = open_page("evaluation")
    app.session_state["tab"] = view  # what clicking the tab does
    app.run()
    assert not problems(app)
    charts = app.get("plotly_chart")
    assert len(charts) == (9 if view == "Confusion matrices" else 1)  # the open tab only; 7 models and 2 baselines
    if view != "Confusion matrices":
        assert app.dataframe  # with its table


def test_a_projector_shows_the_best_roc_curves_and_the_weakest_with_a_toggle_for_all(real_runs):
    """Nine ROC curves with a nine-entry legend is a wall on a projector: presentation mode keeps the three best
    and the weakest (the point of the chart), and a toggle brings back every one."""

    def curves(app) -> list[dict]:
        roc = json.loads(app.get("plotly_chart")[0].proto.spec)["data"]
        return [trace for trace in roc if not trace["name"].startswith("chance")]

    app = open_page("evaluation")
    every = curves(app)
    assert len(every) == 9  # 7 models and 2 baselines, on a laptop
    app.toggle(key="presentation").set_value(True).run()
    assert not problems(app)
    shown = curves(app)
    aucs = sorted((float(trace["name"].rsplit("AUC ", 1)[1].rstrip(")")) for trace in every), reverse=True)
    assert [float(trace["name"].rsplit("AUC ", 1)[1].rstrip(")")) for trace in shown] == aucs[:3] + aucs[-1:]
    app.toggle(key="evaluation_all_curves").set_value(True).run()
    assert len(curves(app)) == 9


def test_evaluation_of_three_classes_offers_one_vs_rest(real_runs):
    app = open_page("evaluation")
    app.sidebar.selectbox(key="dataset").set_value("nusax").run()
    assert not problems(app)
    classes = app.button_group(key="evaluation_class")
    assert list(classes.options) == ["negative", "neutral", "positive"]  # the class against the rest
    app.button_group(key="evaluation_class").set_value("neutral").run()
    assert not problems(app)
    assert any("neutral against the rest" in chart.proto.spec for chart in app.get("plotly_chart"))


def test_presentation_mode_renders_every_page_bigger_and_keeps_the_lessons(real_runs):
    app = open_page("overview")
    app.toggle(key="presentation").set_value(True).run()
    for page in PAGES:
        app.switch_page(PAGES[page]).run()
        assert not problems(app), page
        if page not in ("deploy", "report"):  # a page's teaching captions are its lesson: a projector shows them
            assert app.caption, page
        specs = [chart.proto.spec for chart in app.get("plotly_chart")]
        assert all('"size":21' in spec for spec in specs), page  # 14 pt text drawn at 1.5x
    assert any("font-size: 20px" in html.proto.body and "stCaptionContainer" in html.proto.body
               for html in app.get("html"))  # larger type, the captions' too


# -- the playground's inputs ----------------------------------------------------------------


BAD_INPUTS = {
    "empty": ("", "info", "Type a review"),
    "blank": ("   \n\t ", "info", "Type a review"),
    "huge": (("great film " * 10_000)[:100_000], "info", "read only the first"),
    "unknown words": ("Zxqv blorptastic qwrtz!", "warning", "No model knows a single word"),
    "emoji": ("😀🎬👍🔥", "warning", "No model knows a single word"),
    "typos": ("The moive was amazng, beatiful!", "warning", "Mostly unknown words: 3 of 5 words"),
    "html": ('<b>great</b> <img src=x onerror="alert(1)">', None, None),
    "script": ("<script>alert('boo')</script> a great film", None, None),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_playground_answers_bad_input_in_words(case, real_runs):
    text, kind, message = BAD_INPUTS[case]
    app = open_page("playground")
    app.text_input(key="text").input(text).run()
    assert not problems(app)
    if kind:
        assert message in texts(getattr(app, kind))
    if "No model knows" in (message or ""):
        assert not app.dataframe  # a clear message instead of a guess
    elif text.strip():
        table = app.dataframe[0].value
        assert len(table) == 11  # every model still answers
        if case == "typos":  # every model that reads words says how many it missed; the majority class reads none
            assert table["unknown words"].tolist().count("⚠ 3 of 5") == 10 and "reads no words" in table.values
    shown = "".join(html.proto.body for html in app.get("html"))
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown
    if "<" in text:
        assert "&lt;" in shown  # the tags are shown as text, escaped
    for element in (*app.markdown, *app.info, *app.warning, *app.caption):
        assert "<script" not in str(element.value) and "<img" not in str(element.value)


def test_playground_takes_a_test_review_a_model_got_wrong(real_runs):
    store = Store(real_runs)
    predictions = {run_id: store.read_predictions("rt-polarity", run_id) for run_id in done_runs(real_runs)}
    mistakes = {run_id: int((frame["predicted"] != frame["label"]).sum()) for run_id, frame in predictions.items()}
    wrong_sometimes = max(mistakes, key=mistakes.get)
    assert mistakes[wrong_sometimes] > 0, "every tiny model is perfect: the store cannot test this"
    app = open_page("playground")
    app.button_group(key="playground_source").set_value("Test review").run()
    app.selectbox(key="playground_wrong_by").set_value(wrong_sometimes).run()
    assert not problems(app)
    assert f"Test review ({mistakes[wrong_sometimes]:,} shown)" in [box.label for box in app.selectbox]
    [button for button in app.button if button.label == "Use this review"][0].click().run()
    assert not problems(app)
    truth = next(metric for metric in app.metric if metric.label == "true class")
    assert truth.value in ("negative", "positive")


def test_playground_examples_fill_the_text_box(real_runs):
    app = open_page("playground")
    app.button_group(key="playground_source").set_value("Example").run()
    app.selectbox(key="playground_example").set_value("Not bad at all.").run()
    [button for button in app.button if button.label == "Use this example"][0].click().run()
    assert not problems(app)
    assert app.text_input(key="text").value == "Not bad at all."


# -- inside the model, top words, glass box -------------------------------------------------------


def run_id_of(root, prefix: str, dataset: str = "rt-polarity") -> str:
    return next(run_id for run_id in done_runs(root, dataset) if run_id.startswith(prefix))


def open_tab(app, key: str, tab: str):
    app.session_state[key] = tab  # what clicking the tab does
    return app.run()


@pytest.mark.parametrize("tab", ["Words", "Hidden states", "Gates", "Edit a word"])
def test_inside_draws_two_models_side_by_side_in_every_tab(tab, real_runs):
    app = open_page("inside")
    lstm, bigru = run_id_of(real_runs, "torch-lstm-uni-2x64-"), run_id_of(real_runs, "torch-gru-bi-")
    app.selectbox(key="run").set_value(lstm).run()
    app.selectbox(key="vs").set_value(bigru).run()
    open_tab(app, "tab", tab)
    assert not problems(app)
    specs = [chart.proto.spec for chart in app.get("plotly_chart")]
    if tab == "Words":
        assert len(app.metric) == 2 and len(specs) == 1  # the 2-layer LSTM's trajectory; the BiGRU has none
        assert "bidirectional model has no prediction after a prefix" in texts(app.caption)
    elif tab == "Hidden states":
        assert len(specs) == 4  # a heatmap and a line chart per model
        assert sum('"type":"heatmap"' in spec for spec in specs) == 2
        rows = [json.loads(spec)["data"][0]["y"] for spec in specs[::2]]
        assert all(any("↑" in row for row in heatmap) for heatmap in rows)  # the units named by their words
    elif tab == "Gates":  # per model, one figure: a heatmap per gate over a row of the gates' means
        assert len(specs) == 2 and [spec.count('"type":"heatmap"') for spec in specs] == [3, 2]
        assert all(gate in specs[0] for gate in ("forget gate f", "input gate i", "output gate o"))
        assert all(gate in specs[1] for gate in ("update gate z", "reset gate r"))
    else:
        assert "Type a word to put in place" in texts(app.info)
        app.text_input(key="inside_edit_word").input("awful").run()
        assert not problems(app)
        before, after = (metric.value for metric in app.metric)
        assert before != after and len(app.get("plotly_chart")) == 1


def test_inside_offers_every_unit_order_layer_and_direction(real_runs):
    app = open_page("inside")
    app.selectbox(key="run").set_value(run_id_of(real_runs, "torch-lstm-uni-2x64-")).run()
    open_tab(app, "tab", "Gates")
    for order in ("contribution", "similarity", "index"):
        app.selectbox(key="inside_order").set_value(order).run()
        assert not problems(app)
    app.selectbox(key="inside_layer").set_value(0).run()
    app.button_group(key="inside_value:lstm").set_value("cell").run()
    assert not problems(app) and "cell state c, layer 1" in app.get("plotly_chart")[0].proto.spec
    app.selectbox(key="inside_layer").set_value("top").run()
    assert not problems(app) and "cell state c, layer 2" in app.get("plotly_chart")[0].proto.spec
    for method in ("saliency", "input_x_gradient", "deeplift", "occlusion"):
        app.button_group(key="method").set_value(method).run()
        assert not problems(app)


@pytest.mark.parametrize("case", BAD_INPUTS_INSIDE := ["empty", "huge", "unknown words", "emoji", "html", "script"])
def test_inside_answers_bad_input_in_words_and_never_renders_it(case, real_runs):
    text = BAD_INPUTS[case][0]
    app = open_page("inside")
    app.text_input(key="text").input(text).run()
    assert not problems(app)
    if not text.strip():
        assert "Type a text" in texts(app.info)
        return
    if case in ("unknown words", "emoji"):  # a clear message instead of a guess, the words in code spans
        assert "so there is nothing to explain" in texts(app.warning) and not app.get("plotly_chart")
        assert case == "emoji" or "`blorptastic`" in texts(app.warning)
        return
    if case == "huge":
        assert "read only the first" in texts(app.info)
    shown = "".join(html.proto.body for html in app.get("html"))
    assert "<span title=" in shown  # the words, coloured
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown
    if "<" in text:
        assert "&lt;" in shown


def test_the_playground_hands_its_review_to_inside_the_model(real_runs):
    app = open_page("playground")
    app.text_input(key="text").input("Dull, tedious and far too long.").run()
    app.button(key="playground_inside").click().run()
    assert not problems(app)
    assert app.title[0].value == "Inside the model" and app.text_input(key="text").value.startswith("Dull")


def test_top_words_missing_from_the_store_are_computed_on_request(trained, store_at, tmp_path):
    root = store_at(copy_store(trained, tmp_path / "no-words", datasets=("rt-polarity",)))
    for path in (root / "rt-polarity").glob("*/top_words.json"):
        path.unlink()
    app = open_page("top_words")
    assert "not in the store yet" in texts(app.info) and not app.get("plotly_chart")
    [button for button in app.button if button.label == "Compute now"][0].click().run()
    assert not problems(app)
    assert len(app.get("plotly_chart")) == 2 and len(list((root / "rt-polarity").glob("*/top_words.json"))) == 1


def test_a_stale_top_words_cache_reads_as_missing_on_the_page(trained, store_at, tmp_path, monkeypatch):
    from pipelines.explain import aggregate

    store_at(copy_store(trained, tmp_path / "stale-words", datasets=("rt-polarity",)))
    monkeypatch.setattr(aggregate, "FORMAT_VERSION", aggregate.FORMAT_VERSION + 1)  # every cached file is now old
    app = open_page("top_words")
    assert not problems(app)
    assert "not in the store yet" in texts(app.info) and not app.get("plotly_chart")


# The Write page reads a character corpus, not this store's rt-polarity: test_dashboard_writing.py has its own.
@pytest.mark.parametrize("page", DATA_SET_PAGES)
def test_pages_say_which_run_kinds_they_leave_out(page, trained, store_at, tmp_path, monkeypatch):
    """A run of a kind a page does not draw (a made-up one here) is named in a note; the rest still shows."""
    from conftest import reseal_checksums
    from pipelines.files import read_json, write_json
    from pipelines.records import Metrics
    from pipelines.tasks import TASKS, Task

    root = store_at(copy_store(trained, tmp_path / "kinds", datasets=("rt-polarity",)))
    monkeypatch.setitem(TASKS, "astrology", Task("astrology", "horoscope", dict, Metrics, ("metrics.json",),
                                                 ("weights.safetensors",), frozenset()))  # fmt: skip
    odd = done_runs(root)[0]
    spec = read_json(root / "rt-polarity" / odd / "spec.json")
    write_json(root / "rt-polarity" / odd / "spec.json", {**spec, "task": "astrology"})
    reseal_checksums(root / "rt-polarity" / odd)  # a kind of its own, on purpose
    app = open_page(page)
    assert not problems(app)
    note = texts(app.caption)
    assert ("1 finished run of this data set is a horoscope, which this page does not draw" in note
            or "2 finished runs of this data set are bag-of-words baselines and 1 is a horoscope, which this page "
               "does not draw" in note)  # fmt: skip
    assert odd not in texts([*app.markdown, *app.caption]) and app.title[0].value  # left out, the page still drawn


@pytest.mark.parametrize("tab", ["Equations & parameters", "One text, token by token", "Whole test split"])
def test_glass_box_tabs_show_the_framework_and_the_reference_agreeing(tab, real_runs):
    app = open_page("glass_box")
    app.selectbox(key="run").set_value(run_id_of(real_runs, "torch-lstm-bi-")).run()
    open_tab(app, "tab", tab)
    assert not problems(app)
    if tab == "Equations & parameters":
        assert "forget gate" in app.get("latex")[0].proto.body
        counts = {metric.label: metric.value for metric in app.metric}
        assert len(set(counts.values())) == 1  # the framework, the formula and the reference count alike
    elif tab == "One text, token by token":
        verdict = app.metric[-1]  # the largest difference anywhere, and whether it is within the tolerance
        assert float(verdict.value) <= TOLERANCE and verdict.delta == "agree"
        table = app.dataframe[0].value
        assert {"hidden (framework)", "hidden (reference)", "forget (reference)"} <= set(table.columns)
        app.selectbox(key="glass_box_direction").set_value("backward").run()
        app.text_input(key="glass_box_text").input("").run()  # an empty text reads as one unknown word
        assert not problems(app) and list(app.dataframe[0].value["token"]) == ["<unk>"]
    else:
        [button for button in app.button if button.label.startswith("Check all")][0].click().run()
        assert not problems(app)
        assert {metric.label: metric.value for metric in app.metric}["verdict"] == "agree"


def test_glass_box_compares_pytorch_and_keras_twins(real_runs):
    app = open_page("glass_box")
    open_tab(app, "tab", "PyTorch vs Keras")
    assert "--framework both" in texts(app.info)  # rt-polarity has PyTorch runs only
    app.sidebar.selectbox(key="dataset").set_value("nusax").run()
    assert not problems(app)
    spec = app.get("plotly_chart")[0].proto.spec
    assert '"name":"PyTorch"' in spec and '"name":"Keras"' in spec
    table = app.dataframe[0].value
    assert list(table.columns) == ["measure", "PyTorch", "Keras"] and "parameters" in set(table["measure"])
    assert app.selectbox(key="glass_box_pair").value.startswith(f"torch-{KERAS_TWIN}-")  # the pair trained in both


# -- a store as real life leaves it -----------------------------------------------------------


@pytest.mark.parametrize("page", ["overview", "evaluation", "playground"])
def test_on_a_projector_the_runs_left_out_are_one_quiet_line_without_run_ids(page, damaged):
    """Issue 22 (3): raw run ids in warning boxes are clutter on a projector (and a failed run's error is not the
    lesson): presentation mode counts them in one caption."""
    root, broken = damaged
    app = open_page(page)
    app.toggle(key="presentation").set_value(True).run()
    assert not app.exception
    boxes = texts([*app.error, *app.warning, *app.info])
    for run_id in (FAILED_RUN, NO_METRICS_RUN, RUNNING_RUN, *broken.values()):
        assert run_id not in boxes, run_id
    assert any("turn presentation mode off for which and why" in caption.value for caption in app.caption)


@pytest.mark.parametrize("page", DATA_SET_PAGES)  # Write: see above
def test_damaged_runs_are_named_and_the_rest_still_shown(page, damaged):
    root, broken = damaged
    app = open_page(page)
    exceptions = [e.value for e in app.exception]
    assert not exceptions
    shown = texts([*app.error, *app.warning, *app.info])
    # The failed run's error is shown, as text: its <script> is escaped markdown, not markup.
    assert FAILED_RUN in shown and "script" in shown and "<script>" not in shown
    assert NO_METRICS_RUN in shown and "metrics.json" in shown
    assert RUNNING_RUN in shown and "40%" in shown
    if page == "overview":
        assert FAILED_RUN in texts(app.error)  # the details: its error in full
    if page == "overview":
        assert len(app.dataframe[0].value) == 9  # the seven good models and the two baselines
    if page == "training":
        app.multiselect(key="runs").set_value([broken["history"], broken["predictions"]]).run()
        assert "training history of " + broken["history"] in texts(app.warning)
        assert app.get("plotly_chart")  # the readable run is still drawn
    if page == "playground":
        assert broken["weights"] in texts(app.warning)  # its model cannot load; the others answer
        assert len(app.dataframe[0].value) == 10
        app.button_group(key="playground_source").set_value("Test review").run()
        app.selectbox(key="playground_wrong_by").set_value(broken["predictions"]).run()
        assert "test predictions of " + broken["predictions"] in texts(app.warning)
        assert not app.exception


def test_a_run_that_finishes_while_the_app_is_open_appears(trained, store_at, tmp_path):
    root = store_at(copy_store(trained, tmp_path / "growing", datasets=("rt-polarity",)))
    held = root / "held-back"
    held.mkdir()
    last = done_runs(root)[-1]
    os.rename(root / "rt-polarity" / last, held / last)
    app = open_page("overview")
    assert len(app.dataframe[0].value) == 8
    os.rename(held / last, root / "rt-polarity" / last)  # "finishes": its folder appears, complete
    app.run()
    assert len(app.dataframe[0].value) == 9


# -- the train page starts real background jobs -------------------------------------------------


def test_train_page_starts_a_job_once_and_shows_its_runs(tmp_path, store_at, rt_data_dir, monkeypatch):
    monkeypatch.setenv("RNNLENS_DATA_DIR", str(rt_data_dir))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    root = store_at(tmp_path / "store")
    app = open_page("train")
    app.selectbox[1].set_value("quick")
    app.number_input[0].set_value(1)  # epochs
    app.number_input[1].set_value(20)  # examples per split
    app.form_submit_button[0].click().run()
    assert not problems(app)
    assert "Started the quick zoo on rt-polarity-limit20" in texts(app.success)
    app.form_submit_button[0].click().run()  # pressed again while it trains
    assert "already training" in texts(app.info)
    assert len(jobs.list_jobs(Store(root))) == 1

    deadline = time.monotonic() + 180
    while any(job.alive for job in jobs.list_jobs(Store(root))) and time.monotonic() < deadline:
        time.sleep(0.5)
    app.run()
    assert not problems(app)
    progress = [bar.proto.text for bar in app.get("progress")]
    assert len(progress) == 9 and all("done in" in text for text in progress)  # the zoo and the baselines
    assert "9 trained" in "".join(code.value for code in app.code)


def test_train_page_says_a_job_is_finishing_or_was_killed(tmp_path, store_at, monkeypatch):
    """Jobs as `list_jobs` reports them, no process behind them: one whose runs are done but whose process has not
    exited (it holds no slot, yet waits for none), and one killed by SIGKILL."""
    from pipelines.records import RunRecord, RunStatus

    store_at(tmp_path / "store")
    finishing = jobs.Job("j-finishing", "ds", "quick", "torch", 11, [], time.time() - 5, tmp_path, alive=True,
                         waiting=True)  # fmt: skip
    killed = jobs.Job("j-killed", "ds", "sweep", "torch", 12, [], time.time() - 5, tmp_path, exit_code=-9)
    done = RunRecord("ds", "torch-gru-0", tmp_path, "done", status=RunStatus(state="done", pid=11))
    monkeypatch.setattr(jobs, "list_jobs", lambda store, dataset=None: [finishing, killed])
    monkeypatch.setattr(jobs, "job_runs", lambda store, job: [done] if job is finishing else [])
    app = open_page("train")
    assert not problems(app)
    headings = texts(app.markdown)
    assert "quick zoo · torch · ds**, finishing for " in headings and "waiting for a training slot" not in headings
    assert "sweep zoo · torch · ds**, killed (signal 9, SIGKILL) after " in headings


# -- the memory lab ---------------------------------------------------------------------------------


def test_the_memory_lab_knows_a_partial_sweep_from_a_full_one(real_runs, monkeypatch):
    import pipelines.data.memory

    app = open_page("memory_lab")  # the sweep's default distances are 5 ... 200: the store has 3 and 6
    assert not problems(app) and "are trained: train the rest" in app.main.expander[0].proto.label
    monkeypatch.setattr(pipelines.data.memory, "DEFAULT_DISTANCES", LAB_DISTANCES)  # now the store has them all
    app = open_page("memory_lab")
    assert not problems(app) and [expander.label for expander in app.main.expander] == ["The data"] * 2  # charts'
    table = app.dataframe[0].value
    assert list(table.columns) == ["model", "D = 3", "D = 6"] and "LSTM (chrono start)" in set(table["model"])


def test_the_memory_lab_before_its_sweep_and_when_it_is_complete(trained, store_at, tmp_path):
    """An empty store (the command and the button) and a sweep complete at the default distances: the D=3 and D=6
    runs copied under each, which is all the page checks for completeness."""
    import shutil

    from pipelines.data.memory import DEFAULT_DISTANCES

    store_at(tmp_path / "empty")
    app = open_page("memory_lab")
    assert not problems(app) and "python -m pipelines lab" in texts([*app.info, *app.markdown, *app.code])
    assert app.button(key="lab_start").label == "Train the lab sweep now"
    full = store_at(tmp_path / "full")
    for index, distance in enumerate(DEFAULT_DISTANCES):
        shutil.copytree(trained / f"memory-d{(3, 6)[index % 2]}", full / f"memory-d{distance}")
    app = open_page("memory_lab")
    assert not problems(app) and not any("train the rest" in expander.label for expander in app.main.expander)
    assert "Where the models look at D = 100" in texts(app.subheader)  # the default distance: only a full sweep's


def test_the_memory_lab_offers_the_distractor_variant_when_it_was_trained(real_runs):
    app = open_page("memory_lab")
    assert list(app.dataframe[0].value.columns) == ["model", "D = 3", "D = 6"]
    app.button_group(key="lab_variant").set_value("with distractors").run()
    assert not problems(app) and list(app.dataframe[0].value.columns) == ["model", "D = 3"]


def test_the_memory_lab_starts_its_sweep_as_a_background_job(store_at, tmp_path, monkeypatch):
    from pipelines.training import jobs

    started = []
    monkeypatch.setattr(jobs, "start_lab_job", lambda store, request: started.append((store.root, request.distances))
                        or jobs.Job("lab-1", "memory-lab", "memory", "torch", 1, [], 0.0, tmp_path))  # fmt: skip
    root = store_at(tmp_path / "empty")
    app = open_page("memory_lab")
    app.button(key="lab_start").click().run()
    assert not problems(app) and "training in the background" in texts(app.success)
    assert started == [(root.resolve(), (5, 10, 20, 50, 100, 200))]


def test_the_page_address_opens_the_lab_at_a_distance(real_runs):
    app = open_page("memory_lab", dataset="memory-d3")
    assert not problems(app) and app.select_slider(key="distance").value == 3
    assert app.subheader[-1].value == "Where the models look at D = 3"


def test_the_memory_lab_shows_the_task_at_the_distance_chosen(real_runs):
    """Issue 22 (5): what an input and its target look like, at the distance on the slider (long ones cut)."""
    app = open_page("memory_lab")
    for distance in LAB_DISTANCES:
        app.select_slider(key="distance").set_value(distance).run()
        first = Store(real_runs).read_test_examples(f"memory-d{distance}").iloc[0]
        shown = next(m.value for m in app.markdown if m.value.startswith(f"**The task at D = {distance}**"))
        assert " ".join(f"`{word}`" for word in first["text"].split()) in shown
        assert shown.endswith(f"target: **{('left', 'right')[first['label']]}**") and not problems(app)


def test_the_memory_labs_gradients_link_opens_the_distance_chosen(real_runs):
    """Issue 22 (6): "Why: gradients" from D = 50 opened D = 100 (the Gradients page's own default)."""
    app = open_page("memory_lab")
    app.select_slider(key="distance").set_value(3).run()  # the Gradients page alone would open at 6
    link = next(link for link in app.get("page_link") if link.proto.label.startswith("Why: gradients"))
    assert link.proto.query_string == "distance=3" and not problems(app)
    app = open_page("gradients", distance="3")  # where that link leads, opened afresh (a new tab, a shared link)
    assert not problems(app) and app.select_slider(key="distance").value == 3


def test_a_damaged_lab_run_is_named_and_the_rest_still_shown(trained, store_at, tmp_path):
    root = store_at(copy_store(trained, tmp_path / "lab-damaged", datasets=("memory-d3", "memory-d6")))
    victim = done_runs(root, "memory-d6", task="memory")[0]
    (root / "memory-d6" / victim / "metrics.json").write_text('{"accuracy": "high"}')
    app = open_page("memory_lab")
    assert not problems(app)
    assert victim in texts(app.warning) and "metrics.json" in texts(app.warning)
    assert len(app.dataframe[0].value) == 6  # every cell and start still drawn (the run's twin at D=3)


@pytest.mark.parametrize("tab", ["Simulation", "Any model, any text"])
def test_the_gradients_page_simulates_and_reads_any_model(tab, real_runs):
    app = open_page("gradients")
    open_tab(app, "tab", tab)
    assert not problems(app)
    if tab == "Simulation":
        app.slider(key="simulation_radius").set_value(1.2).run()
        assert not problems(app) and "spectral radius 1.20" in app.get("plotly_chart")[0].proto.spec
    else:
        app.selectbox(key="run").set_value(run_id_of(real_runs, "torch-gru-bi-")).run()
        charts = app.get("plotly_chart")
        assert len(charts) == 2 and "layer 1 backward" in charts[1].proto.spec  # a BiGRU: both directions
        app.text_input(key="text").input("").run()
        assert "nothing to differentiate" in texts(app.info)


def test_train_page_sends_a_zoo_to_a_ray_cluster_and_shows_why_it_could_not(tmp_path, store_at, rt_data_dir,
                                                                            monkeypatch):
    monkeypatch.setenv("RNNLENS_DATA_DIR", str(rt_data_dir))
    root = store_at(tmp_path / "store")
    app = open_page("train")
    app.selectbox[3].set_value("ray")  # executor
    app.text_input[0].set_value("http://head")
    app.form_submit_button[0].click().run()
    assert "Could not start: --address must be auto, HOST:PORT" in texts(app.error)
    assert not jobs.list_jobs(Store(root))

    app.text_input[0].set_value("127.0.0.1:1")  # nothing listens there
    app.form_submit_button[0].click().run()
    # Since Ray addresses are tried before a job starts (h20a), nothing listening there is said at once, too.
    assert "Could not start: no Ray cluster answers at 127.0.0.1:1" in texts(app.error)
    assert not jobs.list_jobs(Store(root)) and not app.exception


def test_the_memory_lab_with_several_seeds_shows_means_counts_and_one_seed_at_a_time(trained, store_at, tmp_path):
    import shutil

    from conftest import reseal_checksums
    from pipelines.files import read_json, write_json
    from pipelines.models.cells import CELL_NAMES

    root = store_at(copy_store(trained, tmp_path / "seeds", datasets=("memory-d3", "memory-d6")))
    expected = {}  # model label -> its count: the seed-42 run learned the task or not, the twin never
    for run_id in done_runs(root, "memory-d3", task="memory"):  # a seed-43 twin of every run, scored at chance
        twin = root / "memory-d3" / f"{run_id}-s43"
        shutil.copytree(root / "memory-d3" / run_id, twin)
        spec = read_json(twin / "spec.json")
        write_json(twin / "spec.json", {**spec, "run_id": twin.name, "training": {**spec["training"], "seed": 43}})
        metrics = read_json(twin / "metrics.json")
        model = Store(root).run("memory-d3", run_id).model_spec
        expected[f"{CELL_NAMES[model.cell]} ({model.init} start)"] = f"{int(metrics['accuracy'] >= 0.95)} of 2"
        write_json(twin / "metrics.json", {**metrics, "accuracy": 0.5})
        reseal_checksums(twin)  # metrics.json changed on purpose
    app = open_page("memory_lab")
    assert not problems(app) and "12 of the sweep's 36 runs" in app.expander[0].proto.label  # a twin counts once
    means, counts = (frame.value for frame in app.dataframe[:2])
    assert list(counts.columns) == ["model", "D = 3", "D = 6"]
    assert dict(zip(counts["model"], counts["D = 3"])) == expected
    assert set(counts["D = 6"]) <= {"0 of 1", "1 of 1"} and len(means) == 6
    app.select_slider(key="distance").set_value(3).run()
    assert app.button_group(key="lab_seed").value == 42 and not problems(app)
    app.button_group(key="lab_seed").set_value(43).run()
    lines = [trace for trace in json.loads(app.get("plotly_chart")[-1].proto.spec)["data"] if trace.get("name")]
    assert len(lines) == 6 and all("accuracy 50%" in trace["name"] for trace in lines)  # seed 43's runs only
    assert not problems(app) and app.subheader[-1].value == "Where the models look at D = 3"


# -- every view is a link ---------------------------------------------------------------------------------------


def opened_at(page: str, address: dict, **session):
    """The app opened on `page` from a pasted link: `address` is the link's query (?key=value)."""
    from streamlit.testing.v1 import AppTest

    from dashboard_stores import APP

    app = AppTest.from_file(str(APP), default_timeout=90)
    app.query_params.update(address)
    for key, value in session.items():
        app.session_state[key] = value
    return app.switch_page(PAGES[page]).run()


def labels_offered(page: str, key: str) -> list[str]:
    """A run picker's options as the page shows them, which is how the address names runs."""
    app = open_page(page)
    return list(app.selectbox(key=key).options)


def test_a_link_opens_inside_the_model_on_two_models_a_text_a_method_and_a_tab(real_runs):
    labels = labels_offered("inside", "run")
    lstm = next(label for label in labels if label.startswith("LSTM"))
    rnn = next(label for label in labels if label.startswith("RNN"))
    app = opened_at("inside", {"run": lstm, "vs": rnn, "text": "It was not bad.", "method": "Saliency", "tab": "Gates"})
    assert not problems(app)
    assert app.selectbox(key="run").value.startswith("torch-lstm-") and app.selectbox(key="vs").value.startswith(
        "torch-rnn-")  # fmt: skip
    assert app.text_input(key="text").value == "It was not bad." and app.button_group(key="method").value == "saliency"
    specs = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert app.session_state["tab"] == "Gates" and "forget gate f" in specs[0]  # the Gates tab is the one drawn
    assert "a plain RNN has no gates" in texts(app.info)


@pytest.mark.parametrize("page, address, shown", [
    ("playground", {"text": "Dull, tedious and far too long."},
     ("text_input", "text", "Dull, tedious and far too long.")),
    ("evaluation", {"tab": "Per class"}, ("session_state", "tab", "Per class")),
    ("memory_lab", {"distance": "3"}, ("select_slider", "distance", 3)),  # the page opens at the distance nearest 100
    ("gradients", {"distance": "3"}, ("select_slider", "distance", 3)),
    ("gradients", {"tab": "Any model, any text", "text": "Flat and dull."}, ("text_input", "text", "Flat and dull.")),
    ("forecasts", {"dataset": "co2", "step": "5"}, ("slider", "step", 5)),
    ("glass_box", {"tab": "Whole test split"}, ("session_state", "tab", "Whole test split")),
    ("write", {"prompt": "A dull", "tab": "Hidden states"}, ("text_input", "prompt", "A dull")),
])  # fmt: skip
def test_a_link_opens_each_page_on_the_view_it_names(page, address, shown, real_runs):
    app = opened_at(page, address, write_watch=False)
    assert not problems(app)
    kind, key, value = shown
    assert (app.session_state[key] if kind == "session_state" else getattr(app, kind)(key=key).value) == value
    if "tab" in address:
        assert app.session_state["tab"] == address["tab"]


@pytest.mark.parametrize("page, key, address", [
    ("inside", "run", {}), ("gradients", "run", {"tab": "Any model, any text"}), ("glass_box", "run", {}),
    ("forecaster_inside", "run", {"dataset": "co2"}), ("training", "runs", {}), ("top_words", "runs", {}),
    ("evaluation", "runs", {}), ("forecasts", "runs", {"dataset": "co2"}), ("write", "runs", {}),
    ("significance", "runs", {}), ("significance", "reference", {}), ("report", "runs", {}),
])  # fmt: skip
def test_a_link_names_the_models_it_opens_by_their_labels(page, key, address, real_runs):
    picker = "multiselect" if key == "runs" else "selectbox"
    offered = list(getattr(opened_at(page, address, write_watch=False), picker)(key=key).options)  # labels, as shown
    app = opened_at(page, {**address, key: offered[-1]}, write_watch=False)  # the last one on offer
    assert not problems(app)
    chosen = getattr(app, picker)(key=key)
    assert (chosen.index if picker == "selectbox" else list(chosen.indices)) == (
        len(offered) - 1 if picker == "selectbox" else [len(offered) - 1])  # fmt: skip


def test_a_link_names_runs_by_their_labels_and_an_unknown_one_falls_back_to_the_default(real_runs):
    default = opened_at("forecasts", {"dataset": "co2"}).multiselect(key="runs")
    offered = list(default.options)  # the labels, best first; baselines included
    app = opened_at("forecasts", {"dataset": "co2", "runs": [offered[-1]]})
    assert not problems(app) and len(app.multiselect(key="runs").value) == 1 != len(default.value)
    first = open_page("inside").selectbox(key="run").value
    app = opened_at("inside", {"run": "a model trained on another machine"})
    assert not problems(app) and app.selectbox(key="run").value == first


def test_a_typed_text_survives_a_visit_to_other_pages_and_is_the_one_inside_the_model_reads(real_runs):
    app = open_page("playground")
    app.text_input(key="text").input("Dull, tedious and far too long.").run()
    app.switch_page(PAGES["overview"]).run()
    app.switch_page(PAGES["playground"]).run()
    assert not problems(app) and app.text_input(key="text").value == "Dull, tedious and far too long."
    app.switch_page(PAGES["inside"]).run()
    assert not problems(app) and app.text_input(key="text").value == "Dull, tedious and far too long."
    open_tab(app, "tab", "Gates")
    app.switch_page(PAGES["evaluation"]).run()  # another page's tabs: "Gates" is not one of them
    assert not problems(app) and app.session_state["tab"] != "Gates"
    app.switch_page(PAGES["inside"]).run()  # back: the page's own tab again
    assert not problems(app) and app.session_state["tab"] == "Gates"


@pytest.mark.parametrize("page, controls, result", [
    ("inside", "Models, text and word attribution", "metric"),
    ("playground", "The review, or an example or a test review", "plotly_chart"),
])  # fmt: skip
def test_on_a_projector_the_result_comes_first_and_the_controls_below_it(page, controls, result, real_runs):
    app = opened_at(page, {"text": "It was not bad.", "presentation": "true"})
    assert not problems(app)
    blocks = list(_holding_the_expander(app.main).children.values())  # the page, or the fragment it draws them in
    below = next(index for index, block in enumerate(blocks) if getattr(block, "type", "") == "expander")
    assert blocks[below].label == controls and blocks[below].text_input(key="text").value == "It was not bad."
    shown = next(index for index, block in enumerate(blocks) if hasattr(block, "children") and block.get(result))
    assert shown < below


def _holding_the_expander(block):
    """The block whose own children include an expander (the page's main block, or a fragment's inside it)."""
    children = list(getattr(block, "children", {}).values())
    if any(getattr(child, "type", "") == "expander" for child in children):
        return block
    for child in children:
        if (found := _holding_the_expander(child)) is not None:
            return found
    return None


def test_the_share_button_shows_the_views_link_and_its_qr_code(real_runs):
    from urllib.parse import parse_qs, urlsplit

    import segno

    app = opened_at("inside", {"text": "It was not bad.", "tab": "Gates", "presentation": "true"})
    app.button(key="share_on_the_page").click().run()  # the sidebar's is folded away on a projector
    assert not problems(app)
    link = app.code[0].value
    query = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path.endswith("/inside")
    assert query["text"] == ["It was not bad."] and query["tab"] == ["Gates"] and query["presentation"] == ["true"]
    assert query["dataset"] == ["rt-polarity"] and query["run"] == [app.selectbox(key="run").options[0]]
    image = next(html.proto.body for html in app.get("html") if "rnnlens-qr" in html.proto.body)
    expected = segno.make(link, error="m", micro=False).svg_data_uri(scale=10, dark="#111111", light="#ffffff")
    assert f'src="{expected}"' in image  # segno's QR code of exactly this link (medium error correction)


def test_the_memory_labs_distance_goes_with_it_to_the_gradients(real_runs):
    app = opened_at("memory_lab", {"distance": "3"})  # the lab opens at the distance nearest 100 (6) otherwise
    app.switch_page(PAGES["gradients"]).run()  # "Why: gradients through time for these runs"
    assert not problems(app) and app.select_slider(key="distance").value == 3
