"""The compile() page: every control by key, both languages, no exception, and the measured story
on screen (weights unchanged by compile, optimizer state depending on the choice)."""

import pytest

from core.lessons import compile as lesson
from tests.app.conftest import LANGS, assert_clean, run_page, charts, tables

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
    assert tables(at), "the line-by-line table"
    assert len(charts(at)) == 1


def test_recompute_live_really_recomputes_the_shipped_default():
    """The default view is read from data/results/; the button trains it again on this server,
    and the fresh run measures the same losses as the shipped one."""
    from core import result_files
    from ui import shared

    at = run_page(PAGE, "en")
    assert_clean(at)
    key = ("compile", 20, "new", 0)
    shipped = result_files.load(result_files.file_name("compile", key, (lesson,)), [result_files.SHIPPED])
    assert shipped is not result_files.MISSING
    at.button(key="compile_recompute_live").click().run()
    assert_clean(at)
    live = shared.work().get((*key, "live"))
    assert live is not None and live.state == "done"
    assert [s.code for s in live.value.steps] == [s.code for s in shipped.steps]
    assert [s.loss for s in live.value.steps] == pytest.approx([s.loss for s in shipped.steps], rel=1e-3)
    assert any("Computed live" in c.value for c in at.caption)
