"""bench.page_latency's own measurement, against a real server and Chromium: a new visitor's
title and idle times are read, in order, and its frame check tells a framed page from a page
that Streamlit serves outside the app (raw file names in the sidebar, no language box)."""

from __future__ import annotations

from bench.page_latency import FRAME_JS, visit
from core.i18n import t
from ui.navigation import available

RAW_DISCOVERY_SIDEBAR = """<div data-testid="stSidebar"><div data-testid="stSidebarNav">
  streamlit app<br>lab<br>activations<br>prompting</div></div>"""


def test_a_new_visitor_gets_title_then_complete_view_inside_the_frame(server_url, browser):
    result = visit(browser, server_url, "home", "ko", "cold", timeout=150)
    assert result.error == ""
    assert result.framed
    assert result.first_s is not None and result.done_s is not None
    assert 0 < result.first_s <= result.done_s + 0.1  # both on the browser clock, 50 ms ticks


def test_the_frame_check_rejects_streamlits_own_page_list(page):
    titles = [t(f"{p.key}.title", "en").lower() for p in available()]
    page.set_content(RAW_DISCOVERY_SIDEBAR)
    assert page.evaluate(FRAME_JS, titles) is False
