"""The Deploy page and Compare's "from scratch or pretrained" in headless Chromium, normal and presentation mode.

Screenshots land in screenshots/ (git-ignored): deploy.png, deploy-presentation.png, compare-pretrained.png.
"""

from __future__ import annotations

import pytest

from test_dashboard_browser import PROBLEMS, browser, laptop, page, serve, settle, shoot  # noqa: F401  (fixtures)
from test_dashboard_deploy import build_lean_store

pytestmark = pytest.mark.browser
CHART = '[data-testid="stPlotlyChart"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from serve(lambda: build_lean_store(tmp_path_factory.mktemp("lean-browser"))[0], tmp_path_factory)


def test_deploy_draws_the_measured_run(page, server):
    page.goto(f"{server}/deploy")
    page.locator(CHART).first.wait_for(timeout=60_000)
    settle(page)
    shoot(page, "deploy")
    assert page.locator(PROBLEMS).count() == 0
    assert "Single-text latency against accuracy" in page.locator(CHART).first.inner_text()
    page.get_by_text("Presentation mode").click()
    settle(page)
    page.locator(CHART).first.wait_for(timeout=60_000)
    shoot(page, "deploy-presentation")
    assert page.locator(PROBLEMS).count() == 0


def test_compare_draws_scratch_against_pretrained(page, server):
    page.goto(f"{server}/compare")
    chart = page.locator(CHART).filter(has_text="from scratch against pretrained")
    chart.wait_for(timeout=60_000)
    settle(page)
    chart.scroll_into_view_if_needed()
    shoot(page, "compare-pretrained")
    assert page.locator(PROBLEMS).count() == 0
