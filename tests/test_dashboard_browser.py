"""The dashboard in a real browser: `streamlit run` in the background, headless Debian Chromium.

Streamlit draws over a websocket, so each check first waits until the app says
its script has finished (`data-test-script-state="notRunning"`) and the page's
title is on screen. Screenshots land in screenshots/ (git-ignored).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from dashboard import chromium
from dashboard_stores import APP, PROJECT, trained_store

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT / "screenshots"
READY = '[data-testid="stApp"][data-test-script-state="notRunning"] h1'
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
# The Playground's and Inside the model's text box, whatever its kind: the tests ask what Enter does, not which widget.
TEXT_BOX = ", ".join(f'{kind}[aria-label="{label}"]' for kind in ("input", "textarea") for label in ("Review", "Text"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve(lambda: trained_store(tmp_path_factory), tmp_path_factory)


def needs_chromium() -> None:
    """Skip a browser test where no Chromium is installed (dashboard/chromium.py); CI must have one."""
    if chromium.chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Chromium: CI must install Debian's chromium-headless-shell (see .ci/run)")
        pytest.skip(f"no Chromium here: {chromium.INSTALL}")


def serve(make_store, tmp_path_factory):
    """`streamlit run` on the store `make_store()` returns, once Chromium is known to be there; yields its URL."""
    needs_chromium()
    with streamlit_on(make_store(), tmp_path_factory.mktemp("server")) as url:
        yield url


@contextmanager
def streamlit_on(store: Path, folder: Path) -> Iterator[str]:
    """`streamlit run` the app on `store` in the background; yields its address once it answers."""
    port = free_port()
    log = open(folder / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.address", "127.0.0.1"],
        cwd=PROJECT, env={**os.environ, "RNNLENS_ARTIFACTS": str(store)}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"streamlit did not start:\n{Path(log.name).read_text()}")
            time.sleep(0.3)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def laptop(browser):
    """One browser context for the module: its cache keeps Streamlit's scripts, so a page opens in about half the
    time; each test still opens its own tab, a Streamlit session of its own."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    yield context
    context.close()


@pytest.fixture
def page(laptop):
    tab = laptop.new_page()
    yield tab
    tab.close()


QUIET_MS = 700
# True once the script has run with no spinner turning for QUIET_MS on end; any sign of work starts the count again.
SETTLED = """([ready, quiet]) => {
  const idle = document.querySelector(ready) && !document.querySelector('[data-testid="stSpinner"]');
  if (!idle) { window.rnnlensIdleSince = undefined; return false; }
  window.rnnlensIdleSince = window.rnnlensIdleSince ?? performance.now();
  return performance.now() - window.rnnlensIdleSince >= quiet;
}"""


def settle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the script has run, no spinner turns, and it stays that way for QUIET_MS without a break (a first
    run can be cut short by a rerun the browser asks for, leaving the page idle for a moment in between; a click's
    rerun may start a moment after the click)."""
    page.evaluate("() => { window.rnnlensIdleSince = undefined; }")
    page.wait_for_function(SETTLED, arg=[READY, QUIET_MS], timeout=timeout_ms, polling=100)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_presentation_mode_enlarges_the_page(page, server):
    page.goto(f"{server}/evaluation")
    settle(page)
    normal = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.get_by_text("Presentation mode").click()
    settle(page)
    large = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large > normal
    assert page.locator(PROBLEMS).count() == 0
    shoot(page, "presentation-evaluation")
    page.get_by_role("tab", name="Confusion matrices").click()
    settle(page)
    shoot(page, "presentation-confusion")
    # Presentation mode folds the sidebar away; the lecturer must be able to bring it back (the CSS hides menus,
    # not that button).
    page.wait_for_selector('[data-testid="stExpandSidebarButton"]', state="visible", timeout=10_000)
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.wait_for_selector('[data-testid="stSidebar"][aria-expanded="true"], [data-testid="stSidebar"]'
                           ':not([data-collapsed="true"])', state="visible", timeout=10_000)


def test_evaluation_tabs_draw(page, server):
    page.goto(f"{server}/evaluation")
    settle(page)
    for tab in ("Confusion matrices", "Metrics", "Per class"):
        page.get_by_role("tab", name=tab).click()
        # The tab reruns the page, which draws only the open tab: wait for its chart to appear.
        page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
        settle(page)
        assert page.locator(PROBLEMS).count() == 0
        shoot(page, f"evaluation-{tab.split()[0].lower()}")


HOSTILE = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script> a <b>great</b> film'


def type_hostile_markup(page) -> str:
    """Type HOSTILE into the page's text box; check that none of it ran; return the coloured words' text."""
    box = page.locator(TEXT_BOX)
    box.fill(HOSTILE)
    box.press("Enter")
    page.wait_for_timeout(500)
    settle(page)
    assert page.evaluate("() => window.hacked") is None
    assert page.locator("img[src='x']").count() == 0
    return page.locator('[data-testid="stHtml"]').first.inner_text()


def test_playground_shows_markup_as_text_and_runs_none_of_it(page, server):
    page.goto(f"{server}/playground")
    settle(page)
    tokens = type_hostile_markup(page)
    assert "<" in tokens and "img" in tokens and "script" in tokens  # shown as text
    assert page.locator(PROBLEMS).count() == 0
    shoot(page, "playground-markup")


def test_inside_colours_markup_as_text_and_draws_every_tab(page, server):
    page.goto(f"{server}/inside")
    settle(page)
    words = type_hostile_markup(page)
    assert "script" in words and "great" in words  # shown as coloured text
    shoot(page, "inside-words")
    for tab in ("Hidden states", "Gates", "Edit a word"):
        page.get_by_role("tab", name=tab).click()
        if tab != "Edit a word":
            page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
        settle(page)
        assert page.locator(PROBLEMS).count() == 0
        shoot(page, f"inside-{tab.split()[0].lower()}")


@pytest.fixture(scope="module")
def phone(browser):
    """A phone's browser (390x844, a touch screen) for the module, its cache kept as `laptop`'s is."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.mark.parametrize("path, expected", [("playground", "most say"), ("inside", "%")])
def test_on_a_phone_enter_reads_the_review_and_the_page_fits_the_screen(phone, server, path, expected):
    """390x844, a phone's touch screen: type a review, press Enter (a phone keyboard's Go), see the prediction."""
    page = phone.new_page()
    try:
        page.goto(f"{server}/{path}")
        settle(page)
        box = page.locator(TEXT_BOX)
        box.fill("Tedious, tedious, awful film.")
        page.wait_for_timeout(500)
        read = page.locator('[data-testid="stHtml"]').first  # the review's words as the models read them
        assert "awful" not in read.inner_text().lower() and "awful" not in page.url  # typed, not yet read
        box.press("Enter")
        settle(page)
        assert "awful" in read.inner_text().lower() and "text=Tedious" in page.url
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=expected).first
        assert metric.is_visible() and metric.bounding_box()["width"] <= 390
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        assert page.locator(PROBLEMS).count() == 0
        shoot(page, f"phone-{path}")
    finally:
        page.close()


def test_glass_box_draws_the_equations_and_the_agreement(page, server):
    page.goto(f"{server}/glass_box")
    settle(page)
    page.locator(".katex").first.wait_for(timeout=30_000)  # the cell's equations, typeset
    shoot(page, "glass-box-equations")
    page.get_by_role("tab", name="One text, token by token").click()
    page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    settle(page)
    shoot(page, "glass-box-text")
    assert page.locator(PROBLEMS).count() == 0
    verdict = page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stMetric"]').last.inner_text()
    assert "largest difference anywhere" in verdict and "agree" in verdict and "DISAGREE" not in verdict


def test_the_lab_pages_draw_in_presentation_mode_and_move_with_the_slider(page, server):
    page.goto(f"{server}/memory_lab?dataset=memory-d6&presentation=true")
    page.locator('[data-testid="stPlotlyChart"]').nth(1).wait_for(timeout=60_000)  # accuracy, then where they look
    settle(page)
    shoot(page, "memory-lab-presentation")
    assert page.locator(PROBLEMS).count() == 0
    assert "Where the models look at D = 6" in page.locator("h2, h3").all_inner_texts()
    page.goto(f"{server}/gradients?presentation=true")
    settle(page)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    shoot(page, "gradients-lab-runs")
    page.get_by_role("tab", name="Simulation").click()
    page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    settle(page)
    slider = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    slider.focus()
    for _ in range(6):  # 0.90 -> 1.20 in steps of 0.05, as a lecturer's arrow keys would
        slider.press("ArrowRight")
    settle(page)
    shoot(page, "gradients-simulation")
    assert page.locator(PROBLEMS).count() == 0
    assert "spectral radius 1.20" in page.locator('[role="tabpanel"]:not([hidden])').inner_text()


def test_the_report_page_prints_a_pdf_to_download(page, server):
    """The PDF is printed by headless Chromium from inside the server's script thread."""
    page.goto(f"{server}/report")
    settle(page)
    page.get_by_text("Build the PDF").click()
    settle(page)
    assert page.locator(PROBLEMS).count() == 0
    shoot(page, "report-pdf")
    with page.expect_download() as download:
        page.get_by_text("Download rnnlens-rt-polarity-").click()
    path = download.value.path()
    assert path and open(path, "rb").read(5) == b"%PDF-"


def test_write_page_writes_refuses_unseen_characters_and_shows_hidden_states(page, server):
    page.goto(f"{server}/write")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)  # the characters, clickable
    settle(page)
    shoot(page, "write")
    assert page.locator(PROBLEMS).count() == 0
    assert page.locator('[data-testid="stHtml"] span[title^="wrote "]').count() > 10  # candidates on hover
    page.get_by_role("tab", name="Hidden states").click()
    page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    settle(page)
    shoot(page, "write-hidden-states")
    box = page.locator('input[aria-label="Prompt"]')
    box.fill(HOSTILE)
    box.press("Enter")
    page.wait_for_timeout(500)
    settle(page)
    assert page.evaluate("() => window.hacked") is None and page.locator("img[src='x']").count() == 0
    assert "never saw in training" in page.locator('[data-testid="stAlertContentInfo"]').first.inner_text()
    assert page.locator(PROBLEMS).count() == 0
    shoot(page, "write-unseen-characters")


@pytest.mark.parametrize("path", ["", "training"])
def test_a_character_corpus_on_the_overview_and_training_pages(path, page, server):
    page.goto(f"{server}/{path}?dataset=rt-polarity-chars")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    settle(page)
    shoot(page, f"corpus-{path or 'overview'}")
    assert page.locator(PROBLEMS).count() == 0
    if not path:
        assert "bits per character" in page.locator('[data-testid="stMain"]').inner_text()


# -- every view is a link -----------------------------------------------------------------------------------------


def open_by_sidebar(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNavLink"]', has_text=title).click()
    page.wait_for_function(f"() => document.querySelector('h1')?.innerText === {title!r}", timeout=60_000)
    settle(page)


def open_tab_named(page) -> str:
    return page.locator('[role="tab"][aria-selected="true"]').inner_text()


def test_a_typed_text_and_a_tab_survive_a_reload_and_a_visit_to_other_pages(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/playground")
    settle(page)
    box = page.locator(TEXT_BOX).first
    box.fill("It was not bad.")
    box.press("Enter")
    settle(page)
    page.reload()
    settle(page)
    expect(page.locator(TEXT_BOX).first).to_have_value("It was not bad.")  # the address kept it
    open_by_sidebar(page, "Overview")
    open_by_sidebar(page, "Playground")
    assert page.locator(TEXT_BOX).first.input_value() == "It was not bad."  # it once reset to the example
    open_by_sidebar(page, "Inside the model")  # the same text, inside the models, and in its address at once
    assert page.locator(TEXT_BOX).first.input_value() == "It was not bad." and "text=It+was+not+bad." in page.url
    page.get_by_role("tab", name="Gates").click()
    page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    settle(page)
    open_by_sidebar(page, "Evaluation")  # a page with tabs of its own: "Gates" is none of them
    assert open_tab_named(page) == "Curves" and "tab=" not in page.url
    open_by_sidebar(page, "Inside the model")  # back: the tab this page was left on
    assert open_tab_named(page) == "Gates" and "tab=Gates" in page.url
    page.reload()
    settle(page)
    expect(page.locator(TEXT_BOX).first).to_have_value("It was not bad.")  # (under load it can come a moment later)
    assert open_tab_named(page) == "Gates"
    assert "tab=Gates" in page.url and "text=It+was+not+bad." in page.url
    assert page.locator(PROBLEMS).count() == 0
    shoot(page, "link-restored-inside")


def pick_option(page, label: str, index: int) -> None:
    """Open the select box labelled `label` and pick its option `index`. A click that lands while the page still
    reflows (an expander just opened, under load) can open no list: then click again, as a person would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    option = page.get_by_role("option").nth(index)
    for _ in range(3):
        page.get_by_label(label).click()
        try:
            option.wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    option.click()


INSIDE_CONTROLS = "Models, text and word attribution"  # the expander Inside the model folds them into on a projector


@pytest.mark.parametrize("viewport, presentation", [((1400, 900), False), ((1920, 1080), True), ((390, 844), False)])
def test_the_share_button_shows_a_qr_code_of_a_link_that_reopens_the_view(browser, server, viewport, presentation):
    """Pick a second model and a tab, share: the QR code is segno's of the link shown, which names the host the
    browser used, and the link opened afresh (a pasted link, a scanned code) shows the same view. (A browser of its
    own for each screen: a tab of the module's browser, after the other tests, once kept its sidebar open at 390 px.)"""
    import segno

    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{server}/inside?text=It+was+not+bad." + ("&presentation=true" if presentation else ""))
        settle(page)
        if presentation:  # on a projector the result comes first and the controls are folded below it
            page.get_by_text(INSIDE_CONTROLS).click()
        pick_option(page, "Side by side with", 2)  # the second model's picker
        settle(page)
        second = page.get_by_label("Side by side with").input_value()
        page.get_by_role("tab", name="Hidden states").click()
        settle(page)
        if presentation:  # the sidebar is folded away: the page has its own Share button
            page.get_by_role("button", name="Share", exact=True).click()
        else:
            if width < 600:  # a phone: the sidebar is folded away
                page.locator('[data-testid="stExpandSidebarButton"]').click()
            page.get_by_role("button", name="Share this view").click()
        qr = page.locator('[role="dialog"] img.rnnlens-qr')
        qr.wait_for(timeout=30_000)
        link = page.locator('[role="dialog"] code').inner_text().strip()
        assert link.startswith(f"{server}/inside?")  # the address the browser used, not a guess
        for part in ("text=It+was+not+bad.", "tab=Hidden+states", "dataset=rt-polarity"):
            assert part in link
        assert ("presentation=true" in link) == presentation
        expected = segno.make(link, error="m", micro=False).svg_data_uri(scale=10, dark="#111111", light="#ffffff")
        assert qr.get_attribute("src") == expected  # the QR code encodes exactly the link shown
        assert qr.bounding_box()["width"] >= min(width - 80, 0.5 * height)  # large enough for a room to scan
        shoot(page, f"share-{width}x{height}")
        pasted = context.new_page()  # the link, pasted (or scanned) into a fresh tab: the same view
        pasted.goto(link)
        pasted.locator('[role="tabpanel"]:not([hidden]) [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
        settle(pasted)
        assert pasted.locator(TEXT_BOX).first.input_value() == "It was not bad."
        assert open_tab_named(pasted) == "Hidden states"
        assert pasted.get_by_label("Side by side with").input_value() == second
        assert pasted.locator(PROBLEMS).count() == 0
        shoot(pasted, f"link-opened-{width}x{height}")
    finally:
        context.close()


def test_back_and_forward_show_the_view_each_address_names(page, server):
    page.goto(f"{server}/evaluation")
    settle(page)
    page.get_by_role("tab", name="Metrics").click()
    settle(page)
    open_by_sidebar(page, "Overview")
    seen = []
    for step in (page.go_back, page.go_back, page.go_forward, page.go_forward):
        step()
        page.wait_for_timeout(1000)
        settle(page)
        if "/evaluation" in page.url:  # (Streamlit 1.67 also keeps the page without its parameters in the history)
            named = "Metrics" if "tab=Metrics" in page.url else "Curves"
            assert open_tab_named(page) == named, page.url
            seen.append(named)
    assert "Metrics" in seen and page.locator(PROBLEMS).count() == 0


def test_a_failing_behaviour_sentence_opens_in_inside_the_model(page, server):
    page.goto(f"{server}/behaviour?capability=Negation")
    settle(page)
    assert page.locator(PROBLEMS).count() == 0
    failures = page.locator('[data-testid="stDataFrame"]').last  # the chosen model's failing negations
    failures.scroll_into_view_if_needed()
    box = failures.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box (the grid is a canvas)
    settle(page)
    assert page.locator("h1").first.inner_text() == "Inside the model"
    text = page.locator(TEXT_BOX).first.input_value()
    assert "not" in text.split() or "n't" in text  # the failing sentence, read word by word
    assert page.locator(PROBLEMS).count() == 0
