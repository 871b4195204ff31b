"""Screenshot every page in presentation mode (?present=1), in English and Korean, at
1280x720 and 1920x1080: a viewport shot (what the projector shows first) and a full-page shot.

    .venv/bin/python -m scripts.present_shots [--out /tmp/present-shots] [--only lab,home]

One Streamlit server and one Chromium. Besides the PNGs it writes report.json with, per shot,
the load time, whether the page finished loading, exceptions/alerts on the page, and elements
whose text overflows its box (a hint for truncated labels; look at the images to be sure).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS, wait_for_app
from scripts.server import free_port, start_server, stop_server, wait_healthy
from ui.navigation import available

SIZES = ((1280, 720), (1920, 1080))
LANGS = ("en", "ko")

_PROBE_JS = """() => {
    const q = s => Array.from(document.querySelectorAll(s));
    const text = e => (e.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 160);
    const overflow = q('button, [data-testid="stWidgetLabel"], [data-testid="stMetricValue"],'
        + ' [data-testid="stMetricLabel"], [data-baseweb="tab"], [data-testid="stPageLink"] span,'
        + ' [data-baseweb="select"] div')
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
                && getComputedStyle(e).overflow !== 'visible')
        .map(e => text(e)).filter(t => t).slice(0, 20);
    return {
        title: text(document.querySelector('h1') || document.body),
        exceptions: q('[data-testid="stException"]').map(text),
        alerts: q('[data-testid="stAlert"]').map(text),
        dialogs: q('[role="dialog"]').map(text),
        overflow: Array.from(new Set(overflow)),
        sidebar_expanded: (document.querySelector('[data-testid="stSidebar"]') || {})
            .getAttribute?.('aria-expanded'),
        page_height: document.documentElement.scrollHeight,
    };
}"""

# Streamlit scrolls inside its own container, so Playwright's full_page=True only shows the
# viewport: measure that container and grow the viewport to fit it for the full-page shot.
_CONTENT_HEIGHT_JS = """() => {
    let h = document.documentElement.scrollHeight;
    for (const e of document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main')) {
        h = Math.max(h, e.scrollHeight + e.getBoundingClientRect().top);
    }
    return Math.ceil(h);
}"""
MAX_FULL_HEIGHT = 16000


def full_page_shot(page, path: pathlib.Path, width: int, height: int) -> None:
    content = min(page.evaluate(_CONTENT_HEIGHT_JS), MAX_FULL_HEIGHT)
    if content > height:
        page.set_viewport_size({"width": width, "height": content})
        page.wait_for_timeout(1200)  # Plotly redraws on resize
        content = min(page.evaluate(_CONTENT_HEIGHT_JS), MAX_FULL_HEIGHT)
        page.set_viewport_size({"width": width, "height": max(content, height)})
        page.wait_for_timeout(600)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": height})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/present-shots")
    parser.add_argument("--only", default="", help="comma-separated url paths (home = root)")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pages = [p for p in available() if not args.only or p.url in args.only.split(",")]

    port = free_port()
    proc = start_server(port, out / "server.log")
    results = []
    try:
        wait_healthy(port, timeout=120)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first = True
            for width, height in SIZES:
                for lang in LANGS:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    for info in pages:
                        path = "" if info.key == "home" else info.url
                        url = f"http://127.0.0.1:{port}/{path}?lang={lang}&present=1"
                        stem = f"{info.url}_{lang}_{width}x{height}"
                        started = time.time()
                        loaded = True
                        try:
                            page.goto(url, timeout=180000)
                            wait_for_app(page, timeout_ms=180000 if first else 90000)
                        except PlaywrightTimeout:
                            loaded = False
                        first = False
                        page.wait_for_timeout(800)  # let Plotly finish drawing
                        elapsed = round(time.time() - started, 1)
                        page.evaluate("window.scrollTo(0, 0)")
                        page.screenshot(path=str(out / f"{stem}_view.png"))
                        probe = page.evaluate(_PROBE_JS)
                        full_page_shot(page, out / f"{stem}_full.png", width, height)
                        row = {"shot": stem, "url": url, "loaded": loaded, "seconds": elapsed, **probe}
                        results.append(row)
                        flags = [k for k in ("exceptions", "alerts", "dialogs", "overflow") if probe[k]]
                        print(f"{stem}: {'ok' if loaded else 'NOT LOADED'} {elapsed}s "
                              f"{' '.join(flags)}", flush=True)
                    context.close()
            browser.close()
    finally:
        stop_server(proc)
        (out / "report.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
