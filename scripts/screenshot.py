"""Take Chromium screenshots of app pages: python scripts/screenshot.py URL_PATH... [--out DIR].

Uses Debian's /usr/bin/chromium through Playwright (no browser download). Example:
    python scripts/screenshot.py "lab?lang=ko" "activations" --base http://localhost:8501
"""

from __future__ import annotations

import argparse
import pathlib
import re

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED'
        && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0
        && !!document.querySelector('[data-testid="stMain"] h1, section.main h1, h1');
}"""


def dismiss_page_not_found(page) -> bool:
    """Close Streamlit's "Page not found" modal if it is up.

    Streamlit 1.67 shows it over the *right* page when a deep link is the first page with heavy
    imports that a fresh server process runs (Streamlit issues #8860, #9992): the page itself
    renders correctly underneath. Returns True when a modal was closed."""
    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count() == 0:
        return False
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached", timeout=5000)
    return True


def wait_for_app(page, timeout_ms: int = 60000) -> None:
    """Wait until Streamlit has connected, run the script to the end and drawn the page
    (script state 'notRunning', no skeletons, a title), twice in a row half a second apart."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    for _ in range(2):
        page.wait_for_function(_IDLE_JS, timeout=timeout_ms)
        page.wait_for_timeout(500)
    page.wait_for_function(_IDLE_JS, timeout=timeout_ms)
    dismiss_page_not_found(page)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://localhost:8501")
    parser.add_argument("--out", default="test-artifacts/screens")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for path in args.paths:
            page.goto(f"{args.base}/{path}")
            wait_for_app(page)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", path) or "home"
            file = out / f"{name}_{args.width}.png"
            page.screenshot(path=str(file), full_page=args.full)
            print(file)
        browser.close()


if __name__ == "__main__":
    main()
