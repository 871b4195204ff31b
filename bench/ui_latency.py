"""Training Lab latency in a real Chromium against a real `streamlit run` server (loopback only).

Measures, for the default Lab config with 300 epochs:
  cold   click Train -> first curve drawn, on the first visit after the server started;
  warm   the same on a warm server, median of 5 runs;
  redraws_per_s            distinct status-line updates per second seen in the browser;
  throughput_while_drawing epochs/s of the run in the browser / epochs/s of a headless Trainer
                           on the same config in this process (compile time excluded from both).
  new_arch_first_epoch_s    click Train -> first status line with epoch >= 1, for architectures
                           this server has never compiled (TensorFlow already imported), the
                           worst of NEW_ARCHS; the run starts on a plain graph while XLA compiles.
The last lines are exactly `click_to_first_point_s=<median>`, `redraws_per_s=<n>`,
`throughput_while_drawing=<fraction>` and `new_arch_first_epoch_s=<worst>`.

Usage: python -m bench.ui_latency [--runs 5]
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

from core.config import ExperimentConfig  # noqa: E402
from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS, wait_for_app  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402

CONFIG = ExperimentConfig(epochs=300)
URL = "lab?epochs=300&lang=en"
# Architectures no earlier run of this bench trains (so never compiled on its server); the
# BatchNorm one is the case that once showed its first epoch after 82 s.
NEW_ARCHS = ("lab?hidden=7-5&epochs=300&lang=en", "lab?hidden=9-9&bn=1&epochs=300&lang=en",
             "lab?hidden=6-6-6&act=tanh&epochs=1000&lang=en")

# In-browser probe: record every distinct status line and when the loss chart first appears.
PROBE_JS = """() => {
  const t0 = performance.now();
  window.__lens = {texts: [], times: [], chart: null, t0: t0};
  const poll = () => {
    const s = document.querySelector('[data-testid="stAlertContainer"]');
    const text = s ? s.innerText : '';
    const last = window.__lens.texts[window.__lens.texts.length - 1];
    if (text && text !== last) { window.__lens.texts.push(text); window.__lens.times.push(performance.now() - t0); }
    if (window.__lens.chart === null) {
      // The live curves are an SVG frame shown as an image (core.charts.live), drawn once
      // decoded; the finished run's curves are Plotly.
      const img = document.querySelector('img[data-chart="curves"]');
      let drawn = !!img && img.complete && img.naturalWidth > 0;
      for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
        drawn = drawn || (c.textContent.includes('Loss') && !!c.querySelector('.scatterlayer .trace'));
      }
      if (drawn) window.__lens.chart = performance.now() - t0;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""


def click_train(page) -> dict:
    """Click Train, wait for the run to finish; times (s) relative to the click."""
    page.evaluate(PROBE_JS)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
    page.wait_for_function("() => window.__lens.texts.some(t => t.startsWith('Finished'))", timeout=300_000)
    return page.evaluate("() => window.__lens")


def first_epoch_seconds(browser, port: int, url: str) -> tuple[float, bool]:
    """Click Train on `url`; seconds until a status line shows epoch >= 1, and whether a
    "compiling" status was seen on the way."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"http://127.0.0.1:{port}/{url}")
        wait_for_app(page, 120_000)
        page.evaluate(PROBE_JS)
        page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
        page.wait_for_function("() => window.__lens.texts.some(t => /epoch [1-9]/.test(t))", timeout=300_000)
        lens = page.evaluate("() => window.__lens")
        first = next(t for t, x in zip(lens["times"], lens["texts"]) if epochs_of(x) >= 1) / 1000
        wait_for_app(page, 300_000)  # let the run end before the next one
        return first, any("compiling" in x for x in lens["texts"])
    finally:
        page.close()


def epochs_of(text: str) -> int:
    import re

    match = re.search(r"epoch (\d+)", text)
    return int(match.group(1)) if match else 0


def headless_rate() -> float:
    from core.training import Trainer

    trainer = Trainer(CONFIG)
    start = None
    for record in trainer.run():
        if record.epoch == 1:
            start = time.perf_counter()
    return (trainer.epoch - 1) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"keras-lens-bench-{port}.log"
    server = start_server(port, log)
    firsts, redraw_rates, ui_rates = [], [], []
    try:
        wait_healthy(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(args.runs + 1):  # run 0 is the cold one
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/{URL}")
                wait_for_app(page, 120_000)
                lens = click_train(page)
                first = lens["chart"] / 1000
                texts, times = lens["texts"], [t / 1000 for t in lens["times"]]
                # The run proper: from the first status with epoch >= 1 to "Finished".
                running = [(t, x) for t, x in zip(times, texts) if epochs_of(x) >= 1]
                span = running[-1][0] - running[0][0] if running else 0.0
                epochs = epochs_of(running[-1][1]) - epochs_of(running[0][1]) if running else 0
                label = "cold" if run == 0 else f"warm {run}"
                if span > 0:
                    print(f"{label}: click->first curve {first:.2f}s, {len(running)} redraws in {span:.2f}s, "
                          f"{epochs / span:.0f} epochs/s in the browser")
                else:  # the browser saw one running frame at most: no rate to measure
                    print(f"{label}: click->first curve {first:.2f}s, {len(running)} running frame(s) seen")
                if run == 0:
                    cold = first
                else:
                    firsts.append(first)
                    if span > 0:
                        redraw_rates.append(len(running) / span)
                        ui_rates.append(epochs / span)
                page.close()
            new_arch = []
            for url in NEW_ARCHS:
                seconds, compiling_seen = first_epoch_seconds(browser, port, url)
                new_arch.append(seconds)
                print(f"new architecture {url}: first epoch on screen after {seconds:.2f}s"
                      f"{', compiling status seen' if compiling_seen else ''}")
            browser.close()
    finally:
        stop_server(server)
    headless = headless_rate()
    print(f"headless Trainer on the same config: {headless:.0f} epochs/s")
    print(f"cold_click_to_first_point_s={cold:.2f}")
    print(f"click_to_first_point_s={statistics.median(firsts):.2f}")
    nan = float("nan")
    print(f"redraws_per_s={statistics.median(redraw_rates) if redraw_rates else nan:.1f}")
    print(f"throughput_while_drawing={statistics.median(ui_rates) / headless if ui_rates else nan:.2f}")
    print(f"new_arch_first_epoch_s={max(new_arch):.2f}")


if __name__ == "__main__":
    main()
