"""AppTest for the activations page: every control by key, in both languages; each change must
change what is on screen (figures, tables, text) and raise nothing."""

from __future__ import annotations

import pytest

from tests.app.conftest import LANGS, assert_clean, assert_control_changes_the_screen, run_page, charts, tables

PAGE = "pages/activations.py"
SHOWN = ("charts", "tables", "text")  # what its controls change (conftest.screen)


@pytest.mark.parametrize("lang", LANGS)
def test_renders_with_live_numbers(lang):
    page = run_page(PAGE, lang)
    assert_clean(page)
    assert page.title[0].value
    assert len(charts(page)) == 6
    notice = " ".join(md.value for md in page.markdown)
    assert "78%" in notice  # ReLU units dead at the default bias -1.5, measured by the page
    # The trained race is read from its shipped file (no training on first contact) and says so.
    assert any(c.value for c in page.caption if "5" in c.value)
    assert ("swish" in notice and "GELU" in notice and ("of 5 seeds" in notice or "5 seeds" in notice)
            if lang == "en" else "시드 5개" in notice)


@pytest.mark.parametrize("key, value", [
    ("act_names", ["relu", "elu", "mish"]),
    ("act_range", (-3.0, 9.0)),
    ("act_bias", -2.5),
    ("act_n_logits", 6),
    ("act_temperature", 0.3),
    ("act_logit_0", -4.0),
    ("act_logit_3", 7.5),
    ("act_race_task", "circle"),
])
def test_every_control_changes_the_screen(at, key, value):
    assert_control_changes_the_screen(at, key, value, SHOWN)


def test_huge_logits_button_shows_overflow_and_the_fix(at):
    at.button(key="act_huge").click().run()
    assert_clean(at)
    text = " ".join(md.value for md in at.markdown)
    assert "inf / inf is nan" in text
    table = tables(at)[-1]
    assert (table.iloc[:, 1] == "inf").all() and (table.iloc[:, 2] == "nan").all()
    at.button(key="act_huge").click().run()
    assert "inf / inf is nan" not in " ".join(md.value for md in at.markdown)


def test_empty_selection_warns_instead_of_failing(at):
    at.multiselect(key="act_names").set_value([]).run()
    assert_clean(at)
    assert at.warning


def test_a_collapsed_range_is_widened_with_a_warning(at):
    at.get_by_key("act_names").set_value(["relu"]).run()
    at.get_by_key("act_range").set_value((2.0, 2.0)).run()
    assert_clean(at)
    assert at.warning


def test_presentation_mode_stacks_the_figures():
    page = run_page(PAGE, "ko", presentation=True)
    assert_clean(page)
    assert len(charts(page)) == 6
