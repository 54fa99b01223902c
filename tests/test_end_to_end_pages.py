"""The end-to-end tier in the browser: every page in Chromium, on a laptop and on a projector in presentation mode,
against the store tests/test_end_to_end.py trains (`built_once`: trained once, whichever module asks first).

Any exception box or traceback on a page fails the tier; the pages that draw charts must draw one; axe-core must
find no serious or critical WCAG 2.1 AA violation of ours (tests/axe.py), on every page and on the lecture bar, and
the keyboard must reach the lecture's Next button. The Playground's "Why?" is pressed in both modes. Screenshots
land in screenshots/end-to-end-*.png, axe's counts per page and rule in screenshots/accessibility-axe.json
(BENCHMARKS.md's accessibility section was measured this way).
"""

from __future__ import annotations

import json

import pytest

import dashboard.pages
from axe import audit, serious
from test_dashboard_browser import PROBLEMS, SCREENSHOTS, browser, serve, settle, shoot  # noqa: F401  (browser: a fixture)
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
DRAWN = f"{CHART} .main-svg"  # Plotly has drawn the chart, so axe reads its text and colours


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


@pytest.fixture(scope="module")
def counts():
    """axe's serious and critical elements per view and rule, ours and Streamlit's, written out when the module ends."""
    found: dict[str, dict] = {}
    yield found
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "accessibility-axe.json").write_text(json.dumps(found, indent=1, sort_keys=True))


def assert_accessible(page, name: str, counts: dict) -> None:
    """axe-core finds no serious or critical WCAG 2.1 AA violation of ours on the page as it is drawn now."""
    ours, streamlits = serious(page)
    counts[name] = {"ours": {rule: len(elements) for rule, elements in ours.items()}, "streamlit": streamlits}
    assert not ours, f"{name}: {json.dumps(ours, indent=1)[:3000]}"


def open_view(tab, server: str, path: str, mode: str, drawn: bool = False):
    """The page at a laptop's size (1400x900) or a projector's in presentation mode (1920x1080), once its script has
    run (and, with `drawn`, Plotly has drawn its first chart)."""
    page = tab(mode)
    query = {"dataset": PAGE_DATASETS.get(path, CLASSIFIERS)}
    if mode == "presentation":
        query["presentation"] = "true"
    page.goto(f"{server}/{path}?" + "&".join(f"{key}={value}" for key, value in query.items()))
    if drawn:
        page.locator(DRAWN).first.wait_for(timeout=60_000)
    settle(page)
    return page


def assert_no_problem(page, name: str) -> None:
    shoot(page, f"end-to-end-{name}")  # first, so a failure leaves a picture of it
    problems = page.locator(PROBLEMS)
    assert problems.count() == 0, f"{name}: {problems.first.inner_text()[:2000]}"
    assert "Traceback" not in page.locator("body").inner_text()


@pytest.mark.parametrize("path, mode", VIEWS)
def test_every_page_opens_without_an_error_and_is_accessible(tabs, server, counts, path, mode):
    page = open_view(tabs, server, path, mode, drawn=path not in NO_CHART_AT_FIRST)  # the others draw the store's runs
    name = f"{path or 'overview'}-{mode}"
    assert page.locator("h1").first.inner_text() == dashboard.pages.BY_KEY[path or "overview"].title, name
    assert_no_problem(page, name)
    assert_accessible(page, name, counts)
    root_font = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert root_font == (20 if mode == "presentation" else 16), f"{name}: {root_font} px type"  # a room reads it
    if mode == "presentation" and path not in NO_CHART_AT_FIRST:
        assert_above_the_fold(page, MAIN.get(path, CHART), name)


def assert_above_the_fold(page, main: str, name: str) -> None:
    """On a projector (1920x1080, and 1280x720 for an older one) the page's main result starts on the first
    screen, with room to be seen: the lesson, not the form."""
    try:
        for size in PROJECTORS:
            page.set_viewport_size(size)
            top = laid_out_top(page.locator(main).first)
            assert top + 150 <= size["height"], f"{name}: its main result starts at {top:.0f} px of {size}"
    finally:
        page.set_viewport_size(SIZES["presentation"])


def laid_out_top(element) -> float:
    """Where the element starts once Streamlit and Plotly have laid the page out again: the same place twice, 150 ms
    apart (a resize reflows the page over a few frames)."""
    before = element.bounding_box()["y"]
    for _ in range(40):
        element.page.wait_for_timeout(150)
        now = element.bounding_box()["y"]
        if now == before:
            return now
        before = now
    raise AssertionError(f"the page kept moving for 6 s: {element}")


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


def test_the_default_lecture_walks_every_step_with_the_arrow_keys_in_presentation_mode(tabs, server, counts):
    """A lecturer's path: step 1 of "Why gates matter" from its address (its lecture bar accessible), Next clicked,
    then the right arrow key through every step, each on its page with its takeaway above it; then back with the left
    arrow. (This store has the lecture's kinds of runs on smaller data sets, so a step may also say which data set it
    would show.)"""
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
            if page.locator(CHART).count():
                page.locator(DRAWN).first.wait_for(timeout=60_000)
            assert_accessible(page, "lecture-presentation", counts)
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


def test_only_streamlits_navigation_is_excluded_from_axe_and_only_from_the_list_rules(tabs, server):
    """The exclusion stays narrow: a list of ours that breaks the same rule is still reported."""
    page = open_view(tabs, server, "training", "laptop")
    page.evaluate("""() => { const broken = document.createElement('ul');
        broken.innerHTML = '<div>not an item</div><li>an item</li>';
        document.querySelector('[data-testid="stMain"]').appendChild(broken); }""")
    found = {violation["rule"]: violation for violation in audit(page)}
    assert len(found["list"]["ours"]) == 1 and found["list"]["streamlit"] == 1, found.get("list")
    assert found["listitem"]["streamlit"] > 0 and not found["listitem"]["ours"], found.get("listitem")


def test_the_keyboard_reaches_the_lectures_next_button_and_enter_presses_it(tabs, server):
    """A lecturer without a mouse: Tab from the top of the page until the focus is on Next (visibly outlined),
    then Enter walks to step 2."""
    from dashboard.lecture import DEFAULT

    page = tabs("presentation")
    page.goto(f"{server}/?lecture={DEFAULT.name}&lecture_step=1&presentation=true")
    settle(page)
    page.locator("body").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.st-key-lecture_next')"):
            break
    else:
        pytest.fail("80 presses of Tab never reached the lecture's Next button")
    outline = page.evaluate("() => { const style = getComputedStyle(document.activeElement); "
                            "return [style.outlineStyle, parseFloat(style.outlineWidth)]; }")
    assert outline[0] != "none" and outline[1] >= 2, f"the focused Next button has no visible outline: {outline}"
    page.keyboard.press("Enter")
    page.wait_for_url("**lecture_step=2**", timeout=60_000)
    settle(page)
    assert "step 2 of" in page.locator(".st-key-lecture_bar").inner_text()
