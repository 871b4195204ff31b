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


def wait_for_app(page, timeout_ms: int = 60000) -> None:
    """Wait until Streamlit has rendered and finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => { const s = document.querySelector('[data-testid="stStatusWidget"]');
                   return !s || !s.innerText.match(/Running|Stop/); }""", timeout=timeout_ms)
    page.wait_for_timeout(800)


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
