"""axe-core (the standard accessibility engine, through axe-playwright-python) in Chromium against
a real `streamlit run` server: no serious or critical violation on any page, in English and
Korean, with presentation mode off and on.

Time on 2 shared cores: every page twice, in English with presentation mode off and in Korean
with it on (the projector case): each language and each mode on every page, the same visits on
every run, so a failure is reproducible. `A11Y_ALL=1` runs all 60 combinations. One browser page is reused: each visit is a fresh
`goto`, which is a fresh Streamlit session (the language and mode come from the URL).
"""

from __future__ import annotations

import os

import pytest

from scripts.screenshot import wait_for_app
from ui.navigation import available

pytestmark = pytest.mark.e2e

SERIOUS = ("serious", "critical")

# Upstream, not ours: Streamlit's sidebar navigation is a <ul> whose children are <div>s that
# wrap the <li>s, which fails axe's `list` (a list holds only li) and `listitem` (an li sits in
# a list). Reported upstream; excluded for exactly these two rules on exactly that element and
# what is inside it, nowhere else.
UPSTREAM = {"list", "listitem"}
UPSTREAM_SELECTOR = 'ul[data-testid="stSidebarNavItems"]'

_INSIDE_UPSTREAM = """([selector, upstream]) => {
    const el = document.querySelector(selector);
    return !!el && !!el.closest(upstream);
}"""


@pytest.fixture(scope="module")
def shared_page(browser):
    """One browser page for every visit: a new context per visit cost more than the visit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _visits() -> list[tuple[str, str, bool]]:
    pages = [info.url for info in available()]
    if os.environ.get("A11Y_ALL"):
        return [(url, lang, present) for url in pages for lang in ("en", "ko") for present in (False, True)]
    return [(url, "en", False) for url in pages] + [(url, "ko", True) for url in pages]


def _serious_violations(page, axe) -> list[str]:
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        nodes = violation["nodes"]
        if violation["id"] in UPSTREAM:
            nodes = [n for n in nodes if not page.evaluate(_INSIDE_UPSTREAM, [n["target"][-1], UPSTREAM_SELECTOR])]
        for node in nodes:
            found.append(f"{violation['id']} ({violation['impact']}): {node['html'][:160]}\n"
                         f"    {node['failureSummary'].splitlines()[-1].strip()[:200]}")
    return found


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("url, lang, present", _visits())
def test_no_serious_accessibility_violation(server_url, shared_page, axe, url, lang, present):
    path = "" if url == "home" else url
    shared_page.goto(f"{server_url}/{path}?lang={lang}" + ("&present=1" if present else ""))
    wait_for_app(shared_page, timeout_ms=300_000)
    found = _serious_violations(shared_page, axe)
    assert not found, "\n".join(found)


def test_the_upstream_exclusion_is_exactly_the_sidebar_nav(server_url, shared_page, axe):
    """The exclusion must not hide our own lists: a list we draw (a markdown bullet list, which
    every "What to notice" box is) is still checked, and the sidebar's list is what fails."""
    page = shared_page
    page.goto(f"{server_url}/tokens?lang=en")
    wait_for_app(page, timeout_ms=300_000)
    raw = axe.run(page).response["violations"]
    upstream = [n for v in raw if v["id"] in UPSTREAM for n in v["nodes"]]
    assert upstream, "Streamlit fixed its sidebar list: drop the exclusion"
    assert all(page.evaluate(_INSIDE_UPSTREAM, [n["target"][-1], UPSTREAM_SELECTOR]) for n in upstream)
    assert page.locator('[data-testid="stMarkdownContainer"] ul li').count() > 0
