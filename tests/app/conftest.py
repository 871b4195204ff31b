"""AppTest helpers: run one page file as Streamlit would, in a chosen language."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "ko")


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


def charts(at: AppTest) -> list[str]:
    """Every chart on the page: a picture drawn on the server (core.charts.static, the
    default) as its SVG markup, then any interactive Plotly chart as its JSON spec."""
    import base64
    import re

    found = []
    for md in at.get("markdown"):
        match = re.search(r'<img data-chart="[^"]*"[^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', md.value)
        if match:
            found.append(base64.b64decode(match.group(1)).decode())
    return found + [chart.proto.spec for chart in at.get("plotly_chart")]


def tables(at, numbers: bool = False) -> list:
    """Every table drawn as HTML (ui.frame.table, core.html_table) under `at` (an AppTest or an
    element such as an expander), as DataFrames with their exact numbers; the "Numbers behind
    this chart" tables only with `numbers=True` (alone)."""
    from core.html_table import MARK, parse

    found = []
    for md in at.get("markdown"):
        if f"<div {MARK}=" in md.value:
            found += [df for df in parse(md.value) if (df.attrs["name"] == "numbers") == numbers]
    return found


def shown_code(at: AppTest) -> list[str]:
    """Every piece of code on the page, as text: st.code blocks and the server-highlighted
    "Show the code" blocks (core.code_html)."""
    from core.code_html import text_of

    blocks = [md.value for md in at.get("markdown") if md.value.startswith('<div data-code="python"')]
    return [c.value for c in at.code] + [text_of(b) for b in blocks]


# What a learner sees, by part: a test names the parts its page's controls can change.
_SEEN = {
    "charts": charts,
    "tables": lambda at: [df.to_json() for df in tables(at)],
    "text": lambda at: [md.value for md in at.markdown],
    "metrics": lambda at: [m.value for m in at.metric],
    "errors": lambda at: [e.value for e in at.error],
    "code": shown_code,
}


def screen(at: AppTest, *parts: str) -> tuple:
    """The given parts of the screen ("charts", "tables", "text", "metrics", "errors",
    "code"), to compare before and after a control changes."""
    return tuple(tuple(_SEEN[part](at)) for part in parts)


def assert_control_changes_the_screen(at: AppTest, key: str, value, parts: tuple[str, ...]) -> None:
    """Set the widget `key` to `value`: the page reruns cleanly and `parts` of it change."""
    before = screen(at, *parts)
    at.get_by_key(key).set_value(value).run()
    assert_clean(at)
    assert screen(at, *parts) != before, key


@pytest.fixture(scope="module")
def at(request) -> AppTest:
    """The test module's page (its PAGE), run once in English and shared by its tests."""
    return run_page(request.module.PAGE, "en")


def assert_clean(at: AppTest) -> None:
    """No exception element and no Python error reached the page."""
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(params=LANGS)
def lang(request):
    return request.param
