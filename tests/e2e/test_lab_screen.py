"""The Lab on one screen (issue #14): at 1280x720 in presentation mode, in English and Korean,
after Train the loss curves, the decision boundary and the network diagram all lie inside the
first viewport; before Train the screen shows controls and a chart, never an empty page."""

import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

TRAIN = {"en": "Train", "ko": "학습"}
BOXES_JS = """() => {
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  const charts = [...document.querySelectorAll('img[data-chart^="lab_"], [data-testid="stPlotlyChart"]')];
  return {curves: box(charts[0]), boundary: box(charts[1]),
          network: box(document.querySelector('[data-testid="lab-network"]')),
          preview: box(document.querySelector('img[data-chart="preview"]')),
          dataset: box(document.querySelector('.st-key-lab_dataset')),
          scrollX: window.scrollX, scrollY: window.scrollY};
}"""


def inside(box, width: int, height: int) -> bool:
    return (box is not None and box["bottom"] - box["top"] > 100 and box["left"] >= 0 and box["top"] >= 0
            and box["right"] <= width and box["bottom"] <= height)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_curves_boundary_and_network_fit_the_first_screen(server_url, browser, lang):
    width, height = 1280, 720
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/lab?lang={lang}&present=1")
        wait_for_app(page, 120_000)
        before = page.evaluate(BOXES_JS)
        page.screenshot(path=str(ARTIFACTS / f"lab-screen-{lang}-before.png"))
        assert inside(before["preview"], width, height), before  # a chart, never an empty screen
        assert before["dataset"] is not None and before["dataset"]["bottom"] <= height, before  # controls

        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name=TRAIN[lang], exact=True).click()
        page.wait_for_function("() => document.querySelectorAll('img[data-chart^=\"lab_\"]').length >= 2",
                               timeout=120_000)
        wait_for_app(page, 120_000)
        boxes = page.evaluate(BOXES_JS)
        page.screenshot(path=str(ARTIFACTS / f"lab-screen-{lang}-after.png"))
        assert boxes["scrollY"] == 0 and boxes["scrollX"] == 0, boxes
        for name in ("curves", "boundary", "network"):
            assert inside(boxes[name], width, height), (name, boxes)
    finally:
        context.close()


def test_a_deep_wide_net_scrolls_inside_its_own_box(server_url, browser):
    """32 layers of 256: the diagram's box scrolls sideways; the page does not."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/lab?lang=en&present=1&hidden=" + "-".join(["16"] * 32) + "&epochs=1")
        wait_for_app(page, 120_000)
        sizes = page.evaluate("""() => { const box = document.querySelector('[data-testid="lab-network"]');
            return {box: box.clientWidth, content: box.scrollWidth,
                    page: document.documentElement.scrollWidth, view: window.innerWidth}; }""")
        assert sizes["content"] > sizes["box"], sizes  # wider than its box: it scrolls there
        assert sizes["page"] <= sizes["view"], sizes   # and the page itself does not
    finally:
        context.close()
