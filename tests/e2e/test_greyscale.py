"""Colour is never the only carrier of meaning, as a learner with a greyscale projector sees it:
chart pages drawn in Chromium with `filter: grayscale(1)` on the whole document, each chart
saved as test-artifacts/e2e/greyscale-<page>-<n>.png for a person to look at. Charts are
server-drawn pictures by default; the check that can fail reads each picture's SVG: on every
page, the pictures with a legend of several series carry cues other than colour (marker shapes,
dashes, bar patterns). The rule itself is tested per figure in tests/unit/test_chart_access.py
and per page in tests/app/test_chart_access.py."""

from __future__ import annotations

import base64
import re

import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

PAGES = ["tokens", "vector-search", "optimizers"]


def cues(svg: str) -> set[str]:
    """The non-colour cues a picture draws."""
    found = set()
    if "url(#hatch" in svg:
        found.add("pattern")
    if len(set(re.findall(r'<path id="(m\d+)"', svg))) >= 2:
        found.add("shapes")
    if "stroke-dasharray" in svg:
        found.add("dashes")
    return found


@pytest.mark.parametrize("path", PAGES)
def test_chart_pages_in_greyscale(page, server_url, path):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server_url}/{path}?lang=ko&present=1")
    wait_for_app(page, timeout_ms=120000)
    page.add_style_tag(content="html { filter: grayscale(1) !important; }")
    pictures = page.locator("[data-testid='stMain'] img[data-chart]")
    assert pictures.count(), f"/{path}: charts drawn"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    drawn = []
    for i in range(pictures.count()):
        src = pictures.nth(i).get_attribute("src") or ""
        if src.startswith("data:image/svg+xml;base64,"):
            drawn.append(base64.b64decode(src.split(",", 1)[1]).decode("utf-8"))
        if i < 4:  # Streamlit scrolls its main block, not the document: each chart on its own
            pictures.nth(i).scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            pictures.nth(i).screenshot(path=str(ARTIFACTS / f"greyscale-{path}-{i + 1}.png"))
    assert drawn, f"/{path}: the pictures are SVG"
    assert set().union(*map(cues, drawn)), f"/{path}: no picture tells its series apart by shape, dash or pattern"
