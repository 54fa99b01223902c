"""A chart's words and its data (issue 26, item 2): opening "The data" shows the table of every point, a projector
keeps the words and folds the data away, and in Chromium the description is what the accessibility tree names the
chart. That every chart on every page has both is checked where the pages are walked: tests/test_dashboard.py and
tests/test_forecast_dashboard.py (`dashboard_stores.assert_every_chart_described`)."""

from __future__ import annotations

import re

import pytest

from dashboard.describe import chart_data, describe
from dashboard.features.lab import figures_lab
from dashboard_stores import open_page, problems


@pytest.fixture
def store(trained, store_at):
    return store_at(trained)


def test_opening_the_data_shows_the_words_and_the_table_of_every_point(store):
    app = open_page("memory_lab", timeout=120)
    chart = app.get("plotly_chart")[0]
    tables = len(app.dataframe)  # the page's own (where each model looks); folded, the chart's is not built
    app.session_state["chart-data:memory-accuracy"] = True  # the expander's key (ui._chart_data): opened
    app.run()
    assert not problems(app)
    assert chart.proto.alt in [caption.value for caption in app.caption]
    assert len(app.dataframe) == tables + 1
    table = next(frame.value for frame in app.dataframe if "series" in frame.value.columns)
    assert {"series", "test accuracy"} <= set(table.columns) and len(table) >= 6
    assert "Download CSV" in [button.label for button in app.get("download_button")]


def test_a_projector_keeps_the_words_and_folds_the_data(store):
    app = open_page("memory_lab", timeout=120, presentation="true")
    charts = app.get("plotly_chart")
    assert charts and all(chart.proto.alt for chart in charts)
    assert not any("series" in frame.value.columns for frame in app.dataframe) and not app.get("download_button")


@pytest.mark.browser
def test_a_screen_reader_hears_the_chart_described(store, tmp_path_factory):
    """The accessibility tree Chromium gives a screen reader names the chart (a figure) by its description."""
    from playwright.sync_api import sync_playwright

    from dashboard import chromium
    from test_dashboard_browser import needs_chromium, settle, streamlit_on

    needs_chromium()
    with streamlit_on(store, tmp_path_factory.mktemp("server")) as address, sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{address}/memory_lab")
        settle(page)
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        chart.wait_for()
        tree = chart.aria_snapshot()
        count = page.get_by_role("figure", name=re.compile("^Remembering one word across D steps")).count()
        browser.close()
    assert "Remembering one word across D steps. Test accuracy against distance D" in tree
    assert count == 1


def test_the_words_and_the_table_come_from_the_same_figure_the_page_draws():
    """A cheap check beside the page walk: the lab's chart of a store with one model that forgets."""
    import pandas as pd

    points = pd.DataFrame([{"distance": d, "cell": "rnn", "init": "identity", "fair": True, "accuracy": a, "seed": 0}
                           for d, a in ((5, 1.0), (50, 0.5))])  # fmt: skip
    figure = figures_lab.accuracy_by_distance(points)
    assert "RNN (identity start): 100% at 5 to 50% at 50" in describe(figure)
    assert len(chart_data(figure)) == 2 + 2  # the chance line's two ends and the model's two points
