"""The Lab's data controls in Chromium against a real server, where AppTest cannot go: the
data-set box's round trip through the browser (chosen with the mouse) and the CSV file
uploader (issue #14's defects 1, 5 and 6)."""

import re

import numpy as np
import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


def choose(page, label: str, option: str) -> None:
    """Pick the option whose text starts with `option` in the select box labelled `label` as a
    teacher does: a mouse click opens the list, typing filters it, a click picks the option.
    (In the sidebar a mouse click once did not open this box's list in Chromium; the box is in
    the page now, and the click is what this test does first.)"""
    combo = page.get_by_role("combobox", name=label, exact=True)
    combo.click()
    page.get_by_role("option").first.wait_for(timeout=10_000)  # the list opened from the click
    page.keyboard.type(option)
    page.get_by_role("option", name=re.compile("^" + re.escape(option))).first.click()
    wait_for_app(page)


def upload(page, tmp_path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Your own data (CSV)")
    if not expander.locator('[data-testid="stFileUploaderDropzone"]').is_visible():
        expander.locator("summary").click()
    expander.locator('input[type="file"]').set_input_files(str(path))
    wait_for_app(page)


def use_file(page, folder, name: str, content: str) -> None:
    """Upload `name` from a folder of its own (two uploads may share a file name) and use it."""
    folder.mkdir()
    upload(page, folder, name, content)
    page.get_by_role("button", name="Use this file").click()
    wait_for_app(page)


def test_wine_to_circle_keeps_the_lab_trainable(server_url, page):
    page.goto(f"{server_url}/lab?data=wine&lang=en")
    wait_for_app(page)
    choose(page, "Data set", "circle")
    assert "Choose at least one input feature" not in page.inner_text("body")
    assert page.get_by_role("button", name="Train").is_enabled()
    assert re.search(r"[?&]data=circle\b", page.url) and re.search(r"[?&]n=500\b", page.url)
    choose(page, "Data set", "diabetes")
    assert re.search(r"[?&]n=442\b", page.url)


def test_uploads_one_column_then_the_same_file_name_twice(server_url, page, tmp_path):
    page.goto(f"{server_url}/lab?lang=en&hidden=4&epochs=5")
    wait_for_app(page)
    upload(page, tmp_path, "one.csv", "value\n" + "".join(f"{i}\n" for i in range(20)))
    assert "this file has one column: value" in page.inner_text("body")

    rng = np.random.default_rng(0)
    use_file(page, tmp_path / "a", "data.csv",
             "a,b,c,y\n" + "".join(f"{i},{i % 7},{i % 5},{rng.normal():.3f}\n" for i in range(40)))
    assert "loss=mse" in page.url
    use_file(page, tmp_path / "b", "data.csv",
             "a,b,c,y\n" + "".join(f"{i},{i % 7},{i % 5},{'xyz'[i % 3]}\n" for i in range(40)))
    box = page.get_by_role("combobox", name="Data set")
    assert box.input_value() == "data.csv → y (2)"
    assert "loss=sparse_categorical_crossentropy" in page.url
    page.get_by_role("button", name="Train").click()
    page.wait_for_function("() => /accuracy/i.test(document.body.innerText)", timeout=120_000)
    wait_for_app(page, 120_000)
    page.screenshot(path=str(ARTIFACTS / "lab-second-upload.png"), full_page=True)
    assert box.input_value() == "data.csv → y (2)"
