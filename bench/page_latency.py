"""First contact with every page: real `streamlit run` servers on loopback, a real Chromium,
every page of the navigation in lecture order, each in a fresh browser context (a new visitor
following a link; the home page's link is `/`, where Streamlit serves the default page).
Measured from the navigation start (the visitor's click on the link) with the browser's clock:

  first_s   the page's title (an h1 holding the page's title in that language) is visible;
  done_s    the default view is complete: Streamlit's script state is "notRunning" and
            connected, and no skeleton, progress bar or spinner is left — the start of an idle
            stretch that lasts STABLE_S (the test the project's screenshot helper uses, plus
            progress and spinners);
  frame     the page is inside the app's frame: the sidebar has the language box and lists
            our page titles, not raw file names;
  error     "timeout", "exception" (a traceback on the page), "page-not-found-dialog" (Streamlit's
            "Page not found" dialog was seen on the way).

Three passes (`--passes`, all by default):
  fresh   the newcomer: for every page, a brand-new server (own free port, bench.fresh_server)
          whose very first request is the page's lesson link, `/<page>?lang=ko&present=1`, in a
          new context at 1280x720 (a projector); the server and its children are ended before
          the next page.
  cold    one server, every page in both languages right after it answers its health check;
  warm    the same server once it has been up `--warm-wait` seconds (120, the budget's definition).
Bounded: each page has a timeout and every server is stopped. The fresh pass prints
`fresh_worst_done_s=<s>` and `fresh_worst_first_s=<s>` (nan when not run) before the last lines,
which are exactly `cold_worst_done_s=<s>`, `warm_worst_done_s=<s>`, `worst_first_s=<s>` and
`frameless=<n>`; the last two cover every visit of the run, fresh ones included.

Usage: python -m bench.page_latency [--passes fresh,cold,warm] [--warm-wait 120] [--taskset 0]
                                    [--timeout 180] [--only lab,tokens]
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

from bench.fresh_server import fresh_server  # noqa: E402
from core.i18n import t  # noqa: E402
from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402
from ui.navigation import available  # noqa: E402

LANGS = ("en", "ko")
PASSES = ("fresh", "cold", "warm")
FRESH_LANG = "ko"  # the newcomer follows the lecture's Korean link, projected
STABLE_S = 1.0  # an idle stretch this long ends the measurement (a rerun would break it)

# Installed before any page script: samples the page every 50 ms against the browser's clock
# (performance.now() counts from the navigation start, i.e. the click on the link).
PROBE_JS = """(() => {
  window.__lat = {first: null, idleSince: null, notFound: false};
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
    for (const d of document.querySelectorAll('[role="dialog"]')) {
      if (d.innerText.includes('Page not found')) window.__lat.notFound = true;
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
    ready_s: float | None = None  # fresh pass: server start -> ready to accept sessions


def visit(browser, base: str, url: str, lang: str, phase: str, timeout: float, present: bool = False,
          viewport: tuple[int, int] = (1280, 900)) -> Visit:
    """One new visitor opens `url` in `lang` (in presentation mode if `present`) and waits for
    the default view to be complete."""
    key = next(p.key for p in available() if p.url == url)
    path = "" if key == "home" else url  # ui.navigation's default page: Streamlit serves it at /
    title = t(f"{key}.title", lang).lower()
    nav_titles = [t(f"{p.key}.title", lang).lower() for p in available()]
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.add_init_script(f"window.__lensTitle = {title!r};" + PROBE_JS)
    page = context.new_page()
    first = done = None
    error = ""
    try:
        page.goto(f"{base}/{path}?lang={lang}" + ("&present=1" if present else ""), timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state, now = page.evaluate("() => [window.__lat, performance.now()]")
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
        if page.evaluate("() => window.__lat.notFound"):
            error = (error + " page-not-found-dialog").strip()
    except Exception as exc:  # a crashed page or navigation error is a result, not the end of the bench
        error, framed = type(exc).__name__, False
    finally:
        context.close()
    as_s = (lambda ms: None if ms is None else ms / 1000)
    return Visit(phase, url, lang, as_s(first), as_s(done), framed, error)


def pages(only: set[str]):
    """The navigation's pages in its order (the lecture's order), or those named in `only`."""
    return [info for info in available() if not only or info.url in only]


def report(v: Visit) -> None:
    ready = "" if v.ready_s is None else f"  server ready {v.ready_s:5.2f}"
    print(f"{v.phase:5} {v.url:14} {v.lang}  first {fmt(v.first_s):>7}  done {fmt(v.done_s):>7}  "
          f"frame {'yes' if v.framed else 'NO':3}{ready} {v.error}", flush=True)


def run_pass(browser, base: str, phase: str, timeout: float, only: set[str]) -> list[Visit]:
    visits = []
    for info in pages(only):
        for lang in LANGS:
            visits.append(visit(browser, base, info.url, lang, phase, timeout))
            report(visits[-1])
    return visits


def run_fresh(browser, timeout: float, only: set[str], cpu: str = "") -> list[Visit]:
    """The newcomer: per page, a new server whose first request is the page's Korean lesson link
    in presentation mode, a new context at 1280x720; the server is gone before the next page."""
    visits = []
    for info in pages(only):
        try:
            with fresh_server(info.url, cpu) as (base, ready_s, _):
                v = visit(browser, base, info.url, FRESH_LANG, "fresh", timeout, present=True,
                          viewport=(1280, 720))
                v.ready_s = ready_s
        except RuntimeError as exc:  # a server that never got ready is a result too
            v = Visit("fresh", info.url, FRESH_LANG, None, None, False, f"server: {exc}"[:200])
        visits.append(v)
        report(v)
    return visits


def fmt(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f}"


def worst(values: list[float | None]) -> float:
    """The worst time; a page that never got there makes the worst infinite."""
    return max((math.inf if v is None else v for v in values), default=math.nan)


def table(visits: list[Visit]) -> None:
    if not any(v.phase in ("cold", "warm") for v in visits):
        return
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


def fresh_table(visits: list[Visit]) -> None:
    fresh = [v for v in visits if v.phase == "fresh"]
    if not fresh:
        return
    print(f"\nfresh server per page, first request /<page>?lang={FRESH_LANG}&present=1, 1280x720")
    print(f"{'page':14} {'ready':>6} {'first':>7} {'done':>7} frame error")
    for v in fresh:
        print(f"{v.url:14} {fmt(v.ready_s):>6} {fmt(v.first_s):>7} {fmt(v.done_s):>7} "
              f"{'yes' if v.framed else 'NO':5} {v.error}")


def summary_lines(visits: list[Visit]) -> list[str]:
    """The machine-read lines, the fixed four last; a pass not run gives nan."""
    def of(phase: str, name: str) -> list[float | None]:
        return [getattr(v, name) for v in visits if v.phase == phase]

    return [f"fresh_worst_done_s={worst(of('fresh', 'done_s')):.2f}",
            f"fresh_worst_first_s={worst(of('fresh', 'first_s')):.2f}",
            f"cold_worst_done_s={worst(of('cold', 'done_s')):.2f}",
            f"warm_worst_done_s={worst(of('warm', 'done_s')):.2f}",
            f"worst_first_s={worst([v.first_s for v in visits]):.2f}",
            f"frameless={sum(not v.framed for v in visits)}"]


def shared_server_passes(browser, args, only: set[str], passes: set[str]) -> list[Visit]:
    """The cold and warm passes, on one server started here."""
    port = free_port()
    server = start_server(port, Path(tempfile.gettempdir()) / f"keras-lens-pages-{port}.log",
                          prefix=["taskset", "-c", args.taskset] if args.taskset else None)
    visits: list[Visit] = []
    try:
        wait_healthy(port, timeout=120)
        healthy = time.monotonic()
        base = f"http://127.0.0.1:{port}"
        if "cold" in passes:
            visits += run_pass(browser, base, "cold", args.timeout, only)
        if "warm" in passes:
            time.sleep(max(0.0, healthy + args.warm_wait - time.monotonic()))
            visits += run_pass(browser, base, "warm", args.timeout, only)
    finally:
        stop_server(server)
    return visits


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add = parser.add_argument
    add("--passes", default=",".join(PASSES), help="comma-separated, of fresh,cold,warm (default all)")
    add("--warm-wait", type=float, default=120, help="seconds the server is up before the warm pass")
    add("--taskset", default="", help="run the servers under `taskset -c CPU` (e.g. 0: one core)")
    add("--timeout", type=float, default=180, help="seconds per page before it counts as never done")
    add("--only", default="", help="comma-separated page URLs (a smoke run); default all")
    args = parser.parse_args()
    args.passes = {name for name in args.passes.split(",") if name}
    if not args.passes or args.passes - set(PASSES):
        parser.error(f"--passes takes some of {','.join(PASSES)}")
    return args


def main() -> None:
    args = parse_args()
    only = {u for u in args.only.split(",") if u}
    visits: list[Visit] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if "fresh" in args.passes:  # first: no other server of ours is running meanwhile
                visits += run_fresh(browser, args.timeout, only, args.taskset)
            if args.passes & {"cold", "warm"}:
                visits += shared_server_passes(browser, args, only, args.passes)
        finally:
            browser.close()
    fresh_table(visits)
    table(visits)
    print("\n".join(summary_lines(visits)))


if __name__ == "__main__":
    main()
