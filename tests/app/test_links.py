"""Links through the entry file: a malformed link on every page renders with a warning and no
exception; a classroom link hides exactly the controls it names, and the sidebar builds one."""

import html

import pytest

from core.fuzz import malformed_queries
from tests.app.conftest import assert_clean, open_link
from ui.navigation import available

PAGES = available()


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[p.key for p in PAGES])
def test_a_malformed_link_on_every_page_warns_and_renders(index):
    query = dict(malformed_queries(200, seed=index)[index])
    query["lang"] = ["xx", "KO ", "<b>", "한국어", "NaN"][index % 5]  # always one bad frame value
    at = open_link(PAGES[index].path, query)
    assert_clean(at)
    assert at.title, PAGES[index].path
    bad = query["lang"].strip()
    assert any(bad in w for w in at.first_warnings), at.first_warnings


def test_lab_link_with_bad_values_names_them_and_keeps_the_page_usable():
    at = open_link("pages/lab.py", {"lr": "NaN", "hidden": "8--x", "epochs": "1e309", "act": "😀"})
    assert_clean(at)
    assert len(at.warning) >= 3
    assert at.button(key="lab_train").disabled is False


def test_classroom_link_hides_the_named_controls_and_refuses_the_rest():
    at = open_link("pages/lab.py", {"hide": "lab_noise-lab_l2-Bad!", "lang": "en"})
    assert_clean(at)
    css = " ".join(h.proto.body for h in at.get("html"))
    assert ".st-key-lab_noise" in css and ".st-key-lab_l2" in css and "display: none" in css
    assert ".st-key-lab_dropout" not in css
    assert any("Bad!" in w for w in at.first_warnings)
    # Hidden by CSS only: the widgets still exist and feed the experiment.
    assert at.slider(key="lab_noise").value == 0.0


def test_sidebar_builds_a_classroom_link_for_this_pages_controls():
    at = open_link("pages/lab.py", {"lang": "en"})
    pick = at.multiselect(key="classroom_pick_lab_")
    # Options are shown without the page's prefix: "noise" is lab_noise.
    assert {"noise", "dataset", "optimizer"} <= set(pick.options)
    assert "names" not in pick.options  # act_names belongs to another page
    at = pick.set_value(["lab_noise", "lab_seed"]).run()
    link = " ".join(html.unescape(m.value) for m in at.markdown if "data-classroom-link" in m.value)
    assert "hide=lab_noise-lab_seed" in link
    at = at.button(key="classroom_apply_lab_").click().run()
    assert_clean(at)
    css = " ".join(h.proto.body for h in at.get("html"))
    assert ".st-key-lab_noise" in css and ".st-key-lab_seed" in css
    assert at.query_params["hide"] == ["lab_noise-lab_seed"] or at.query_params["hide"] == "lab_noise-lab_seed"


def test_a_link_names_the_parameters_its_page_does_not_read():
    at = open_link("pages/lab.py", {"epochs": "50", "colour": "red", "x*y": "1", "lang": "en"})
    assert_clean(at)
    unused = [w.value for w in at.warning if "does not use" in w.value]
    assert len(unused) == 1, [w.value for w in at.warning]
    assert "colour" in unused[0] and "x&#42;y" in unused[0] and "epochs" not in unused[0] and "lang" not in unused[0]
    assert at.select_slider(key="lab_epochs").value == 50  # the parameters it reads still apply
    at.run()  # said once: not again on the next run of the same page
    assert not [w.value for w in at.warning if "does not use" in w.value]


@pytest.mark.parametrize("path", ["pages/home.py", "pages/activations.py"])
def test_a_lesson_link_with_only_the_frames_parameters_does_not_warn(path):
    at = open_link(path, {"lang": "ko", "present": "1"})
    assert_clean(at)
    assert not at.first_warnings and not at.warning, [w.value for w in at.warning]
