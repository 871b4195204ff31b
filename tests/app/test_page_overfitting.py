"""The overfitting page: every control by key, every experiment trained (with fewer epochs than
the page uses, to keep the test short), both languages, no exception."""

import pytest

from core.lessons import overfitting as lesson_overfitting
from tests.app.conftest import assert_clean, run_page, charts, tables

PAGE = "pages/overfitting.py"


@pytest.fixture
def short_runs(monkeypatch):
    monkeypatch.setattr(lesson_overfitting, "EPOCHS", 40)
    monkeypatch.setattr(lesson_overfitting, "BN_EPOCHS", 10)


def test_overfitting_page_in_both_languages(short_runs):
    at = run_page(PAGE, "en", overfitting_n=40)
    assert_clean(at)
    assert not charts(at)  # nothing trained yet: buttons, no figures
    at.selectbox(key="overfitting_dataset").set_value("circle")
    at.number_input(key="overfitting_seed").set_value(2)
    at.select_slider(key="overfitting_dropout").set_value(0.2)
    at.select_slider(key="overfitting_l2").set_value(1e-3)
    at.toggle(key="overfitting_batchnorm").set_value(True)
    at.toggle(key="overfitting_early").set_value(True).run()  # off by default: one effect at a time
    at.slider(key="overfitting_patience").set_value(10)
    at.run()
    assert_clean(at)
    at.button(key="overfitting_run_all").click().run()
    assert_clean(at)
    assert len(charts(at)) == 4
    assert len(at.metric) == 3 and tables(at)
    assert at.button(key="overfitting_run_all").disabled
    # Korean: the same settings, every run already trained on this "server".
    ko = run_page(PAGE, "ko", overfitting_n=40, overfitting_dataset="circle", overfitting_seed=2,
                  overfitting_dropout=0.2, overfitting_l2=1e-3, overfitting_batchnorm=True,
                  overfitting_early=True, overfitting_patience=10)
    assert_clean(ko)
    assert len(charts(ko)) == 4
    assert any("눈여겨볼 점" in m.value for m in ko.markdown)


def test_the_default_view_opens_with_results_not_buttons():
    """Fresh server, default settings: the shipped runs fill every section at once (no Train
    button), and the page offers to recompute them live."""
    at = run_page(PAGE, "en")
    assert_clean(at)
    assert len(charts(at)) == 4
    assert not [b for b in at.button if b.key.startswith("overfitting_train_")]
    assert at.button(key="overfitting_recompute_live")
