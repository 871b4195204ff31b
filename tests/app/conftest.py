"""AppTest helpers: run one page file as Streamlit would, in a chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import ElementTree

from ui import frame

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "ko")


_get_widget_states = ElementTree.get_widget_states


def _widget_states_in_the_tests_language(self):
    """AppTest formats widget options (format_func) on the test's thread before each rerun,
    outside any script run, where `frame.lang()` falls back to the language of the last run in
    the process. A real server always formats inside the run. Point that fallback at this
    AppTest's own language first, so a module-scoped English AppTest stays English after a
    Korean test ran in between."""
    runner = self._runner
    if runner is not None:
        # The entry file writes the language into the URL on every run; a page run alone has
        # it only in session state (set by the test).
        lang = runner.query_params.get("lang")
        if lang is None:
            try:
                lang = runner.session_state["lang"]
            except KeyError:
                lang = "en"
        frame._last_language["lang"] = lang[0] if isinstance(lang, list) else lang
    return _get_widget_states(self)


ElementTree.get_widget_states = _widget_states_in_the_tests_language


def run_page(path: str, lang: str = "en", timeout: float = 120, **state) -> AppTest:
    """Run `pages/<file>` once with the language (and any session state) preset."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def app(path: str = "streamlit_app.py", timeout: float = 120) -> AppTest:
    return AppTest.from_file(str(ROOT / path), default_timeout=timeout)


def open_link(path: str, query: dict[str, str]):
    """A visitor opening `path?query`. AppTest must run the entry file once before it can
    switch pages: that first run (the home page) reads the frame's parameters (language,
    presentation, hidden controls) and keeps the query; the page then reads its own."""
    at = app()
    at.query_params = dict(query)
    at.run()
    first_warnings = [w.value for w in at.warning]
    assert_clean(at)
    if path != "pages/home.py":
        at.switch_page(path)
        at.run()
    at.first_warnings = first_warnings
    return at


def assert_clean(at: AppTest) -> None:
    """No exception element and no Python error reached the page."""
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(params=LANGS)
def lang(request):
    return request.param
