"""bench.page_latency's own measurement, against a real server and Chromium: a new visitor's
title and idle times are read, in order, and its frame check tells a framed page from a page
that Streamlit serves outside the app (raw file names in the sidebar, no language box). The
newcomer pass: a server of its own whose first request is the lesson link, gone afterwards;
Streamlit's "Page not found" dialog is caught by the probe."""

from __future__ import annotations

import psutil

from bench.fresh_server import fresh_server
from bench.page_latency import FRAME_JS, PROBE_JS, run_fresh, visit
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


def test_the_newcomer_pass_opens_the_link_first_on_its_own_server_and_ends_it(browser):
    with fresh_server("test") as (base, ready_s, proc):
        pid = proc.pid
        result = visit(browser, base, "tokens", "ko", "fresh", timeout=150, present=True,
                       viewport=(1280, 720))
    assert 0 < ready_s < 120
    assert result.error == "" and result.framed
    assert result.first_s is not None and result.done_s is not None
    assert 0 < result.first_s <= result.done_s + 0.1
    assert not psutil.pid_exists(pid)
    [home] = run_fresh(browser, 150, {"home"})  # the default page's link is /, not /home
    assert (home.phase, home.url, home.lang, home.error, home.framed) == ("fresh", "home", "ko", "", True)
    assert home.ready_s is not None and home.done_s is not None


def test_the_probe_notices_streamlits_page_not_found_dialog(page):
    page.set_content("<div role='dialog'><h2>Page not found</h2>Running the app's main page.</div>")
    page.evaluate(PROBE_JS)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__lat.notFound") is True
    page.set_content("<div role='dialog'><h2>Settings</h2></div>")
    page.evaluate(PROBE_JS)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__lat.notFound") is False
