"""Does bench.classroom_load's protocol client make the server do what browsers make it do?
One `streamlit run` server; in rounds (default: pccppccp, p = protocol, c = Chromium, so that a
drift in the machine's load falls on both alike) three learners open the Training Lab's default
link and press Train at once, either as bench.streamlit_client sessions or as three Chromium
pages (one browser, a fresh context each, all clicking at one moment of the machine's clock).

Every learner is timed from what the server sends, its status line (an alert element), by one
function (`run_times`): first epoch = Train -> the first status line naming epoch >= 1; done =
Train -> the first one saying Finished (or Diverged). Twice:
  client  the protocol client times a line when its message is parsed (perf_counter); a page
          when the line is in the DOM (a MutationObserver; Train when its click() runs);
          `--network` also times the page's messages at Chromium's network service (DevTools);
  server  the server runs under bench.server_clock, which logs when each session's Train request
          arrived and when its script handed each status line over to be sent.
The last lines compare the server's times: a browser's own lag (its rendering, or a starved
browser reading its websocket late) is not the server's, and it shows as client - server.
The protocol client's client and server times agree to ~10 ms.

Two warm-up classes (protocol, not counted) come first: the compiled sets for three concurrent
runs of the default model exist, and their background XLA compiles are over.

`--split-cores` runs the server on core 0 (`taskset -c 0`) and this process, with the browser and
Playwright's driver it starts, on core 1: the browsers' rendering does not take the server's CPU
(in a classroom the browsers are on the learners' machines), but they have one core for three.

The last lines are exactly `protocol_first_epoch_s=`, `chromium_first_epoch_s=`,
`protocol_done_s=`, `chromium_done_s=` (the server's times, medians over all learners of all
rounds), `ratio_first=`, `ratio_done=` (chromium / protocol) and `within_20pct=<yes|no>`.

Usage: python -m bench.classroom_crosscheck [--learners 3] [--epochs 300] [--rounds pccppccp]
       [--warmup pp] [--settle 1] [--split-cores] [--network]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import psutil  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench import server_clock  # noqa: E402
from bench.classroom_load import DIVERGED, FINISHED, classroom, fmt  # noqa: E402
from bench.streamlit_client import StreamlitSession, first_epoch_at  # noqa: E402
from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS, wait_for_app  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402

TRAIN = '[data-testid="stMainBlockContainer"] button'
# Every alert's text, each time it changes, with performance.now(): what the protocol client
# records from each alert delta, read in the DOM as soon as React has put it there.
OBSERVER_JS = """() => {
  const lens = window.__xcheck = {statuses: [], clicked: null, last: []};
  const read = () => {
    const now = performance.now();
    document.querySelectorAll('[data-testid="stAlertContainer"]').forEach((el, i) => {
      const text = el.innerText.trim();
      if (text && text !== lens.last[i]) { lens.last[i] = text; lens.statuses.push([now, text]); }
    });
  };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
# Every page clicks Train at the same moment of the machine's clock (Date.now() is shared by the
# pages; one page.evaluate after another would spread the clicks over a few hundred ms).
CLICK_JS = """(at) => { setTimeout(() => { window.__xcheck.clicked = performance.now();
  [...document.querySelectorAll('%s')].find(b => b.innerText.includes('Train')).click(); },
  Math.max(0, at - Date.now())); }""" % TRAIN


@dataclass
class Result:
    round: int
    client: str  # "protocol" or "chromium"
    learner: int | str  # the learner's number (client side) or its session id (server side)
    first_epoch_s: float | None
    done_s: float | None
    errors: list[str] = field(default_factory=list)
    side: str = "client"  # or "server": bench.server_clock's times, Train request -> status handed over
    net_first_s: float | None = None  # chromium only: the same two, as its network service saw the
    net_done_s: float | None = None    # messages (Train's request sent -> the status message arrived)


def run_times(statuses: list[tuple[float, str]], clicked: float) -> tuple[float | None, float | None]:
    """(Train -> first status naming epoch >= 1, Train -> first Finished/Diverged status), in
    the unit of the times given; None for what never came after `clicked`."""
    epoch = first_epoch_at(statuses, clicked)
    done = next((at for at, text in statuses if at >= clicked and text.startswith(FINISHED + DIVERGED)), None)
    return (None if epoch is None else epoch - clicked), (None if done is None else done - clicked)


def cdp_frames(context, page, base: str) -> dict:
    """The page's websocket messages as Chromium's network service timed them (DevTools protocol,
    seconds on one clock), read by the protocol client's own reader: {"page": its PageState,
    "train_sent": [times the page sent a rerun that presses Train]}."""
    reader = StreamlitSession(base)  # never connected: only its message handling is used
    frames = {"page": reader.page, "train_sent": []}
    cdp = context.new_cdp_session(page)

    def payload(event) -> bytes | None:
        response = event["response"]
        return base64.b64decode(response["payloadData"]) if response["opcode"] == 2 else None

    def received(event):
        data = payload(event)
        if data is not None:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            reader._handle(msg, event["timestamp"])

    def sent(event):
        data = payload(event)
        if data is None:
            return
        msg = BackMsg()
        msg.ParseFromString(data)
        widgets = msg.rerun_script.widget_states.widgets if msg.WhichOneof("type") == "rerun_script" else []
        if any(w.id.endswith("-lab_train") and w.trigger_value for w in widgets):
            frames["train_sent"].append(event["timestamp"])

    cdp.on("Network.webSocketFrameReceived", received)
    cdp.on("Network.webSocketFrameSent", sent)
    cdp.send("Network.enable")
    return frames


def link(base: str, epochs: int) -> str:
    """bench.classroom_load's default link (classroom() builds the same query)."""
    return f"{base}/lab?lang=en&epochs={epochs}"


def protocol_round(base: str, number: int, n: int, epochs: int, timeout: float,
                   settle: float) -> list[Result]:
    """n protocol learners press Train at once (bench.classroom_load.classroom, default link)."""
    learners, _ = asyncio.run(classroom(base, n, epochs, timeout, mix=False, settle=settle))
    results = []
    for x in learners:
        statuses = x.session.page.statuses if x.session is not None else []
        first, done = run_times(statuses, x.clicked_at) if x.clicked_at is not None else (None, None)
        results.append(Result(number, "protocol", x.index, first, done, list(x.errors)))
    return results


def chromium_round(browser, base: str, number: int, n: int, epochs: int, timeout: float,
                   settle: float, network: bool = False) -> list[Result]:
    """n Chromium pages, a fresh context each, press Train at once."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(n)]
    pages = [context.new_page() for context in contexts]
    network = [cdp_frames(context, page, base) if network else None for context, page in zip(contexts, pages)]
    try:
        for page in pages:
            page.goto(link(base, epochs))
        for page in pages:
            wait_for_app(page, 180_000)
            page.evaluate(OBSERVER_JS)
        time.sleep(settle)
        at = time.time() * 1000 + 200 * n  # ms: time enough to arm every page
        for page in pages:
            page.evaluate(CLICK_JS, at)
        ended = "([done]) => window.__xcheck.statuses.some(([, t]) => done.some(d => t.startsWith(d)))"
        deadline = time.perf_counter() + timeout
        done = [False] * n
        while not all(done) and time.perf_counter() < deadline:
            done = [d or page.evaluate(ended, [list(FINISHED + DIVERGED)]) for d, page in zip(done, pages)]
            time.sleep(0.25)
        results = []
        for i, page in enumerate(pages):
            lens = page.evaluate("() => window.__xcheck")
            clicked = lens["clicked"] / 1000
            first, finished = run_times([(at / 1000, text) for at, text in lens["statuses"]], clicked)
            errors = [] if done[i] else ["timeout"]
            errors += ["exception"] * page.locator('[data-testid="stException"]').count()
            result = Result(number, "chromium", i, first, finished, errors)
            if network[i] and network[i]["train_sent"]:
                result.net_first_s, result.net_done_s = run_times(network[i]["page"].statuses,
                                                                  network[i]["train_sent"][0])
            results.append(result)
        return results
    finally:
        for context in contexts:
            context.close()


class ServerClock:
    """The server's own times of each session's run (bench.server_clock lines in its log), read
    round by round."""

    def __init__(self, log: Path):
        self.log, self.offset = log, 0

    def mark(self) -> None:
        self.offset = self.log.stat().st_size

    def results(self, number: int, client: str) -> list[Result]:
        with open(self.log, errors="replace") as f:
            f.seek(self.offset)
            sessions = server_clock.parse(f)
        out = []
        for session, (train, statuses) in sessions.items():
            if train is not None:
                out.append(Result(number, client, session[:8], *run_times(statuses, train), side="server"))
        return out


def server_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds so far of the server's main thread (its event loop: the websockets) and of all
    its other threads (script runs, TensorFlow)."""
    process = psutil.Process(pid)
    main = sum(t.user_time + t.system_time for t in process.threads() if t.id == pid)
    total = process.cpu_times()
    return main, total.user + total.system - main


def median(values: list[float | None]) -> float:
    kept = [v for v in values if v is not None]
    return statistics.median(kept) if kept else float("nan")


def summary(results: list[Result], side: str = "server") -> dict[str, float]:
    """Medians per client over all rounds, and chromium/protocol ratios, of one side's times."""
    out = {}
    for client in ("protocol", "chromium"):
        mine = [r for r in results if r.client == client and r.side == side]
        out[f"{client}_first_epoch_s"] = median([r.first_epoch_s for r in mine])
        out[f"{client}_done_s"] = median([r.done_s for r in mine])
    out["ratio_first"] = out["chromium_first_epoch_s"] / out["protocol_first_epoch_s"]
    out["ratio_done"] = out["chromium_done_s"] / out["protocol_done_s"]
    return out


def within(ratios: list[float], tolerance: float = 0.2) -> bool:
    return all(abs(r - 1) <= tolerance for r in ratios)  # False for NaN


def report(results: list[Result]) -> None:
    print("client: Train -> status line as the learner's client got it (Chromium: in the DOM; net: at its "
          "network service, --network); server: Train request arrived -> status line handed over")
    print(f"{'round':>5} {'client':9} {'side':6} {'learner':>8} {'epoch1':>7} {'done':>7} "
          f"{'net1':>6} {'net':>6} errors")
    for r in sorted(results, key=lambda r: (r.round, r.side)):
        net = f"{fmt(r.net_first_s):>6} {fmt(r.net_done_s):>6}" if r.net_first_s or r.net_done_s else " " * 13
        print(f"{r.round:>5} {r.client:9} {r.side:6} {r.learner:>8} {fmt(r.first_epoch_s):>7} "
              f"{fmt(r.done_s):>7} {net} {'; '.join(r.errors)}")
    seen = summary(results, "client")
    print("as the clients saw it: " + " ".join(f"{key}={value:.2f}" for key, value in seen.items()))
    s = summary(results, "server")
    print("as the server timed it (the lines below):")
    for key in ("protocol_first_epoch_s", "chromium_first_epoch_s", "protocol_done_s", "chromium_done_s",
                "ratio_first", "ratio_done"):
        print(f"{key}={s[key]:.2f}" if key.endswith("_s") else f"{key}={s[key]:.3f}")
    print(f"within_20pct={'yes' if within([s['ratio_first'], s['ratio_done']]) else 'no'}")


def run_rounds(args, base: str, server, clock: ServerClock) -> list[Result]:
    """The warm-up rounds, then the counted ones, in order; one line of progress each."""
    results: list[Result] = []
    with ThreadPoolExecutor(1) as worker, sync_playwright() as p:
        started = time.perf_counter()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for number, kind in enumerate(args.warmup + args.rounds, start=1 - len(args.warmup)):
            time.sleep(args.pause if number > 1 - len(args.warmup) else 0)
            cpu = server_cpu(server.pid)
            clock.mark()
            if kind == "p":  # asyncio.run in its own thread: sync Playwright owns this one's loop
                done = worker.submit(protocol_round, base, number, args.learners, args.epochs,
                                     args.timeout, args.settle).result()
            else:
                done = chromium_round(browser, base, number, args.learners, args.epochs,
                                      args.timeout, args.settle, args.network)
            if number > 0:
                results += done + clock.results(number, done[0].client)
            main_s, others_s = (b - a for a, b in zip(cpu, server_cpu(server.pid)))
            print(f"round {number} ({kind}{', warm-up' if number <= 0 else ''}) over after "
                  f"{time.perf_counter() - started:.0f} s: median done "
                  f"{fmt(median([r.done_s for r in done]))} s; server CPU {main_s:.2f} s event loop, "
                  f"{others_s:.2f} s other threads", flush=True)
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--rounds", default="pccppccp",
                        help="p = a protocol round, c = a Chromium round, in order")
    parser.add_argument("--warmup", default="pp", help="rounds first, not counted")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds between pages open and Train")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--split-cores", action="store_true",
                        help="server on core 0, this process and the browser on core 1")
    parser.add_argument("--network", action="store_true",
                        help="also time Chromium's messages at its network service (costs client CPU)")
    args = parser.parse_args()
    if args.split_cores:  # inherited by Playwright's driver and the browser it launches
        os.sched_setaffinity(0, {1})
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"keras-lens-xcheck-{port}.log"
    server = start_server(port, log, prefix=[*(["taskset", "-c", "0"] if args.split_cores else []),
                                             sys.executable, "-m", "bench.server_clock"])
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    try:
        wait_healthy(port, timeout=120)
        results = run_rounds(args, f"http://127.0.0.1:{port}", server, ServerClock(log))
    finally:
        stop_server(server)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
          f"{' (split cores: server on 0, clients on 1)' if args.split_cores else ''}")
    report(results)


if __name__ == "__main__":
    main()
