"""The compile() page: every control by key, both languages, no exception, and the measured story
on screen (weights unchanged by compile, optimizer state depending on the choice)."""

import pytest

from tests.app.conftest import LANGS, assert_clean, run_page

PAGE = "pages/compile.py"


@pytest.mark.parametrize("lang", LANGS)
def test_compile_page(lang):
    at = run_page(PAGE, lang, compile_epochs=5)
    assert_clean(at)
    weights, loss, iterations, tracker = at.metric
    assert iterations.value == "0" and tracker.value == "0"       # a new Adam; metrics reset
    assert weights.value in ("unchanged", "그대로")
    at.radio(key="compile_recompile").set_value("same").run()
    assert_clean(at)
    assert at.metric[2].value != "0"                               # the same Adam keeps its steps
    if lang == "en":  # the other controls once: every run is a new experiment (Korean reuses them)
        at.radio(key="compile_recompile").set_value("string")
        at.number_input(key="compile_seed").set_value(1)
        at.select_slider(key="compile_epochs").set_value(10)
        at.run()
        assert_clean(at)
    assert at.table, "the line-by-line table"
    assert len(at.get("plotly_chart")) == 1
