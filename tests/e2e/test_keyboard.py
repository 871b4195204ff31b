"""The Lab from the keyboard alone, in Chromium against a real server: Tab (and Shift+Tab) to
move, Enter and Space to press, arrow keys only inside a tab list (the ARIA pattern Streamlit's
tabs follow). Every control reached shows where the focus is."""

from __future__ import annotations

import re

import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

LONG = "lab?data=circle&n=2000&hidden=16-16-16-16&bs=4&epochs=2000&lang=en"

# What the focused element looks like. A focus ring is an outline of 2 px or more or a box
# shadow on the element (a switch hides its <input>: see assert_focus_drawn).
_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const ring = e => { const s = getComputedStyle(e);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; };
    const box = el.closest('[class*="st-key-"]');
    const key = box ? [...box.classList].find(c => c.startsWith('st-key-')).slice(7) : '';
    return {text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 60),
            role: el.getAttribute('role') || el.tagName.toLowerCase(), key: key,
            selected: el.getAttribute('aria-selected'), ring: ring(el)};
}"""


def focused(page) -> dict | None:
    return page.evaluate(_FOCUS)


def tab_to(page, wanted, key: str = "Tab", limit: int = 300) -> dict:
    """Press `key` until the focused element satisfies `wanted`; that element's description."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and wanted(now):
            return now
    raise AssertionError(f"{key} never reached the control (last focus: {focused(page)})")


def assert_visible_focus(now: dict) -> None:
    assert now["ring"], f"no visible focus on {now}"


def assert_focus_drawn(page, key: str) -> None:
    """The widget looks different with the keyboard focus than without it (for a switch, whose
    focused <input> is invisible and whose ring is drawn on the track)."""
    widget = page.locator(f".st-key-{key}")
    with_focus = widget.screenshot()
    page.evaluate("() => document.activeElement.blur()")
    without = widget.screenshot()
    page.evaluate(f"() => document.querySelector('.st-key-{key} input').focus()")
    assert with_focus != without, f"the focus on {key} is not drawn"


def status(page) -> str:
    return page.locator('[data-testid="stAlertContainer"]').first.inner_text()


def test_the_lab_from_the_keyboard_alone(server_url, page):
    page.goto(f"{server_url}/{LONG}")
    wait_for_app(page, 180_000)

    train = tab_to(page, lambda f: f["key"] == "lab_train")
    assert_visible_focus(train)
    page.keyboard.press("Enter")
    page.wait_for_function("() => /epoch [1-9][0-9]/.test(document.body.innerText)", timeout=120_000)

    stop = tab_to(page, lambda f: f["key"] == "lab_stop")
    assert_visible_focus(stop)
    page.keyboard.press("Space")
    page.wait_for_function("() => /Stopped/.test(document.body.innerText)", timeout=60_000)
    wait_for_app(page, 60_000)
    assert "Stopped" in status(page)
    assert 0 < int(re.search(r"epoch (\d+)", status(page)).group(1)) < 2000

    # A control in the page's controls column (after the buttons in the tab order): the
    # skip-connections switch.
    before = page.locator(".st-key-lab_skip input").is_checked()
    tab_to(page, lambda f: f["key"] == "lab_skip")
    assert_focus_drawn(page, "lab_skip")
    page.keyboard.press("Space")
    wait_for_app(page, 60_000)
    assert page.locator(".st-key-lab_skip input").is_checked() != before, "Space toggled the switch"

    # The tabs: Tab reaches the tab list, the arrow keys move along it, Enter opens a tab.
    first_tab = tab_to(page, lambda f: f["role"] == "tab")
    assert_visible_focus(first_tab)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["role"] == "tab" and now["selected"] == "true" and now["text"] != first_tab["text"], now
    assert_visible_focus(now)
    page.screenshot(path=str(ARTIFACTS / "lab-keyboard.png"), full_page=False)
