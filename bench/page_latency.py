"""First contact with every page: one real `streamlit run` server on loopback, a real Chromium,
every page of the navigation in lecture order, in English and Korean, each in a fresh browser
context (a new visitor following a link). Measured from the navigation start (the visitor's
click on the link) with the browser's own clock:

  first_s   the page's title (an h1 holding the page's title in that language) is visible;
  done_s    the default view is complete: Streamlit's script state is "notRunning" and
            connected, and no skeleton, progress bar or spinner is left — the start of an idle
            stretch that lasts STABLE_S (the test the project's screenshot helper uses, plus
            progress and spinners);
  frame     the page is inside the app's frame: the sidebar has the language box and lists
            our page titles, not raw file names.

Two passes: "cold" right after the server answers its health check, "warm" once it has been up
`--warm-wait` seconds (120 by default, the budget's definition). Bounded: each page has a
timeout and the server is stopped at the end. The last lines are exactly
`cold_worst_done_s=<s>`, `warm_worst_done_s=<s>`, `worst_first_s=<s>` and `frameless=<n>`.

Usage: python -m bench.page_latency [--warm-wait 120] [--taskset 0] [--timeout 180] [--only lab,tokens]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from playwright.sync_api import sync_playwright  # noqa: E402

from core.i18n import t  # noqa: E402
from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402
from ui.navigation import available  # noqa: E402

LANGS = ("en", "ko")
STABLE_S = 1.0  # an idle stretch this long ends the measurement (a rerun would break it)

# Installed before any page script: samples the page every 50 ms against the browser's clock
# (performance.now() counts from the navigation start, i.e. the click on the link).
PROBE_JS = """(() => {
  window.__lat = {first: null, idleSince: null};
  const idle = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testScriptState === 'notRunning'
      && app.dataset.testConnectionState === 'CONNECTED'
      && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stProgress"], '
                                 + '[data-testid="stSpinner"]')
      && !!document.querySelector('h1');
  };
  setInterval(() => {
    const now = performance.now();
    if (window.__lat.first === null && window.__lensTitle) {
      for (const h of document.querySelectorAll('h1')) {
        const box = h.getBoundingClientRect();
        if (box.width > 0 && box.height > 0
            && h.innerText.toLowerCase().includes(window.__lensTitle)) { window.__lat.first = now; }
      }
    }
    if (idle()) { if (window.__lat.idleSince === null) window.__lat.idleSince = now; }
    else { window.__lat.idleSince = null; }
  }, 50);
})();"""

FRAME_JS = """(titles) => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if (!bar) return false;
  const nav = bar.querySelector('[data-testid="stSidebarNav"]');
  const text = nav ? nav.innerText.toLowerCase() : '';
  return !!bar.querySelector('[data-testid="stSelectbox"]') && !text.includes('streamlit app')
    && !text.includes('streamlit_app') && titles.every(title => text.includes(title));
}"""


@dataclass
class Visit:
    phase: str
    url: str
    lang: str
    first_s: float | None
    done_s: float | None
    framed: bool
    error: str = ""


def visit(browser, base: str, url: str, lang: str, phase: str, timeout: float) -> Visit:
    """One new visitor opens `url` in `lang` and waits for the default view to be complete."""
    key = next(p.key for p in available() if p.url == url)
    title = t(f"{key}.title", lang).lower()
    nav_titles = [t(f"{p.key}.title", lang).lower() for p in available()]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(f"window.__lensTitle = {title!r};" + PROBE_JS)
    page = context.new_page()
    first = done = None
    error = ""
    try:
        page.goto(f"{base}/{url}?lang={lang}", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lat = page.evaluate("() => [window.__lat, performance.now()]")
            state, now = lat
            first = state["first"]
            since = state["idleSince"]
            if first is not None and since is not None and now - since >= STABLE_S * 1000:
                done = since
                break
            time.sleep(0.1)
        else:
            error = "timeout"
        framed = bool(page.evaluate(FRAME_JS, nav_titles))
        if page.get_by_test_id("stException").count():
            error = (error + " exception").strip()
    except Exception as exc:  # a crashed page or navigation error is a result, not the end of the bench
        error, framed = type(exc).__name__, False
    finally:
        context.close()
    as_s = (lambda ms: None if ms is None else ms / 1000)
    return Visit(phase, url, lang, as_s(first), as_s(done), framed, error)


def run_pass(browser, base: str, phase: str, timeout: float, only: set[str]) -> list[Visit]:
    visits = []
    for info in available():  # the navigation's order is the lecture's order
        if only and info.url not in only:
            continue
        for lang in LANGS:
            v = visit(browser, base, info.url, lang, phase, timeout)
            print(f"{v.phase:5} {v.url:14} {v.lang}  first {fmt(v.first_s):>7}  done {fmt(v.done_s):>7}  "
                  f"frame {'yes' if v.framed else 'NO':3} {v.error}", flush=True)
            visits.append(v)
    return visits


def fmt(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f}"


def worst(values: list[float | None]) -> float:
    """The worst time; a page that never got there makes the worst infinite."""
    return max((math.inf if v is None else v for v in values), default=math.nan)


def table(visits: list[Visit]) -> None:
    print(f"\n{'page':14} {'lang':4} {'cold first':>10} {'cold done':>10} {'warm first':>10} {'warm done':>10} frame")
    by = {(v.phase, v.url, v.lang): v for v in visits}
    for info in available():
        for lang in LANGS:
            if ("cold", info.url, lang) not in by and ("warm", info.url, lang) not in by:
                continue
            cold, warm = by.get(("cold", info.url, lang)), by.get(("warm", info.url, lang))
            cells = [fmt(getattr(v, name)) if v else "-" for v in (cold, warm) for name in ("first_s", "done_s")]
            framed = all(v.framed for v in (cold, warm) if v)
            print(f"{info.url:14} {lang:4} " + " ".join(f"{c:>10}" for c in cells) + f" {'yes' if framed else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm-wait", type=float, default=120, help="seconds the server is up before the warm pass")
    parser.add_argument("--taskset", default="", help="run the server under `taskset -c CPU` (e.g. 0: one core)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per page before it counts as never done")
    parser.add_argument("--only", default="", help="comma-separated page URLs (a smoke run); default all")
    args = parser.parse_args()
    only = {u for u in args.only.split(",") if u}
    port = free_port()
    server = start_server(port, Path(tempfile.gettempdir()) / f"keras-lens-pages-{port}.log",
                          prefix=["taskset", "-c", args.taskset] if args.taskset else None)
    visits: list[Visit] = []
    try:
        wait_healthy(port, timeout=120)
        healthy = time.monotonic()
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            visits += run_pass(browser, base, "cold", args.timeout, only)
            time.sleep(max(0.0, healthy + args.warm_wait - time.monotonic()))
            visits += run_pass(browser, base, "warm", args.timeout, only)
            browser.close()
    finally:
        stop_server(server)
    table(visits)
    print(f"cold_worst_done_s={worst([v.done_s for v in visits if v.phase == 'cold']):.2f}")
    print(f"warm_worst_done_s={worst([v.done_s for v in visits if v.phase == 'warm']):.2f}")
    print(f"worst_first_s={worst([v.first_s for v in visits]):.2f}")
    print(f"frameless={sum(not v.framed for v in visits)}")


if __name__ == "__main__":
    main()
