"""Every URL opens inside the app's frame, even as the very first request to a new server.

A server that has not yet run the entry file's `st.navigation` treats `pages/` as Streamlit's
auto-discovered pages. These tests start a fresh server per case and open a lesson URL first,
as a learner following a shared link after a restart does."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import ARTIFACTS, running_server

# (first URL, language, the page's title in that language): lesson links, the two whose URL is
# not a Python name, and the Lab (which once showed "Page not found" on a first visit).
CASES = [
    ("prompting?lang=ko", "ko", "프롬프트"),
    ("next-token", "en", "Next-token"),
    ("vector-search?lang=ko", "ko", "벡터 검색"),
    ("lab", "en", "Training Lab"),
]
PRESENTATION = {"en": "Presentation mode", "ko": "발표 모드"}


@pytest.fixture
def fresh_server():
    with running_server("routing") as proc:
        yield proc.url


@pytest.mark.parametrize("path,lang,title", CASES, ids=[c[0] for c in CASES])
def test_a_lesson_link_opened_first_on_a_fresh_server_is_inside_the_frame(fresh_server, browser, path, lang,
                                                                          title):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{fresh_server}/{path}")
        heading = page.locator("h1").first
        heading.wait_for(timeout=60_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        # The frame: the language box and presentation toggle, and our page names (not file names).
        sidebar.locator('[data-testid="stSelectbox"]').first.wait_for(timeout=30_000)
        deadline = time.time() + 20
        while title.lower() not in heading.inner_text().lower() and time.time() < deadline:
            time.sleep(0.2)
        assert title.lower() in heading.inner_text().lower()
        nav = sidebar.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "streamlit app" not in nav.lower() and "streamlit_app" not in nav
        sidebar.get_by_text(PRESENTATION[lang]).first.wait_for(timeout=30_000)
        assert page.get_by_text("Page not found").count() == 0
        assert f"lang={lang}" in page.url or lang == "en"
        page.screenshot(path=str(ARTIFACTS / f"routing-{path.split('?')[0]}.png"))
    finally:
        context.close()
