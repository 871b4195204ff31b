"""AppTest for the losses page: every control by key, in both languages; each change must change
what is on screen (figures, tables, text, metrics) and raise nothing."""

from __future__ import annotations

import pytest

from tests.app.conftest import LANGS, assert_clean, assert_control_changes_the_screen, run_page, screen, charts

PAGE = "pages/losses.py"
SHOWN = ("charts", "tables", "text", "metrics")  # what its controls change (conftest.screen)


@pytest.mark.parametrize("lang", LANGS)
def test_renders_with_live_numbers(lang):
    page = run_page(PAGE, lang)
    assert_clean(page)
    assert page.title[0].value
    assert len(charts(page)) == 5
    # MSE and its logit gradient at p = 0.01, y = 1: 0.99² and 2·(−0.99)·0.01·0.99.
    assert [m.value for m in page.metric[:3]] == ["0.9801", "4.605", "-0.0196"]


@pytest.mark.parametrize("key, value", [
    ("loss_p", 0.3),
    ("loss_lr", 3.0),
    ("loss_seed", 7),
    ("loss_classes", 6),
    ("loss_outlier", -6.0),
    ("loss_zoom", -3),
    ("loss_n_probs", 200),
    ("loss_p_typical", 0.5),
])
def test_every_control_changes_the_screen(at, key, value):
    assert_control_changes_the_screen(at, key, value, SHOWN)


def test_target_switch_flips_the_wrong_half(at):
    before = screen(at, *SHOWN)
    at.segmented_control(key="loss_y").set_value(0).run()
    assert_clean(at)
    assert screen(at, *SHOWN) != before
    # With y = 0 and p = 0.3 (set above or the default 0.01) BCE is -log(1 - p).
    assert at.metric[1].value in ("0.3567", "0.01005")


def test_presentation_mode_renders():
    page = run_page(PAGE, "ko", presentation=True)
    assert_clean(page)
    assert len(charts(page)) == 5
