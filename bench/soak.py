"""Soak: one browser session runs the Training Lab's default config many times in a row
(default 50) against one `streamlit run` server; the server's memory must not creep up.
Keras/TensorFlow state that leaked across runs or reruns would show here.

RSS is sampled after each run (the server idle again); growth is measured from run 5, when
the one-off costs (TensorFlow import, first traces and XLA compiles, Plotly) are paid.
The last line is exactly `rss_growth_mb=<n>`.

Usage: python -m bench.soak [--runs 50] [--epochs 200]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.server_watch import rss_mb  # noqa: E402
from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS, wait_for_app  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402

BASELINE_RUN = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, Path(tempfile.gettempdir()) / f"keras-lens-soak-{port}.log")
    samples: list[float] = []
    try:
        wait_healthy(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/lab?epochs={args.epochs}&lang=en")
            wait_for_app(page, 180_000)
            train = page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train")
            for run in range(1, args.runs + 1):
                started = time.perf_counter()
                # A new seed each run: a new model, new traces, new data, as a learner would do.
                seed = page.locator(".st-key-lab_seed input")
                if not seed.is_visible():  # the Lab folds its less used controls (ui.lab_layout)
                    page.locator(".st-key-lab_seed").locator("xpath=ancestor::details[1]/summary").click()
                seed.fill(str(run))
                seed.press("Enter")
                wait_for_app(page, 120_000)
                train.click()
                page.wait_for_function(
                    "() => /Finished · epoch %d/.test(document.body.innerText)" % args.epochs, timeout=300_000)
                wait_for_app(page, 120_000)
                samples.append(rss_mb(server.pid))
                print(f"run {run}: {time.perf_counter() - started:.1f} s, server RSS {samples[-1]:.0f} MB", flush=True)
            exceptions = page.locator('[data-testid="stException"]').count()
            browser.close()
    finally:
        stop_server(server)
    base = samples[min(BASELINE_RUN, len(samples)) - 1]
    print(f"runs={len(samples)} exceptions={exceptions} rss_run{BASELINE_RUN}_mb={base:.0f} "
          f"rss_last_mb={samples[-1]:.0f} rss_peak_mb={max(samples):.0f}")
    print(f"rss_growth_mb={samples[-1] - base:.0f}")


if __name__ == "__main__":
    main()
