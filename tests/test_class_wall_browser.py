"""The class wall on a phone: Submit a review at 390x844 in headless Chromium, sent with the Enter key.

A store with no models is enough (the submit page loads none), so the server starts on an empty folder.
Screenshots land in screenshots/ (git-ignored): submit-phone.png.
"""

from __future__ import annotations

import pytest

from pipelines.class_wall import ClassWall
from test_dashboard_browser import PROBLEMS, browser, serve, settle, shoot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory):
    return tmp_path_factory.mktemp("wall-store")


@pytest.fixture(scope="module")
def server(empty_store, tmp_path_factory):
    yield from serve(lambda: empty_store, tmp_path_factory)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_a_phone_sends_a_review_with_enter(phone, server, empty_store):
    phone.goto(f"{server}/submit")
    settle(phone)
    box = phone.locator(".st-key-wall_draft input")
    box.fill("Not bad at all, seat 7.")
    box.press("Enter")  # without the opt-in: refused, nothing kept
    phone.get_by_text("nothing is sent without it").wait_for(timeout=30_000)
    assert ClassWall(empty_store).submissions() == []

    phone.get_by_text("Show my review on the class wall", exact=True).click()
    settle(phone)
    box.fill("Not bad at all, seat 7.")
    box.press("Enter")
    phone.locator(".st-key-wall_arrived").get_by_text("Not bad at all, seat 7.").wait_for(timeout=30_000)
    assert [s.text for s in ClassWall(empty_store).submissions()] == ["Not bad at all, seat 7."]
    assert box.input_value() == ""  # emptied for the next review
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.locator(PROBLEMS).count() == 0
    shoot(phone, "submit-phone")

    box.fill("A second one at once.")  # the rate limit, as the database enforces it
    box.press("Enter")
    phone.get_by_text("one review every 10 seconds: send this one in").wait_for(timeout=30_000)  # not the caption's
    assert len(ClassWall(empty_store).submissions()) == 1
