"""The Training Lab in Chromium against a real server: a shared link, Train, live updates,
Stop mid-run, the snapshot slider, and the script download."""

import re
import time

import pytest

from bench.server_watch import cpu_percent
from scripts.screenshot import wait_for_app
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

SHARED = "lab?data=spiral&n=400&noise=0.1&hidden=16-16-16&act=tanh&epochs=1500&bs=4&lr=0.01&seed=2&lang=en"
LONG = "lab?data=circle&n=2000&hidden=16-16-16-16&bs=4&epochs=2000&lang=en"


def status_text(page) -> str:
    return page.locator('[data-testid="stAlertContainer"]').first.inner_text()


# The run's final charts: server-drawn pictures keyed lab_* (core.charts.static), or Plotly
# charts when the visitor turned on "Interactive charts". Live frames and the preview are not.
FINAL_CHARTS = 'img[data-chart^="lab_"], [data-testid="stPlotlyChart"]'


def charts(page):
    return page.locator(FINAL_CHARTS)


def shot(locator) -> bytes:
    """A picture of an element that is being redrawn live: clip the page at its box."""
    for _ in range(20):
        try:
            locator.scroll_into_view_if_needed(timeout=2000)
        except Exception:  # noqa: BLE001 - redrawn mid-scroll; try again
            time.sleep(0.1)
            continue
        box = locator.bounding_box()
        if box and box["width"] > 10:
            return locator.page.screenshot(clip=box)
        time.sleep(0.1)
    raise AssertionError("chart never appeared")


def test_shared_link_train_live_updates_scrub_and_download(server_url, page):
    page.goto(f"{server_url}/{SHARED}")
    wait_for_app(page, 120_000)
    assert page.get_by_role("combobox").filter(has_text="spiral").count() >= 1 or "spiral" in page.content()
    page.screenshot(path=str(ARTIFACTS / "lab-1-shared-link.png"), full_page=True)
    # Before a run the data alone, as a light SVG frame (no Plotly on the page yet).
    preview = shot(page.locator('img[data-chart="preview"]'))
    assert charts(page).count() == 0

    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
    wait_for_app(page, 120_000)
    assert "Finished" in status_text(page) and "epoch 1500" in status_text(page)
    page.screenshot(path=str(ARTIFACTS / "lab-3-finished.png"), full_page=True)
    after = shot(charts(page).nth(1))
    assert after != preview  # the learned decision boundary replaced the data-only preview

    # Scrub the snapshot slider back to the first snapshot: the projections change.
    page.get_by_role("tab", name="Hidden layers").click()
    projections = shot(charts(page).nth(2))
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Snapshot epoch").get_by_role("slider")
    slider.focus()
    slider.press("Home")
    wait_for_app(page, 60_000)
    assert re.search(r"\b0\b", page.locator('[data-testid="stSlider"]').filter(has_text="Snapshot epoch").inner_text())
    assert shot(charts(page).nth(2)) != projections
    page.screenshot(path=str(ARTIFACTS / "lab-4-scrubbed.png"), full_page=True)

    page.get_by_role("tab", name="Code and downloads").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Keras script (.py)").click()
    script = download.value.path().read_text()
    assert "keras.Model(inputs, outputs" in script and "N_SAMPLES = 400" in script


def seconds_until_idle(pid: int, limit: float, busy_percent: float = 30.0, window: float = 0.1,
                       quiet_windows: int = 3) -> float:
    """Seconds from now until the server goes idle: the start of the first `quiet_windows`
    windows in a row (0.1 s each) in which it used less than `busy_percent` of a core."""
    start = time.perf_counter()
    quiet_since, quiet = None, 0
    while time.perf_counter() - start < limit:
        window_start = time.perf_counter() - start
        if cpu_percent(pid, window) < busy_percent:
            quiet_since = window_start if quiet == 0 else quiet_since
            quiet += 1
            if quiet >= quiet_windows:
                return quiet_since
        else:
            quiet = 0
    return float("inf")


def wait_until_training(page, pid: int) -> int:
    """Wait for a live run to show an epoch of 10 or more and the server to be busy; the epoch."""
    page.wait_for_function("() => /(Training|Running)[^\\n]*epoch [1-9][0-9]/.test(document.body.innerText)",
                           timeout=120_000)
    # Busy in one of a few short windows: an idle server reads 0-3 %, a training one 60-150 %,
    # but one window read 40 % while another process kept ~0.8 of a core busy.
    assert any(cpu_percent(pid, 0.3) > 30 for _ in range(5)), "the server is not training"
    return int(re.search(r"epoch (\d+)", status_text(page)).group(1))


def test_stop_mid_run_keeps_the_history(server, page):
    server_url = server.url
    page.goto(f"{server_url}/{LONG}")
    wait_for_app(page, 120_000)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
    page.wait_for_function("() => /epoch [1-9][0-9]/.test(document.body.innerText)", timeout=120_000)
    early = page.screenshot()
    first_epoch = int(re.search(r"epoch (\d+)", status_text(page)).group(1))
    page.screenshot(path=str(ARTIFACTS / "lab-2-training.png"))
    time.sleep(2.0)
    later_epoch = int(re.search(r"epoch (\d+)", status_text(page)).group(1))
    assert later_epoch > first_epoch and page.screenshot() != early  # the page updates live
    # This architecture's first run compiles XLA in the background while it trains; a compile
    # cannot be cut short, so a Stop during it leaves the server busy until it ends (measured
    # 4 s on a loaded machine). Stop once the status no longer says so.
    page.wait_for_function("() => { const a = document.querySelector('[data-testid=\"stAlertContainer\"]');"
                           " return a && /epoch/.test(a.innerText) && !/compiling/.test(a.innerText); }",
                           timeout=120_000)
    started = time.perf_counter()
    # force: a real mouse click at the button without Playwright's "is it stable?" wait, which
    # counts animation frames and so waits long on a page that is busy redrawing charts.
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click(force=True)
    # The server stops training at once and its CPU falls back to idle. The page may take
    # longer to show it: it is still drawing the frames that were sent before the Stop.
    idle_after = seconds_until_idle(server.pid, 20)
    wait_for_app(page, 60_000)
    stopped_after = time.perf_counter() - started
    print(f"server idle {idle_after:.1f} s after the Stop click; page shows it after {stopped_after:.1f} s")
    text = status_text(page)
    page.screenshot(path=str(ARTIFACTS / "lab-5-stopped.png"), full_page=True)
    assert "Stopped" in text, text
    epoch = int(re.search(r"epoch (\d+)", text).group(1))
    assert 0 < epoch < 2000
    assert charts(page).count() >= 2  # the interrupted run's curves stay on screen
    # Issue 7 asks for 1 s; measured 0.9 s on a 2-core machine that also runs this Chromium.
    # Training stops at the next draw (< 0.1 s); the rerun that follows redraws every chart as
    # interactive Plotly. (It was 2.8 s while Streamlit's gc.collect after each run scanned all
    # of TensorFlow's objects: see core.runtime.freeze_imported_objects.) Margin for CI noise:
    assert idle_after < 2
    assert stopped_after < 10

    # Changing a setting mid-run stops the run as well, and its history stays on screen.
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Continue").click(force=True)
    wait_until_training(page, server.pid)
    seed = page.locator(".st-key-lab_seed input")
    if not seed.is_visible():  # the seed is folded into its group's "More" expander
        page.locator('[data-testid="stExpander"]').filter(has=seed).locator("summary").click()
    seed.fill("7")
    seed.press("Enter")
    idle_after_change = seconds_until_idle(server.pid, 20)
    wait_for_app(page, 60_000)
    print(f"server idle {idle_after_change:.1f} s after a setting changed mid-run")
    text = status_text(page)
    assert "Stopped" in text, text
    assert charts(page).count() >= 2
    assert idle_after_change < 2


# An architecture no other test here trains, so this server has never compiled it; BatchNorm
# was the slowest case to compile (once 82 s to the first epoch under load).
NEW_ARCH = "lab?data=circle&n=300&hidden=5-7-3&bn=1&epochs=600&lang=en"
# Every animation frame: the status line's text, and whether the status and a chart (the data
# preview or a live frame) are on screen at all.
WATCH_JS = """() => {
  window.__watch = {texts: [], noStatus: 0, noChart: 0, frames: 0, finished: null};
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const poll = () => {
    const w = window.__watch;
    const alert = main.querySelector('[data-testid="stAlertContainer"]');
    const text = alert ? alert.innerText : '';
    if (text && text !== w.texts[w.texts.length - 1]) w.texts.push(text);
    if (w.finished === null && text.startsWith('Finished')) w.finished = performance.now();
    if (!w.texts.some(t => /epoch [1-9]/.test(t))) {
      w.frames += 1;
      if (!alert) w.noStatus += 1;
      if (!main.querySelector('img[data-chart], [data-testid="stPlotlyChart"]')) w.noChart += 1;
    }
    if (w.finished === null) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""


def test_a_never_compiled_architecture_trains_while_it_compiles(server, page):
    page.goto(f"{server.url}/{NEW_ARCH}")
    wait_for_app(page, 120_000)
    page.evaluate(WATCH_JS)
    started = time.perf_counter()
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Train").click()
    page.wait_for_function("() => window.__watch.texts.some(t => /epoch [1-9]/.test(t))", timeout=60_000)
    first_epoch = time.perf_counter() - started
    wait_for_app(page, 120_000)
    # From "Finished" on screen to the script being done: the final charts and the tabs.
    settled = page.evaluate("() => (performance.now() - window.__watch.finished) / 1000")
    watch = page.evaluate("() => window.__watch")
    idle_after = seconds_until_idle(server.pid, 20)
    final = status_text(page)
    print(f"first epoch on screen {first_epoch:.1f} s after Train; statuses {watch['texts'][:5]}; "
          f"page done {settled:.1f} s after it showed Finished; server idle {idle_after:.1f} s after that")
    assert "compiling" in " ".join(watch["texts"]) or "Finished" in final, watch["texts"]
    # The status line and the data preview stay on screen from the click to the first epoch
    # (Streamlit may show a frame or two between replacing one element and drawing the next).
    assert watch["noStatus"] <= 2 and watch["noChart"] <= 2, watch
    assert "Finished" in final and "epoch 600" in final, final
    assert idle_after < 2
