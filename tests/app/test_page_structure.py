"""AppTest for the model-structure page: every control by key, in both languages; each change
must change what is on screen and raise nothing; bad widths get a message, not an exception."""

from __future__ import annotations

import pytest

from tests.app.conftest import LANGS, assert_clean, assert_control_changes_the_screen, charts, run_page, shown_code, tables

PAGE = "pages/structure.py"
SHOWN = ("charts", "tables", "text", "metrics", "code")  # what its controls change (conftest.screen)


def text(at) -> str:
    return " ".join(md.value for md in at.markdown)


@pytest.mark.parametrize("lang", LANGS)
def test_renders_the_lecture_example_with_live_numbers(lang):
    page = run_page(PAGE, lang)
    assert_clean(page)
    assert page.title[0].value
    assert len(charts(page)) == 5  # graph, hidden representation, depth race, axes, example
    notice = text(page)
    assert "(13 + 1) × 5" in notice and "88" in notice  # wine 13 -> 5 -> 3, counted two ways
    table = tables(page)[0]
    assert list(table.iloc[:, 4]) == [0, 70, 0, 18]


@pytest.mark.parametrize("key, value", [
    ("structure_dataset", "digits"),
    ("structure_hidden", "8, 4"),
    ("structure_skip", True),
    ("structure_batchnorm", True),
    ("structure_tensor_kind", "images"),
    ("structure_batch", 7),
    ("structure_sub_name", "renamed_mlp"),
    ("structure_sub_trainable", False),
    ("structure_depth", 2),
    ("structure_matrix_rows", 6),
    ("structure_matrix_cols", 2),
    ("structure_matrix_directions", 1),
])
def test_every_control_changes_the_screen(at, key, value):
    assert_control_changes_the_screen(at, key, value, SHOWN)


def rank_metrics(at) -> list[str]:
    """The rank section's three metrics (rank, dimension, examples), by their labels."""
    values = {m.label: m.value for m in at.metric}
    return [values[k] for k in ("rank (데이터 형태의 차원)", "dimension (데이터 공간의 차원)", "examples in the tensor")]


def test_flatten_keeps_the_dimension(at):
    at.get_by_key("structure_tensor_kind").set_value("images").run()
    dims = rank_metrics(at)
    at.get_by_key("structure_flatten").set_value(True).run()
    assert_clean(at)
    flat = rank_metrics(at)
    assert (dims[0], flat[0]) == ("4", "2")  # rank 4 -> 2
    assert dims[1] == flat[1] == "64"         # dimension unchanged


def test_packing_and_trainable_reach_keras(at):
    at.get_by_key("structure_sub_name").set_value("packed").run()
    at.get_by_key("structure_sub_trainable").set_value(False).run()
    assert_clean(at)
    code = " ".join(shown_code(at))
    assert "{'name': 'packed', 'trainable': False}" in code
    assert "model.trainable = False" in code


@pytest.mark.parametrize("value", ["abc", "1,2,3,4,5,6,7"])
def test_bad_widths_get_a_message(value):
    page = run_page(PAGE, "ko", structure_hidden=value)
    assert_clean(page)
    assert page.warning, value
    assert "(13 + 1) × 5" in text(page)  # falls back to the lecture's 13 -> 5


def test_a_name_keras_refuses_is_a_message(at):
    at.get_by_key("structure_sub_name").set_value("a/b").run()
    assert_clean(at)
    assert any("/" in w.value for w in at.warning)
    assert "name='my_mlp'" in " ".join(shown_code(at))


def test_depth_race_states_its_seeds_and_equal_parameters():
    notice = text(run_page(PAGE, "en"))  # the default depth, 3
    assert "8-8-8** (177 parameters)" in notice and "**44** units (177 parameters)" in notice
    assert "5 seeds" in notice


def test_tf_rank_stays_two_while_the_matrix_rank_follows_the_sliders(at):
    at.get_by_key("structure_matrix_rows").set_value(5).run()
    at.get_by_key("structure_matrix_cols").set_value(5).run()
    for directions in (1, 4):
        at.get_by_key("structure_matrix_directions").set_value(directions).run()
        assert_clean(at)
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["tf.rank (number of axes)"] == "2"
        assert metrics["np.linalg.matrix_rank (independent directions)"] == str(directions)
