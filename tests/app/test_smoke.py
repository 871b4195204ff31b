"""Every page renders without an exception in both languages, alone and through the entry file."""

import pytest
from tests.app.conftest import LANGS, app, assert_clean, run_page
from ui.navigation import available


@pytest.mark.parametrize("page", [p.path for p in available()])
@pytest.mark.parametrize("lang", LANGS)
def test_page_renders(page, lang):
    at = run_page(page, lang)
    assert_clean(at)
    assert at.title, "every page starts with a title"


@pytest.mark.parametrize("lang", LANGS)
def test_entry_file_navigates_to_every_page(lang):
    at = app()
    at.query_params["lang"] = lang
    at.run()
    assert_clean(at)
    assert at.sidebar.selectbox(key="lang").value == lang
    for page in available():
        at.switch_page(page.path).run()
        assert_clean(at)
