"""A classroom at once: one `streamlit run` server, N Chromium pages (default 10) that all press
Train on the Training Lab's default config at the same moment. Loopback only; bounded in time.

Reports, per page, click -> first curve point and whether it waited for a training slot; then
the totals. Every run must finish (or wait visibly and then finish); an exception on a page or
a run that never finishes counts as an error.
The last three lines are exactly `errors=<n>`, `peak_rss_mb=<n>` and `p95_first_point_s=<s>`.

Usage: python -m bench.load_test [--pages 10] [--epochs 200] [--timeout 600] [--settle 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.server_watch import PeakRss, rss_mb  # noqa: E402
from bench.ui_latency import PROBE_JS  # noqa: E402
from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS, wait_for_app  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402

TRAIN = '[data-testid="stMainBlockContainer"] button'


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds between the pages being open and the class pressing Train")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, Path(tempfile.gettempdir()) / f"keras-lens-load-{port}.log")
    errors, firsts, waited = 0, [], 0
    try:
        wait_healthy(port)
        with sync_playwright() as p, PeakRss(server.pid) as peak:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for _ in range(args.pages):  # one browser context each: separate Streamlit sessions
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                page.goto(f"http://127.0.0.1:{port}/lab?epochs={args.epochs}&lang=en")
                pages.append(page)
            for page in pages:
                wait_for_app(page, 180_000)
                page.evaluate(PROBE_JS)
            time.sleep(args.settle)
            print(f"{args.pages} pages open; server RSS {rss_mb(server.pid):.0f} MB before training")
            start = time.perf_counter()
            for page in pages:  # as close to "at once" as one driver can click
                page.evaluate("""() => { window.__lens.clicked = performance.now();
                    [...document.querySelectorAll('%s')].find(b => b.innerText.includes('Train')).click(); }""" % TRAIN)
            done = [False] * len(pages)
            deadline = start + args.timeout
            while not all(done) and time.perf_counter() < deadline:
                for i, page in enumerate(pages):
                    if not done[i]:
                        done[i] = page.evaluate("() => window.__lens.texts.some(t => t.startsWith('Finished'))")
                time.sleep(0.5)
            total = time.perf_counter() - start
            for i, page in enumerate(pages):
                lens = page.evaluate("() => window.__lens")
                exceptions = page.locator('[data-testid="stException"]').count()
                saw_wait = any("Waiting" in t for t in lens["texts"])
                waited += saw_wait
                first = (lens["chart"] - (lens["clicked"] - lens["t0"])) / 1000 if lens["chart"] is not None else None
                if first is not None:
                    firsts.append(first)
                failed = exceptions > 0 or not done[i] or first is None
                errors += failed
                first_text = f"{first:.2f}" if first is not None else "never"
                print(f"page {i + 1}: first curve point {first_text} s, waited for a slot: {saw_wait}, "
                      f"finished: {done[i]}, exceptions: {exceptions}")
            browser.close()
    finally:
        stop_server(server)
    print(f"pages={args.pages} finished={args.pages - errors} waited_for_slot={waited} total_completion_s={total:.1f}")
    print(f"p50_first_point_s={statistics.median(firsts) if firsts else float('nan'):.2f}")
    print(f"errors={errors}")
    print(f"peak_rss_mb={peak.peak:.0f}")
    print(f"p95_first_point_s={percentile(firsts, 0.95) if firsts else float('nan'):.2f}")


if __name__ == "__main__":
    main()
