"""The end-to-end tier in the browser: every page in Chromium, on a laptop and on a projector in presentation mode,
against the store tests/test_end_to_end.py trains (`built_once`: trained once, whichever module asks first).

Any exception box or traceback on a page fails the tier; the pages that draw charts must draw one. The Playground's
"Why?" is pressed in both modes. Screenshots land in screenshots/end-to-end-*.png.
"""

from __future__ import annotations

import pytest

import dashboard.pages
from test_dashboard_browser import PROBLEMS, browser, serve, settle, shoot  # noqa: F401  (browser: a fixture)
from test_end_to_end import CLASSIFIERS, CORPUS, MEMORY, SERIES, TRANSLATIONS, store  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PAGE_DATASETS = {"forecasts": SERIES, "forecaster_inside": SERIES, "write": CORPUS, "memory_lab": MEMORY,
                 "translate": TRANSLATIONS, "bottleneck": TRANSLATIONS, "teacher_forcing": TRANSLATIONS}
NO_CHART_AT_FIRST = {"train", "inside", "glass_box", "deploy", "report", "class_wall", "submit"}  # a form; coloured
# words (a chart only for some models); LaTeX; nothing measured yet (tests/test_dashboard_deploy_browser.py draws a
# measured store); the report's settings; the class wall's cards and its form
SIZES = {"laptop": {"width": 1400, "height": 900}, "presentation": {"width": 1920, "height": 1080}}  # a projector
PROJECTORS = ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720})
# What a page is about, when it is not its first chart: the text the models wrote; the models' verdict on a review
MAIN = {"write": "span[title]", "playground": '[data-testid="stMetric"]'}
CHART = '[data-testid="stPlotlyChart"]'


VIEWS = [(page.url_path, mode) for page in dashboard.pages.PAGES for mode in SIZES]


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    """`streamlit run` on the end-to-end store (the `browser` fixture, imported, launches Chromium against it)."""
    yield from serve(lambda: store, tmp_path_factory)


@pytest.fixture(scope="module")
def tabs(browser):
    """One browser tab per mode, reused from page to page: its cache keeps Streamlit's scripts, which halves the
    time a page takes to open; each address opened is still a new Streamlit session."""
    opened = {}

    def tab(mode: str):
        if mode not in opened:
            opened[mode] = browser.new_context(viewport=SIZES[mode]).new_page()
        return opened[mode]

    yield tab
    for page in opened.values():
        page.context.close()


def open_view(tab, server: str, path: str, mode: str):
    """The page at a laptop's size (1400x900) or a projector's in presentation mode (1920x1080)."""
    page = tab(mode)
    query = {"dataset": PAGE_DATASETS.get(path, CLASSIFIERS)}
    if mode == "presentation":
        query["presentation"] = "true"
    page.goto(f"{server}/{path}?" + "&".join(f"{key}={value}" for key, value in query.items()))
    settle(page)
    return page


def assert_no_problem(page, name: str) -> None:
    shoot(page, f"end-to-end-{name}")  # first, so a failure leaves a picture of it
    problems = page.locator(PROBLEMS)
    assert problems.count() == 0, f"{name}: {problems.first.inner_text()[:2000]}"
    assert "Traceback" not in page.locator("body").inner_text()


@pytest.mark.parametrize("path, mode", VIEWS)
def test_every_page_opens_without_an_error(tabs, server, path, mode):
    page = open_view(tabs, server, path, mode)
    if path not in NO_CHART_AT_FIRST:  # every other page draws charts from the store's runs
        page.locator(CHART).first.wait_for(timeout=60_000)
        settle(page)
    name = f"{path or 'overview'}-{mode}"
    assert page.locator("h1").first.inner_text() == dashboard.pages.BY_KEY[path or "overview"].title, name
    assert_no_problem(page, name)
    if mode == "presentation" and path not in NO_CHART_AT_FIRST:
        assert_above_the_fold(page, MAIN.get(path, CHART), name)


def assert_above_the_fold(page, main: str, name: str) -> None:
    """On a projector (1920x1080, and 1280x720 for an older one) the page's main result starts on the first
    screen, with room to be seen: the lesson, not the form."""
    try:
        for size in PROJECTORS:
            page.set_viewport_size(size)
            page.wait_for_timeout(700)  # Streamlit and Plotly lay the page out again
            top = page.locator(main).first.bounding_box()["y"]
            assert top + 150 <= size["height"], f"{name}: its main result starts at {top:.0f} px of {size}"
    finally:
        page.set_viewport_size(SIZES["presentation"])


@pytest.mark.parametrize("mode", SIZES)
def test_why_takes_the_playground_review_inside_the_models(tabs, server, mode):
    """The Playground's "Why?" button opens Inside the model on the review typed (it once crashed in presentation
    mode: Streamlit refused to clear the address's parameters bound to widgets)."""
    page = open_view(tabs, server, "playground", mode)
    page.get_by_role("button", name="Why? Look inside the models").click()
    page.wait_for_url("**/inside**", timeout=60_000)
    settle(page)
    assert page.locator("h1").first.inner_text() == "Inside the model"
    assert_no_problem(page, f"why-{mode}")
    assert ("presentation=true" in page.url) == (mode == "presentation")  # the mode survives the switch


def test_the_default_lecture_walks_every_step_with_the_arrow_keys_in_presentation_mode(tabs, server):
    """A lecturer's path: step 1 of "Why gates matter" from its address, Next clicked, then the right arrow key
    through every step, each on its page with its takeaway above it; then back with the left arrow. (This store has the lecture's
    kinds of runs on smaller data sets, so a step may also say which data set it would show.)"""
    from dashboard.lecture import DEFAULT

    page = tabs("presentation")
    page.goto(f"{server}/?lecture={DEFAULT.name}&lecture_step=1&presentation=true")
    settle(page)
    for number, step in enumerate(DEFAULT.steps, 1):
        bar = page.locator(".st-key-lecture_bar")
        assert f"step {number} of {len(DEFAULT.steps)}" in bar.inner_text()
        assert step.takeaway in bar.inner_text()
        assert page.locator("h1").first.inner_text() == dashboard.pages.BY_KEY[step.page].title
        assert_no_problem(page, f"lecture-step-{number}")
        assert "presentation=true" in page.url and f"lecture_step={number}" in page.url
        if number == 1:  # a click first: the bar sits under Streamlit's header, which must let it through
            page.locator(".st-key-lecture_next button").click()
            page.wait_for_url(f"**lecture_step={number + 1}**", timeout=60_000)
            settle(page)
        elif number < len(DEFAULT.steps):
            page.keyboard.press("ArrowRight")
            page.wait_for_url(f"**lecture_step={number + 1}**", timeout=60_000)
            settle(page)
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(f"**lecture_step={len(DEFAULT.steps) - 1}**", timeout=60_000)
    settle(page)
    assert page.locator("h1").first.inner_text() == dashboard.pages.BY_KEY[DEFAULT.steps[-2].page].title
