"""Colour is never the only carrier of meaning, as a learner with a greyscale projector sees it:
chart pages drawn in Chromium with `filter: grayscale(1)` on the whole document, saved under
test-artifacts/e2e/greyscale-<page>-<n>.png for a person to look at. The check that can fail: in each
chart whose legend names several series, the legend's marks differ in shape (marker path), dash
or bar pattern, not only in colour."""

from __future__ import annotations

import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

PAGES = ["tokens", "vector-search", "optimizers"]

# Per chart with a legend of two or more entries: each entry's mark, as drawn (the legend's
# point path, its line's dash, its bar pattern); colour is left out on purpose.
_LEGEND_MARKS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot =>
    [...plot.querySelectorAll('g.legend g.traces')].map(item => {
        const point = item.querySelector('path.scatterpts');
        const line = item.querySelector('path.js-line');
        const bar = item.querySelector('g.legendpoints path[style*="url("], g.legendpoints path');
        return [point ? point.getAttribute('d') : '',
                line ? (line.style.strokeDasharray || 'solid') : '',
                bar && bar.getAttribute('style') && bar.getAttribute('style').includes('url(') ? 'pattern'
                    + (bar.getAttribute('style').match(/url\\([^)]*\\)/) || [''])[0].replace(/[-0-9]+/g, '') : '',
                item.textContent];
    })).filter(items => items.length > 1)"""


@pytest.mark.parametrize("path", PAGES)
def test_chart_pages_in_greyscale(page, server_url, path):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server_url}/{path}?lang=ko&present=1")
    wait_for_app(page, timeout_ms=120000)
    page.add_style_tag(content="html { filter: grayscale(1) !important; }")
    page.wait_for_selector(".js-plotly-plot g.legend", timeout=60000)
    page.wait_for_timeout(800)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls its main block, not the document: each chart is shot on its own.
    charts = page.locator("[data-testid='stPlotlyChart']")
    for i in range(min(charts.count(), 4)):
        charts.nth(i).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        charts.nth(i).screenshot(path=str(ARTIFACTS / f"greyscale-{path}-{i + 1}.png"))
    legends = page.evaluate(_LEGEND_MARKS)
    assert legends, f"/{path}: a chart with a legend"
    for items in legends:
        marks = [tuple(item[:3]) for item in items]
        names = [item[3] for item in items]
        # Entries that look alike must be the same series' parts (a grey key, say) — never two colours.
        clashes = [(names[i], names[j]) for i in range(len(marks)) for j in range(i + 1, len(marks))
                   if marks[i] == marks[j]]
        assert not clashes, f"/{path}: legend entries with the same mark: {clashes}"
