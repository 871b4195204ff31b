"""AppTest for the parallel/skip page: every control by key, in both languages; Add with
different widths shows Keras' own error as a message, never an exception."""

from __future__ import annotations

import pytest

from tests.app.conftest import LANGS, assert_clean, assert_control_changes_the_screen, run_page, screen, charts

PAGE = "pages/skip.py"
SHOWN = ("charts", "text", "errors", "code")  # what its controls change (conftest.screen)


def text(at) -> str:
    return " ".join(md.value for md in at.markdown)


@pytest.mark.parametrize("lang", LANGS)
def test_renders_with_live_numbers(lang):
    page = run_page(PAGE, lang)
    assert_clean(page)
    assert page.title[0].value
    # Branch graph and merge cells, two lesion charts, two net graphs, U-Net graph, images, MSE.
    assert len(charts(page)) == 9
    notice = text(page)
    assert "64" in notice  # 2^6 paths in the default residual net, counted in its Keras graph
    assert "incompatible shapes" in notice  # default widths 4 and 6: Add refuses, said in words


def test_add_with_different_widths_is_a_message_not_a_crash(at):
    at.get_by_key("skip_merge").set_value("add").run()
    assert_clean(at)
    assert at.error and "H1" in at.error[0].value
    assert any("incompatible shapes" in c.value for c in at.code)
    at.get_by_key("skip_width_h1").set_value(4).run()  # equal widths: Add builds
    assert_clean(at)
    assert not at.error
    assert "Add" in text(at)


@pytest.mark.parametrize("key, value", [
    ("skip_width_h", 9),
    ("skip_merge", "concatenate"),
    ("skip_width_h1", 2),
    ("skip_delete", 3),
    ("skip_unet_merge", "add"),
    ("skip_unet_merge", "none"),
])
def test_every_control_changes_the_screen(at, key, value):
    assert_control_changes_the_screen(at, key, value, SHOWN)


def test_training_controls_retrain_both_experiments(at):
    """The controls that start training, set together so the nets and U-Nets train once."""
    before = screen(at, *SHOWN)
    for key, value in (("skip_depth", 3), ("skip_width", 16), ("skip_epochs", 10), ("skip_seed", 1),
                       ("skip_unet_noise", 0.2)):
        at.get_by_key(key).set_value(value)
    at.run()
    assert_clean(at)
    assert screen(at, *SHOWN) != before
    notice = text(at)
    assert "noise level 0.2" in notice and "8 paths" in notice  # 2^3 paths, noise 0.2
