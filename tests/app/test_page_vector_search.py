"""AppTest for the vector-search page: every control by key, both languages, numbers on screen
checked against an exact search computed here."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("chromadb")

from core.text import vector_search as vs  # noqa: E402
from tests.app.conftest import assert_clean, charts, run_page, shown_code  # noqa: E402

PAGE = "pages/vector-search.py"


@pytest.fixture(scope="module")
def digits() -> vs.DigitImages:
    return vs.load_digit_images()


def _metric(at, index: int) -> tuple[int, int]:
    hits, k = at.metric[index].value.split("/")
    return int(hits), int(k)


def _pixel_precision(digits, k: int) -> float:
    queries = digits.val_idx
    found = vs.numpy_top_k(digits.pixels, queries, k, digits.labels)
    return vs.precision_at_k(found, digits.labels[queries], k)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_renders_with_live_numbers(lang, digits):
    at = run_page(PAGE, lang)
    assert_clean(at)
    assert at.title and at.title[0].value
    assert len(charts(at)) == 4
    assert len(at.metric) == 2
    # The first query is a held-out image; the raw-pixel count on screen is the exact one.
    query = int(at.number_input(key="vs_query").value)
    assert digits.held_out[query]
    hits, k = _metric(at, 1)
    exact = vs.numpy_top_k(digits.pixels, np.array([query]), k, digits.labels)
    assert hits == int(np.sum(exact.labels[0] == digits.labels[query]))
    notice = next(m.value for m in at.markdown if "360" in m.value and "%" in m.value and "\n- " in m.value)
    assert f"{_pixel_precision(digits, k):.1%}" in notice
    code = " ".join(block for box in at.expander for block in shown_code(box))  # numbers boxes come first
    assert "def build_collection" in code and "embedding_function=None" in code
    # Every text is in the page's language, none a raw catalogue key.
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not [t for t in texts if re.search(r"\bvector_search\.", t)]
    if lang == "ko":
        assert any("검증 이미지" in t for t in texts)


def test_every_control_by_key(digits):
    at = run_page(PAGE, "en")
    assert_clean(at)

    at.slider(key="vs_k").set_value(3).run()
    assert_clean(at)
    assert _metric(at, 0)[1] == 3 and _metric(at, 1)[1] == 3

    at.radio(key="vs_layer").set_value("hidden_1").run()
    assert_clean(at)
    assert "hidden_1" in at.metric[0].label

    at.number_input(key="vs_query").set_value(5).run()
    assert_clean(at)
    assert any("#5 " in m.value for m in at.markdown)
    hits, k = _metric(at, 1)
    exact = vs.numpy_top_k(digits.pixels, np.array([5]), k, digits.labels)
    assert hits == int(np.sum(exact.labels[0] == digits.labels[5]))

    at.select_slider(key="vs_epoch").set_value(0).run()
    assert_clean(at)
    claim = next(m.value for m in at.markdown if m.value.startswith("**Measured here:**"))
    assert "after 0 epochs" in claim

    at.button(key="vs_random").click().run()
    assert_clean(at)
    assert digits.held_out[int(at.number_input(key="vs_query").value)]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_query_number_out_of_range_is_clamped_and_named(lang, digits):
    at = run_page(PAGE, lang)
    last = len(digits.labels) - 1
    for typed, shown in ((last + 1, last), (-3, 0)):
        at.number_input(key="vs_query").set_value(typed).run()
        assert_clean(at)
        assert int(at.number_input(key="vs_query").value) == shown, "the box shows the image on screen"
        assert any(str(typed) in w.value and str(shown) in w.value for w in at.warning), [w.value for w in at.warning]
    at.number_input(key="vs_query").set_value(5).run()
    assert not at.warning, "an in-range number says nothing"


def test_the_default_opens_from_the_shipped_weights_and_recomputes_live():
    """The trained network is read from data/results/ (its weights; the activations are
    recomputed from them); the button trains it again here, and the fresh vectors match."""
    from core import result_files
    from ui import shared

    key = ("vector_search", "run", vs.DIGITS_CONFIG)
    shipped = result_files.load(result_files.file_name("vector-search", key, (vs,)), [result_files.SHIPPED])
    assert shipped is not result_files.MISSING
    at = run_page(PAGE, "en")
    assert_clean(at)
    assert any("shipped with the app" in c.value for c in at.caption)
    at.button(key="vector_search_recompute_live").click().run()
    assert_clean(at)
    live = shared.work().get((*key, "live"))
    assert live is not None and live.state == "done"
    for epoch in (0, shipped.epochs[-1]):
        np.testing.assert_allclose(live.value.vectors("hidden_2", epoch), shipped.vectors("hidden_2", epoch),
                                   rtol=1e-3, atol=1e-4)
    assert any("Computed live" in c.value for c in at.caption)
    assert len(charts(at)) == 4
