"""The deep-networks page: the default grid opens with its shipped cells, every control by key, a
small sweep trained through the button, both languages, no exception."""

import pytest

from tests.app.conftest import LANGS, assert_clean, run_page, charts

PAGE = "pages/deep.py"


@pytest.mark.parametrize("lang", LANGS)
def test_deep_page_small_sweep(lang):
    # A small grid from the start: its depth-2 cells are the default grid's, shipped with the app.
    at = run_page(PAGE, lang, deep_depths=[2])
    assert_clean(at)
    assert at.button(key="deep_run").disabled is True      # read from data/results/, nothing to train
    assert len(charts(at)) == 3                 # grid, gradients, loss curves
    at.selectbox(key="deep_activation").set_value("sigmoid")
    at.selectbox(key="deep_dataset").set_value("moons")
    at.select_slider(key="deep_epochs").set_value(10)
    at.number_input(key="deep_seed").set_value(LANGS.index(lang) + 1)  # each language trains its own grid
    at.multiselect(key="deep_depths").set_value([1, 2])
    at.run()
    assert_clean(at)
    assert at.button(key="deep_run").disabled is False
    assert len(charts(at)) == 2  # the empty grid and the gradients at initialisation
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


def test_the_default_grid_opens_with_results_and_offers_to_recompute_live():
    """Fresh server, default settings: the twenty shipped cells fill the grid, the read-out and
    the claim at once (nothing to press); "recompute live" turns them into a grid to train."""
    from core import result_files
    from core.lessons import deep as lesson

    settings = lesson.SweepSettings()
    assert all(result_files.shipped(result_files.file_name("deep", ("deep", settings.cell_key(*cell)), (lesson,)))
               for cell in settings.cells())
    at = run_page(PAGE, "en")
    assert_clean(at)
    assert at.button(key="deep_run").disabled is True
    assert "20" in at.button(key="deep_run").label
    assert len(at.metric) == 4 and len(charts(at)) == 3
    assert any(m.value.startswith("**Measured here:**") for m in at.markdown)
    assert any("shipped with the app" in c.value for c in at.caption)
    at.button(key="deep_recompute_live").click().run()
    assert_clean(at)
    assert at.button(key="deep_run").disabled is False and "20" in at.button(key="deep_run").label
    assert not at.metric, "live: nothing is read from the shipped files"
    assert any("Computed live" in c.value for c in at.caption)


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
