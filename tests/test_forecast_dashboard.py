"""The dashboard on a forecasting data set (co2, trained by the real pipeline): every page through AppTest."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard_stores import (
    FORECAST_DATASET, PAGES, assert_every_chart_described, copy_store, open_page, problems, trained_store,
)  # fmt: skip
from conftest import reseal_checksums
from pipelines.store import Store


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    return trained_store(tmp_path_factory)


def open_forecasting(page: str, root, presentation: bool = False) -> AppTest:
    """`page` on the co2 data set, opened from its address (the data set chosen there, as a link would)."""
    return open_page(page, timeout=120, dataset=FORECAST_DATASET, **({"presentation": "true"} if presentation else {}))


@pytest.fixture
def forecasting(trained, monkeypatch):
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(trained))
    return trained


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def runs_of(root, method: str) -> list[str]:
    return [r.run_id for r in Store(root).runs(FORECAST_DATASET) if r.state == "done" and r.metrics.method == method]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_forecasting_data_set(page, forecasting):
    app = open_forecasting(page, forecasting)
    assert not problems(app), page
    charts = app.get("plotly_chart")
    assert_every_chart_described(app, page)
    if page == "overview":
        assert len(app.dataframe[0].value) == 7  # three recurrent forecasters, an encoder-decoder, three baselines
        assert "gaps filled" in texts(app.metric) or any(m.label == "gaps filled" for m in app.metric)
        assert len(charts) == 1  # the series with its parts
    elif page == "training":
        assert charts and "Direction accuracy" in charts[0].proto.spec
        assert "3 baselines are fitted in one go" in texts(app.caption)
    elif page == "forecasts":
        assert len(charts) == 2 and len(app.dataframe[0].value) == 7
        assert "holt-winters" in texts(app.multiselect) or len(app.multiselect[0].value) >= 2
    elif page == "forecaster_inside":
        assert len(charts) == 3 and '"type":"heatmap"' in charts[1].proto.spec
    elif page in ("evaluation", "compare", "playground", "inside", "top_words", "glass_box"):
        assert "7 finished runs of this data set are forecasters, which this page does not draw" in texts(app.info)


def test_the_forecasts_page_answers_every_control(forecasting):
    app = open_forecasting("forecasts", forecasting)
    board = app.dataframe[0].value
    assert list(board["RMSE"]) == sorted(board["RMSE"]) and set(board["kind"]) == {"recurrent", "baseline"}
    assert {"RMSE @1", "MASE @1", "RMSE @8", "MASE @8", "trained by"} <= set(board.columns)
    assert "a rule (nothing to train)" in set(board["trained by"]) and "statsmodels" in set(board["trained by"])
    app.slider(key="step").set_value(8).run()
    assert not problems(app) and "8 steps ahead" in app.get("plotly_chart")[0].proto.spec
    app.select_slider(key="forecast_origin").set_value("future").run()  # the real future: the models forecast it
    assert not problems(app) and "fan" in app.get("plotly_chart")[0].proto.spec
    app.toggle(key="forecast_whole").set_value(True).run()
    app.radio(key="forecast_score").set_value("direction_accuracy").run()
    assert not problems(app) and "direction by horizon step" in app.get("plotly_chart")[1].proto.spec
    app.multiselect(key="runs").set_value([]).run()
    assert "Pick at least one model" in texts(app.info)


def test_inside_the_forecaster_reads_any_window_of_any_layer(forecasting):
    app = open_forecasting("forecaster_inside", forecasting)
    recurrent = runs_of(forecasting, "recurrent")
    assert len(app.selectbox(key="run").options) == len(recurrent) == 4
    for run_id in recurrent:  # a baseline has no states: only these are offered
        app.selectbox(key="run").set_value(run_id).run()
        assert not problems(app)
    slider = app.select_slider(key="forecaster_origin:26")
    slider.set_value(slider.options[0]).run()  # the first full window
    assert not problems(app)
    assert "hidden state h" in app.get("plotly_chart")[1].proto.spec


def test_forecasting_pages_in_presentation_mode_keep_their_lessons(forecasting):
    for page in ("overview", "training", "forecasts", "forecaster_inside"):
        app = open_forecasting(page, forecasting, presentation=True)
        assert not problems(app), page
        assert app.caption, page  # what the page teaches stays on the projector
        assert all('"size":21' in chart.proto.spec for chart in app.get("plotly_chart")), page


def test_a_text_data_set_on_the_forecasting_pages_offers_the_series_that_has_forecasters(trained, monkeypatch,
                                                                                         tmp_path):  # fmt: skip
    """Issue 22 (7): with co2 trained and rt-polarity chosen, the pages said "Train some on the CO₂ series". They
    now say co2 has forecasters and switch to it in one click; only a store without any says "train some"."""
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(trained))
    for page in ("forecasts", "forecaster_inside"):
        app = open_page(page)  # rt-polarity comes first
        assert not problems(app) and "**co2** has them" in texts(app.info) and "train some" not in texts(app.info)
        app.button(key="switch_to_co2").click().run()
        assert not problems(app) and not app.info and app.session_state["dataset"] == FORECAST_DATASET
        assert app.get("plotly_chart"), page  # the page itself, on co2
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(copy_store(trained, tmp_path / "texts", datasets=("rt-polarity",))))
    for page in ("forecasts", "forecaster_inside"):
        app = open_page(page)
        assert not problems(app) and not app.main.button
        assert "python -m pipelines train --dataset co2 --zoo forecast-quick" in texts(app.info)


def test_damaged_forecasting_runs_are_named_and_the_rest_still_shown(trained, monkeypatch, tmp_path):
    root = copy_store(trained, tmp_path / "damaged", datasets=(FORECAST_DATASET,))
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(root))
    store = Store(root)
    holt, naive = runs_of(root, "holt-winters")[0], runs_of(root, "naive")[0]
    (store.run_dir(FORECAST_DATASET, holt) / "predictions.csv").write_text("\x00 not a table")
    reseal_checksums(store.run_dir(FORECAST_DATASET, holt))  # the checksums agree, so the page must read the table
    (store.run_dir(FORECAST_DATASET, naive) / "metrics.json").write_text('{"overall": "broken"}')
    failed = "torch-gru-1x8-lb26-h8-0badf00d"
    with store.claim(FORECAST_DATASET, failed) as claim:
        claim.set_status("failed", error="RuntimeError: <b>diverged</b>")
    for page in ("overview", "forecasts", "forecaster_inside", "training"):
        app = open_forecasting(page, root)
        assert not app.exception, page
        shown = texts([*app.error, *app.warning, *app.info])
        assert failed in shown and naive in shown and "metrics.json" in shown, page
        if page == "forecasts":
            assert holt in shown and "test predictions" in shown  # its table is unreadable: said, not raised
    other = copy_store(trained, tmp_path / "no-series", datasets=(FORECAST_DATASET,))  # a root the caches never saw
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(other))
    (other / FORECAST_DATASET / "series.parquet").write_bytes(b"garbage")
    for page in ("overview", "forecasts", "forecaster_inside"):
        app = open_forecasting(page, other)
        assert not app.exception and "the series of co2" in texts(app.error), page


def test_the_train_page_starts_a_forecast_zoo(tmp_path, monkeypatch):
    import time

    from pipelines.training import jobs

    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(tmp_path / "store"))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    app = open_page("train")
    app.button_group(key="train_kind").set_value("Forecasting").run()
    assert [box.label for box in app.main.selectbox] == ["Series", "Zoo", "Framework"]  # PyTorch by default
    app.number_input[0].set_value(1)  # epochs
    app.number_input[1].set_value(26)  # lookback
    app.number_input[2].set_value(8)  # horizon
    app.form_submit_button[0].click().run()
    assert not problems(app)
    assert "Started the forecast-quick zoo on co2" in texts(app.success)
    store = Store(tmp_path / "store")
    deadline = time.monotonic() + 240
    while any(job.alive for job in jobs.list_jobs(store)) and time.monotonic() < deadline:
        time.sleep(0.5)
    app.run()
    assert not problems(app)
    progress = [bar.proto.text for bar in app.get("progress")]
    assert len(progress) == 7 and all("done in" in text and "RMSE" in text for text in progress)


def test_a_twin_from_the_other_framework_keeps_the_colour_and_draws_apart():
    """The seed's Keras encoder-decoder and its PyTorch twin share the cell's colour; the Keras line is dash-dotted
    with crosses, so the two stay apart where their forecasts overlap."""
    import pandas as pd

    from dashboard.features.forecasting.figures_forecast import forecast_styles

    rows = [("LSTM 32 encoder-decoder · PyTorch", "torch"), ("LSTM 32 encoder-decoder · Keras", "keras")]
    frame = pd.DataFrame([{"label": label, "framework": framework, "cell": "lstm", "bidirectional": False, "layers": 1,
                           "hidden_size": 32, "baseline": False, "method": "recurrent"} for label, framework in rows]
                         + [{"label": "Seasonal naive (52)", "framework": "baseline", "cell": None, "bidirectional":
                             False, "layers": None, "hidden_size": None, "baseline": True, "method": "seasonal-naive"}])
    styles = forecast_styles(frame)
    pytorch, keras_twin = styles[rows[0][0]], styles[rows[1][0]]
    assert keras_twin.colour == pytorch.colour and (pytorch.dash, pytorch.symbol) == ("solid", "circle")
    assert (keras_twin.dash, keras_twin.symbol) == ("dashdot", "x")
    assert styles["Seasonal naive (52)"].colour != pytorch.colour
