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


def assert_clean(at: AppTest) -> None:
    """No exception element and no Python error reached the page."""
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture(params=LANGS)
def lang(request):
    return request.param
