"""ui.kept_pictures: after a run has ended, a rerun of the Lab shows the same pictures as if
they were drawn afresh (the kept markup is what a fresh drawing gives), and a picture changes
when what it shows changes (log axis, the hidden layers' epoch, the language)."""

import base64
import re

import pytest

from tests.app.conftest import assert_clean
from tests.app.test_page_lab import FAST, lab
from ui.kept_pictures import KEPT_KEY

PICTURE = re.compile(r'<img data-chart="(lab_[a-z_]+?)_\d+"[^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')
SERIAL = re.compile(r"(lab_[a-z_]+?)_\d+")


def lab_pictures(at) -> list[str]:
    """The Lab's run pictures (name and SVG) with each drawing's serial number (its element
    key, in the name and the SVG's ids) taken out."""
    found = [PICTURE.search(md.value.replace("&#95;", "_")) for md in at.get("markdown")]
    return [f"{m.group(1)}: " + SERIAL.sub(r"\1_N", base64.b64decode(m.group(2)).decode().replace("&#95;", "_"))
            for m in found if m]


def fresh(at) -> list[str]:
    """The pictures drawn afresh: nothing kept."""
    del at.session_state[KEPT_KEY]
    at.run()
    assert_clean(at)
    return lab_pictures(at)


@pytest.fixture(scope="module")
def trained():
    at = lab(params=dict(FAST, epochs="12"))
    at.button(key="lab_train").click().run()
    assert_clean(at)
    return at


def test_a_rerun_shows_the_kept_pictures_as_fresh_ones(trained):
    at = trained
    at.run()
    assert_clean(at)
    kept = lab_pictures(at)
    assert len(kept) >= 4 and KEPT_KEY in at.session_state  # curves, boundary, projections, gradients
    assert kept == fresh(at)


def test_log_axis_epoch_and_language_change_the_pictures(trained):
    at = trained
    at.run()
    before = lab_pictures(at)
    at.toggle(key="lab_log_y").set_value(True).run()
    logged = lab_pictures(at)
    assert logged != before and logged == fresh(at)
    epochs = at.select_slider(key="lab_snapshot_epoch").options
    at.select_slider(key="lab_snapshot_epoch").set_value(epochs[0]).run()
    earlier = lab_pictures(at)
    assert earlier != logged and earlier == fresh(at)
    at.session_state["lang"] = "ko"
    at.run()
    korean = lab_pictures(at)
    assert korean != earlier and korean == fresh(at)
