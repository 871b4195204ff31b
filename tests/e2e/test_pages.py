"""Visit every page in Chromium, in both languages, and keep a screenshot of each."""

import pytest

from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS
from ui.navigation import available

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_page_renders_in_chromium(server_url, page, lang):
    seen_titles = set()
    for info in available():
        url_path = "" if info.key == "home" else info.url
        page.goto(f"{server_url}/{url_path}?lang={lang}")
        wait_for_app(page, timeout_ms=120_000)
        page.screenshot(path=str(ARTIFACTS / f"page-{info.url}-{lang}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, info.path
        title = page.locator("h1").first.inner_text(timeout=30_000)
        assert title.strip()
        seen_titles.add(title)
        if lang == "ko":
            assert any("\uac00" <= ch <= "\ud7a3" for ch in page.locator("main").inner_text()), info.path
    assert len(seen_titles) == len(available())  # every page has its own title


def test_charts_are_pictures_until_the_visitor_asks_for_interactive_ones(server_url, page):
    """A default view draws its charts as server-made pictures, so the browser never loads
    Plotly's bundle; the sidebar's switch turns the same charts into Plotly charts."""
    page.goto(f"{server_url}/activations?lang=en")
    wait_for_app(page, timeout_ms=120_000)
    pictures = page.locator('[data-testid="stMain"] img[data-chart]')
    shown = pictures.count()
    assert shown >= 3
    assert page.locator(".js-plotly-plot").count() == 0
    scripts = page.evaluate("performance.getEntriesByType('resource').map(r => r.name)")
    assert not [s for s in scripts if "PlotlyChart" in s]
    # Tables are HTML too: neither the Arrow reader nor the data grid (1.0–1.6 MB) is loaded.
    assert page.locator("[data-table]").count() >= 2
    assert not [s for s in scripts if any(name in s for name in ("Quiver.", "DataFrame.", "/Table."))]
    for i in range(shown):  # every picture has a description and a real drawing
        assert pictures.nth(i).get_attribute("alt")
        assert pictures.nth(i).evaluate("img => img.naturalWidth > 0 && img.complete")
    page.locator('[data-testid="stSidebar"]').get_by_text("Interactive charts").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    wait_for_app(page, timeout_ms=120_000)
    assert page.locator(".js-plotly-plot").count() == shown
    assert page.locator('[data-testid="stMain"] img[data-chart]').count() == 0
