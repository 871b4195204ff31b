"""AppTest for the optimizers page: every control by key, in both languages; each change must
change what is on screen (figures, tables, text) and raise nothing."""

from __future__ import annotations

import pytest

from core.lessons.optimizers import SURFACES
from tests.app.conftest import LANGS, assert_clean, run_page, screen, charts, tables

PAGE = "pages/optimizers.py"
SHOWN = ("charts", "tables", "text")  # what its controls change (conftest.screen)


@pytest.mark.parametrize("lang", LANGS)
def test_renders_with_live_numbers(lang):
    page = run_page(PAGE, lang)
    assert_clean(page)
    assert page.title[0].value
    assert len(charts(page)) == 5
    table = tables(page)[0]
    assert len(table) == 4  # SGD, momentum, RMSprop, Adam by default
    assert table.iloc[0, 4] == "0.0°"  # SGD's step is exactly -lr·g
    # The learning-rate sweep, read from its shipped file: one row per batch size, 442 steps for SGD.
    sweep = tables(page)[-1]
    assert list(sweep.iloc[:, 0]) == [1, 32, 442] and list(sweep.iloc[:, 1]) == [442, 14, 1]


@pytest.mark.parametrize("key, value", [
    ("opt_names", ["adagrad", "nadam"]),
    ("opt_lr", 0.02),
    ("opt_momentum", 0.5),
    ("opt_steps", 200),
    ("opt_start_x", 1.5),
    ("opt_start_y", 1.2),
    ("opt_step", 3),
    ("opt_batch_size", 8),
    ("opt_epochs", 2),
    ("opt_batch_lr", 0.003),
])
def test_every_control_changes_the_screen(at, key, value):
    if key == "opt_momentum":  # momentum only matters to the SGD + momentum entries
        at.get_by_key("opt_names").set_value(["momentum", "nesterov"]).run()
    before = screen(at, *SHOWN)
    at.get_by_key(key).set_value(value).run()
    assert_clean(at)
    assert screen(at, *SHOWN) != before, key


@pytest.mark.parametrize("surface", [s for s in SURFACES if s != "bowl"])
def test_each_surface_brings_its_defaults(at, surface):
    at.get_by_key("opt_names").set_value(["sgd", "adam"]).run()  # fewer fresh traces: a faster test
    at.selectbox(key="opt_surface").set_value(surface).run()
    assert_clean(at)
    s = SURFACES[surface]
    assert at.get_by_key("opt_lr").value == s.default_lr
    assert (at.get_by_key("opt_start_x").value, at.get_by_key("opt_start_y").value) == s.start
    assert at.get_by_key("opt_steps").value == s.default_steps


def test_no_optimizer_warns_instead_of_failing(at):
    at.get_by_key("opt_names").set_value([]).run()
    assert_clean(at)
    assert at.warning


def test_presentation_mode_renders():
    page = run_page(PAGE, "ko", presentation=True)
    assert_clean(page)
    assert len(charts(page)) == 5
