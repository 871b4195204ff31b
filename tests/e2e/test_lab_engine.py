"""The Lab's engine defects of issue #14 in Chromium against a real server: the address bar
equals the controls once the page is idle after quick changes (defect 2), and Stop stops the
run within one chunk of what was on screen and says so within 2 s (defect 3)."""

import math
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from core.training import TARGET_CHUNK_SECONDS
from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_lab_data import choose
from ui.live_training import DRAW_INTERVAL

pytestmark = pytest.mark.e2e

LONG = "lab?data=circle&n=2000&hidden=16-16-16-16&bs=4&epochs=2000&lang=en"


def status_text(page) -> str:
    return page.locator('[data-testid="stAlertContainer"]').first.inner_text()


def url_params(page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlparse(page.url).query).items()}


def depth_slider(page):
    return page.locator('[data-testid="stSlider"]').filter(has_text="Hidden layers (depth)").get_by_role("slider")


def depth_on_screen(page) -> int:
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Hidden layers (depth)")
    return int(slider.get_by_test_id("stSliderThumbValue").inner_text())


def activation_on_screen(page) -> str:
    return page.get_by_role("combobox", name="Activation", exact=True).input_value()


def matches(page, activation: str) -> bool:
    """The address bar says the depth and activation the controls show."""
    params = url_params(page)
    widths = [w for w in params.get("hidden", "").split("-") if w]
    return (len(widths) == depth_on_screen(page) and activation in activation_on_screen(page)
            and params.get("act") == activation.lower())


def test_the_address_bar_equals_the_controls_after_quick_changes(server_url, page):
    page.goto(f"{server_url}/lab?lang=en")
    wait_for_app(page, 120_000)
    for round_, (presses, key, activation) in enumerate([(14, "ArrowRight", "sigmoid"), (9, "ArrowLeft", "tanh"),
                                                         (5, "ArrowRight", "ReLU")]):
        depth_slider(page).focus()
        for _ in range(presses):  # each press is a rerun; they interrupt one another
            page.keyboard.press(key)
        choose(page, "Activation", activation)
        depth_slider(page).focus()
        page.keyboard.press(key)
        wait_for_app(page, 60_000)
        # On a loaded machine the last reruns may still be under way for seconds: wait for the
        # address bar to catch up (a lag that lasts is the defect), then check it stays equal.
        deadline = time.perf_counter() + 30
        while not matches(page, activation) and time.perf_counter() < deadline:
            time.sleep(0.5)
        time.sleep(2.0)
        assert matches(page, activation), (round_, page.url, depth_on_screen(page), activation_on_screen(page))


def test_stop_ends_within_one_chunk_of_the_click_and_says_so_within_2_s(server, page):
    page.goto(f"{server.url}/{LONG}")
    wait_for_app(page, 120_000)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
    # Past the first compile (a compile cannot be cut short), with a measured speed.
    page.wait_for_function("() => { const a = document.querySelector('[data-testid=\"stAlertContainer\"]');"
                           " return a && /epoch [1-9][0-9]/.test(a.innerText) && !/compiling|…/.test(a.innerText); }",
                           timeout=180_000)
    # The status on screen and the click in one step of the browser: what was shown at the click.
    # The browser times it too: from the click to the first moment the status says "Stopped"
    # (a MutationObserver, so Playwright's polling of a busy page adds nothing).
    text = page.evaluate("""() => {
        const text = document.querySelector('[data-testid="stAlertContainer"]').innerText;
        const clicked = performance.now();
        window.__stopped = null;
        new MutationObserver((_, observer) => {
            const a = document.querySelector('[data-testid="stAlertContainer"]');
            if (a && /Stopped/.test(a.innerText) && window.__stopped === null) {
                window.__stopped = (performance.now() - clicked) / 1000; observer.disconnect(); }
        }).observe(document.body, {subtree: true, childList: true, characterData: true});
        [...document.querySelectorAll('[data-testid="stMainBlockContainer"] button')]
            .find(b => b.innerText.trim().endsWith('Stop')).click();
        return text; }""")
    shown = int(re.search(r"epoch (\d+)", text).group(1))
    speed = float(re.search(r"([\d.]+) epochs/s", text).group(1))
    try:
        page.wait_for_function("() => window.__stopped !== null", timeout=30_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "lab-engine-stop-timeout.png"))
        raise AssertionError(f"never said Stopped: {status_text(page)!r}, shown at the click: {text!r}")
    said_after = page.evaluate("() => window.__stopped")
    wait_for_app(page, 60_000)
    final_text = status_text(page)
    final = int(re.search(r"epoch (\d+)", final_text).group(1))
    page.screenshot(path=str(ARTIFACTS / "lab-engine-stopped.png"))
    # One chunk: the epochs the trainer does in TARGET_CHUNK_SECONDS at the speed shown (the
    # status line's speed is smoothed: allow it to be off by half), at least one epoch; plus
    # the one frame (DRAW_INTERVAL) by which the screen may trail the trainer.
    chunk = max(1, math.ceil(1.5 * speed * TARGET_CHUNK_SECONDS)) + math.ceil(speed * DRAW_INTERVAL)
    print(f"shown at the click {shown}, stopped at {final} (chunk ≈ {chunk}); 'Stopped' after {said_after:.2f} s")
    assert "you pressed Stop" in final_text, final_text
    assert shown <= final <= shown + chunk, (shown, final, chunk)  # "within one drawn frame of the click"
    assert said_after <= 2.0, said_after
