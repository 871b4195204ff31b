"""Classroom behaviour in Chromium against a real server: a classroom link shows only the
controls that matter; learners who close their tab mid-run give their training slot back."""

import time

import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_lab import LONG, seconds_until_idle, status_text

pytestmark = pytest.mark.e2e


def test_classroom_link_shows_only_the_chosen_controls(server_url, page):
    page.goto(f"{server_url}/lab?data=circle&hide=lab_noise-lab_l2-lab_dropout-lab_seed&lang=ko")
    wait_for_app(page, 120_000)
    page.screenshot(path=str(ARTIFACTS / "classroom-link-ko.png"), full_page=True)
    for key in ("lab_noise", "lab_l2", "lab_dropout", "lab_seed"):
        assert page.locator(f".st-key-{key}").count() == 1  # still there, feeding the experiment
        assert not page.locator(f".st-key-{key}").is_visible(), key
    for key in ("lab_activation", "lab_optimizer", "lab_learning_rate"):
        assert page.locator(f".st-key-{key}").is_visible(), key
    assert "hide=lab_noise-lab_l2-lab_dropout-lab_seed" in page.url


def test_closing_tabs_mid_run_frees_their_slots(server, browser):
    """Slots = CPU cores (2 here). Two learners start long runs and close their tabs; the
    server goes idle, and a third learner's run starts without waiting and finishes."""
    leavers = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1000, "height": 700})
        page = context.new_page()
        page.goto(f"{server.url}/{LONG}")
        wait_for_app(page, 120_000)
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
        leavers.append((context, page))
    for _, page in leavers:
        page.wait_for_function("() => /Training · epoch [1-9]/.test(document.body.innerText)", timeout=120_000)
    for context, _ in leavers:
        context.close()  # the tab goes away mid-run
    assert seconds_until_idle(server.pid, 20) < 10

    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.goto(f"{server.url}/lab?epochs=50&lang=en")
    wait_for_app(page, 120_000)
    started = time.perf_counter()
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
    page.wait_for_function("() => document.body.innerText.includes('Finished')", timeout=60_000)
    assert "Finished" in status_text(page)
    assert time.perf_counter() - started < 60
    context.close()
