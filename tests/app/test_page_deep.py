"""The deep-networks page: every control by key, a small sweep trained through the button, both
languages, no exception; the second language reuses the trained cells."""

import pytest

from tests.app.conftest import LANGS, assert_clean, run_page, charts

PAGE = "pages/deep.py"


@pytest.mark.parametrize("lang", LANGS)
def test_deep_page_small_sweep(lang):
    # A small grid from the start (the default grid's 32-layer gradient chart takes seconds).
    at = run_page(PAGE, lang, deep_depths=[2])
    assert_clean(at)
    assert at.button(key="deep_run").disabled is False
    assert len(charts(at)) == 2  # the empty grid and the gradients at initialisation
    at.selectbox(key="deep_activation").set_value("sigmoid")
    at.selectbox(key="deep_dataset").set_value("moons")
    at.select_slider(key="deep_epochs").set_value(10)
    at.number_input(key="deep_seed").set_value(LANGS.index(lang) + 1)  # each language trains its own grid
    at.multiselect(key="deep_depths").set_value([1, 2])
    at.run()
    assert_clean(at)
    at.button(key="deep_run").click().run()
    assert_clean(at)
    assert at.session_state["deep_running"] is None       # the sweep finished and let go
    assert at.button(key="deep_run").disabled is True       # nothing left to train
    assert len(at.metric) == 4                              # the read-out of a complete grid
    assert any("2" == str(m.value) or "1" == str(m.value) for m in at.metric)  # fewest layers
    assert len(charts(at)) == 3                 # grid, gradients, loss curves
    for metric in ("train_loss", "first_grad", "val_accuracy"):
        at.radio(key="deep_metric").set_value(metric).run()
        assert_clean(at)
    at.select_slider(key="deep_focus").set_value(1).run()
    assert_clean(at)


def test_deep_page_changing_a_setting_cancels_the_sweep():
    at = run_page(PAGE, "en", deep_depths=[1], deep_epochs=10)
    from core.lessons.deep import SweepSettings

    at.session_state["deep_running"] = SweepSettings(depths=(1, 2), epochs=10)  # another grid
    at.run()
    assert_clean(at)
    assert at.session_state["deep_running"] is None


def test_deep_page_empty_depths_warns_and_falls_back():
    at = run_page(PAGE, "ko", deep_depths=[])
    assert_clean(at)
    assert at.warning and "2, 4, 8, 16, 32" in at.warning[0].value
