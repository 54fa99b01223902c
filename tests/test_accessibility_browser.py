"""WCAG 2.1 AA in the browser: axe-core on every page, on a laptop and in presentation mode, and the keyboard path
through a lecture.

axe-core (Deque's accessibility engine, the copy bundled in the `axe-playwright-python` wheel) is injected into
each page once Streamlit has drawn it, with the WCAG 2.0 A/AA and 2.1 A/AA rules; any serious or critical
violation fails. One server, one store, one browser tab per mode for every page (each address opened is still a
new Streamlit session). The counts per page and rule land in screenshots/accessibility-axe.json (git-ignored):
BENCHMARKS.md's accessibility section was measured this way.

Excluded, narrowly: Streamlit's own sidebar navigation with sections (`st.navigation({...})`) draws
`<ul data-testid="stSidebarNavItems">` whose children are `<div>`s holding a `<header>` and the `<li>`s, which
axe reports as `list` (the `<ul>`) and `listitem` (each `<li>`). It is Streamlit's markup, not ours; the minimal
reproduction and the upstream report we drafted are in docs/accessibility.md. Only those two rules, and only on
that `<ul>` and its own items, are left out.
"""

from __future__ import annotations

import json

import pytest

import dashboard.pages
from test_dashboard_browser import SCREENSHOTS, browser, server, settle, shoot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}
STREAMLIT_NAVIGATION = '[data-testid="stSidebarNavItems"]'  # upstream: docs/accessibility.md, "Streamlit's part"
STREAMLIT_RULES = {"list", "listitem"}
SIZES = {"laptop": {"width": 1400, "height": 900}, "presentation": {"width": 1920, "height": 1080}}
# The session's store keeps these pages' runs under other data sets (tests/dashboard_stores.py).
PAGE_DATASETS = {"forecasts": "co2", "forecaster_inside": "co2", "write": "rt-polarity-chars",
                 "memory_lab": "memory-d6", "translate": "reverse-6-limit60", "bottleneck": "reverse-6-limit60"}
LECTURE = "?lecture=why-gates-matter&lecture_step=1"  # the lecture bar (Previous / Next) above its first page
VIEWS = [(page.url_path, mode) for page in dashboard.pages.PAGES for mode in SIZES] + [(LECTURE, "presentation")]
# axe's results carry elements (elementRef), so Streamlit's navigation is recognised by the element itself,
# not by a generated class name; only counts and short descriptions come back to Python.
AUDIT = """async ([rules, navigation, streamlitRules]) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: rules}, resultTypes: ["violations"],
                                           elementRef: true});
  const streamlits = (rule, element) => streamlitRules.includes(rule) && element &&
    (element.matches(navigation) || (element.parentElement && element.parentElement.closest(navigation)));
  return results.violations.map(violation => ({
    rule: violation.id, impact: violation.impact,
    ours: violation.nodes.filter(node => !streamlits(violation.id, node.element)).map(node => node.html.slice(0, 160)),
    streamlit: violation.nodes.filter(node => streamlits(violation.id, node.element)).length,
  }));
}"""


def axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


def audit(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: rule, impact, our elements, Streamlit's count."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_script())
    return page.evaluate(AUDIT, [RULES, STREAMLIT_NAVIGATION, sorted(STREAMLIT_RULES)])


@pytest.fixture(scope="module")
def tabs(browser):
    """One tab per mode, reused from page to page (its cache keeps Streamlit's scripts)."""
    opened = {mode: browser.new_context(viewport=size).new_page() for mode, size in SIZES.items()}
    yield opened
    for page in opened.values():
        page.context.close()


@pytest.fixture(scope="module")
def counts():
    """Serious and critical elements per view and rule, ours and Streamlit's, written out when the module ends."""
    found: dict[str, dict] = {}
    yield found
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "accessibility-axe.json").write_text(json.dumps(found, indent=1, sort_keys=True))


def address(path: str, mode: str) -> str:
    if path.startswith("?"):
        return path + "&presentation=true"
    query = {"dataset": PAGE_DATASETS.get(path, "rt-polarity")} | ({"presentation": "true"} if mode != "laptop" else {})
    return f"{path}?" + "&".join(f"{key}={value}" for key, value in query.items())


def open_drawn(page, url: str) -> None:
    """Open `url` and wait until Streamlit has run the page and Plotly has drawn its first chart, if it has one."""
    page.goto(url)
    settle(page)
    if page.locator('[data-testid="stPlotlyChart"]').count():
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for(timeout=30_000)


@pytest.mark.parametrize("path, mode", VIEWS)
def test_axe_finds_no_serious_violation_of_ours(tabs, server, counts, path, mode):
    page = tabs[mode]
    open_drawn(page, f"{server}/{address(path, mode)}")
    violations = [violation for violation in audit(page) if violation["impact"] in SERIOUS]
    name = f"{'lecture' if path.startswith('?') else path or 'overview'}-{mode}"
    counts[name] = {"ours": {v["rule"]: len(v["ours"]) for v in violations if v["ours"]},
                    "streamlit": {v["rule"]: v["streamlit"] for v in violations if v["streamlit"]}}  # fmt: skip
    ours = {violation["rule"]: violation["ours"] for violation in violations if violation["ours"]}
    if ours:
        shoot(page, f"accessibility-{name}")
    assert not ours, f"{name}: {json.dumps(ours, indent=1)[:3000]}"


def test_only_streamlits_navigation_is_excluded_and_only_from_the_list_rules(tabs, server):
    """The exclusion stays narrow: a list of ours that breaks the same rule is still reported."""
    page = tabs["laptop"]
    open_drawn(page, f"{server}/training")
    page.evaluate("""() => { const broken = document.createElement('ul');
        broken.innerHTML = '<div>not an item</div><li>an item</li>';
        document.querySelector('[data-testid="stMain"]').appendChild(broken); }""")
    found = {violation["rule"]: violation for violation in audit(page)}
    assert len(found["list"]["ours"]) == 1 and found["list"]["streamlit"] == 1, found.get("list")
    assert found["listitem"]["streamlit"] > 0 and not found["listitem"]["ours"], found.get("listitem")


def test_the_keyboard_reaches_the_lectures_next_button_and_enter_presses_it(tabs, server):
    """A lecturer without a mouse: Tab from the top of the page until the focus is on Next (visibly outlined),
    then Enter walks to step 2."""
    page = tabs["presentation"]
    open_drawn(page, f"{server}/{LECTURE}&presentation=true")
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
