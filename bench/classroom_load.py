"""A classroom at once, measured at the server: N simulated learners speak Streamlit's own
websocket protocol (bench.streamlit_client) to one `streamlit run` server on loopback, so that
30 learners cost the client side little CPU and the figures are the server's.

Each learner opens the Training Lab from a link, reads the Train button's widget id from the
page's deltas and, together with everyone else, presses Train. The mix: 70 % the default link,
30 % other architectures (a deep sigmoid net, BatchNorm, residual skips, a CSV file uploaded
through the Lab's file uploader and used as the data set). Per learner:
page open -> title; Train -> first live curves frame; Train -> first trained epoch (a status
line naming epoch >= 1); Train -> run finished; errors (an exception element, a disconnect, a
timeout, a run that never says it finished). The server's RSS (with children) is sampled.

Before the class, one learner trains the default link alone: `solo_run_s` (Train -> finished).
That first run also pays for importing TensorFlow and compiling the default model, as a
teacher's demonstration does before the class presses Train.

The server starts its helper process (core.training.helper) as the app does by default where
it can help (two cores, 3 GiB): a crowded server's runs with no free set train there. Its peak
RSS is counted with the server's. The app starts it a few seconds after a fresh server's first
visitor (ui.warmup), so the class waits for it after the solo run (HELPER_WAIT_S at most; a
teacher who opened the app for the lesson's start has it); `--helper 0` measures the server
without it, which is also what a class meets that comes sooner.

The last lines are exactly `learners=<n>`, `errors=<n>`, `p95_first_epoch_s=<s>`,
`all_done_s=<s>`, `peak_rss_mb=<mb>` and `solo_run_s=<s>`.

Usage: python -m bench.classroom_load [--learners 30] [--epochs 200] [--timeout 600]
       [--taskset 0] [--no-solo] [--all-default] [--settle 0] [--helper 0]
       [--url http://host:port  (an already running server or proxy; no RSS)]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import websockets

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.server_watch import PeakRss, rss_mb  # noqa: E402
from bench.streamlit_client import StreamlitSession, first_epoch_at  # noqa: E402
from core.i18n import t  # noqa: E402
from scripts.server import free_port, start_server, stop_server, wait_healthy  # noqa: E402

LOAD_LOG_ENV = "KERAS_LENS_LOAD_LOG"  # ui.load_log logs drawing, training and script-run totals

# (name, the link's query string besides lang and epochs): the architectures of the mix.
DEFAULT_LINK = ("default", "")
OTHER_LINKS = (
    ("deep-sigmoid", "hidden=8-8-8-8-8-8&act=sigmoid"),
    ("batchnorm", "bn=1"),
    ("skips", "hidden=8-8-8-8&skip=1"),
    ("csv-upload", ""),  # the default link, then a CSV file uploaded and used (upload_csv)
)
CSV_NAME = "class.csv"
HELPER_WAIT_S = 30.0  # for the server's helper process to say it is ready, after the solo run
FINISHED = tuple(t("lab.status.finished", lang) for lang in ("en", "ko"))
DIVERGED = tuple(t("lab.status.diverged", lang).split(":")[0] for lang in ("en", "ko"))
WAITING = tuple(t("lab.status.waiting", lang, ahead=0).split("(")[0].strip() for lang in ("en", "ko"))


def csv_content(rows: int = 400, seed: int = 0) -> bytes:
    """Two numeric features and a class: two overlapping blobs, the same file every time."""
    import numpy as np

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    points = rng.normal(0, 1, (rows, 2)) + np.where(labels[:, None] == 1, 1.2, -1.2)
    lines = ["x1,x2,label"] + [f"{x:.4f},{y:.4f},{c}" for (x, y), c in zip(points, labels)]
    return ("\n".join(lines) + "\n").encode()


async def upload_csv(session: StreamlitSession) -> None:
    """Upload CSV_NAME in the Lab's uploader, keep the proposed target (the last column) and
    press "Use this file"; returns once the page shows the run with the new data set."""
    page = session.page
    completed = page.runs_completed
    await session.upload("lab_csv", CSV_NAME, csv_content())
    offered = lambda: page.runs_completed > completed and session.button_id("lab_csv_use")  # noqa: E731
    if not await session.wait_for(offered):
        raise LookupError("the uploaded file was not offered for use")
    completed = page.runs_completed
    await session.press("lab_csv_use")
    if not await session.wait_for(lambda: page.runs_completed > completed):
        raise TimeoutError("the page did not come back after using the file")


def link_for(index: int, mix: bool = True) -> tuple[str, str]:
    """Three learners in every ten follow another architecture's link (or upload a CSV file), the
    rest the default."""
    if mix and index % 10 in (3, 6, 9):
        return OTHER_LINKS[(index // 3) % len(OTHER_LINKS)]
    return DEFAULT_LINK


@dataclass
class Learner:
    index: int
    link: str
    query: str
    open_s: float | None = None
    first_frame_s: float | None = None
    first_epoch_s: float | None = None
    finished_s: float | None = None
    waited: bool = False
    clicked_at: float | None = None  # perf_counter() of the Train click and of the run's end
    ended_at: float | None = None
    errors: list[str] = field(default_factory=list)
    replicas: list[str] = field(default_factory=list)
    session: StreamlitSession | None = None


async def open_lab(base: str, learner: Learner, timeout: float) -> None:
    session = learner.session = StreamlitSession(base, timeout)
    try:
        sent = await session.open("lab", learner.query)
        if not await session.wait_for(lambda: session.page.runs_finished >= 1 and session.button_id("lab_train")):
            learner.errors.append("page did not open")
        if session.page.title_at is not None:
            learner.open_s = session.page.title_at - sent
        if learner.link == "csv-upload" and not learner.errors:
            await upload_csv(session)
    except (OSError, LookupError, TimeoutError, asyncio.TimeoutError) as exc:
        learner.errors.append(f"open: {type(exc).__name__}: {exc}")


async def press_train(learner: Learner, timeout: float) -> None:
    """Press Train and follow the run to its end."""
    session = learner.session
    if learner.errors or session is None:
        return
    page = session.page
    finished_runs = page.runs_finished
    try:
        clicked = learner.clicked_at = await session.press("lab_train")
    except (websockets.ConnectionClosed, OSError) as exc:
        learner.errors.append(f"disconnected before Train: {type(exc).__name__}")
        return

    def ended() -> list[float]:
        return [at for at, text in page.statuses if at >= clicked and text.startswith(FINISHED + DIVERGED)]

    if not await session.wait_for(lambda: bool(ended()) and page.runs_finished > finished_runs, timeout):
        learner.errors.append("disconnected" if session.closed_by_server else "timeout")
    ends = ended()
    learner.ended_at = ends[0] if ends else None
    learner.finished_s = ends[0] - clicked if ends else None
    epoch_at = first_epoch_at(page.statuses, clicked)
    learner.first_epoch_s = epoch_at - clicked if epoch_at is not None else None
    frames = [at for at in page.frames if at >= clicked]
    learner.first_frame_s = frames[0] - clicked if frames else None
    learner.waited = any(at >= clicked and text.startswith(WAITING) for at, text in page.statuses)
    if ends and any(at >= clicked and text.startswith(DIVERGED) for at, text in page.statuses):
        learner.errors.append("diverged")
    if learner.first_epoch_s is None:
        learner.errors.append("no trained epoch")
    learner.errors += page.exceptions
    learner.replicas = list(session.replicas)


async def classroom(base: str, n: int, epochs: int, timeout: float, first: int = 0,
                    mix: bool = True, settle: float = 0.0) -> tuple[list[Learner], float]:
    """Open the Lab for `n` learners, then press Train for all of them at once. Returns the
    learners and the seconds from the first click to the last run's end."""
    learners = []
    for i in range(first, first + n):
        name, query = link_for(i, mix)
        learners.append(Learner(i, name, "&".join(q for q in (f"lang=en&epochs={epochs}", query) if q)))
    await asyncio.gather(*(open_lab(base, learner, timeout) for learner in learners))
    await asyncio.sleep(settle)
    await asyncio.gather(*(press_train(learner, timeout) for learner in learners))
    clicks = [x.clicked_at for x in learners if x.clicked_at is not None]
    ends = [x.ended_at for x in learners]
    total = math.inf if None in ends or not clicks else max(ends) - min(clicks)
    for learner in learners:  # the proxy test reads the replica after the run too
        if learner.session is not None:
            try:
                await learner.session.http_get("/_stcore/health")
            except OSError as exc:
                learner.errors.append(f"health after run: {exc}")
            learner.replicas = list(learner.session.replicas)
            await learner.session.close()
    return learners, total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def fmt(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f}"


def report(learners: list[Learner]) -> None:
    print(f"{'#':>3} {'link':13} {'open':>7} {'frame':>7} {'epoch1':>7} {'done':>7} waited errors")
    for x in learners:
        print(f"{x.index:>3} {x.link:13} {fmt(x.open_s):>7} {fmt(x.first_frame_s):>7} {fmt(x.first_epoch_s):>7} "
              f"{fmt(x.finished_s):>7} {'yes' if x.waited else 'no':6} {'; '.join(x.errors)}")
    done = [x.finished_s for x in learners if x.finished_s is not None]
    frames = [x.first_frame_s for x in learners if x.first_frame_s is not None]
    print(f"p50_open_s={percentile([x.open_s for x in learners if x.open_s is not None], 0.5):.2f} "
          f"p50_first_frame_s={percentile(frames, 0.5):.2f} p50_done_s={percentile(done, 0.5):.2f} "
          f"waited={sum(x.waited for x in learners)}")


def load_totals(log: Path | None) -> dict[str, float]:
    """The server's last `keras-lens-load` line (ui.load_log, KERAS_LENS_LOAD_LOG=1): the
    seconds spent drawing live frames and training in turns, and the CPU seconds of script runs,
    frames and turns, summed over all runs so far."""
    if log is None or not log.exists():
        return {}
    text = log.read_text(errors="replace")
    lines = [line for line in text.splitlines() if line.startswith("keras-lens-load ")]
    if not lines:
        return {}
    return {key: float(value) for key, value in (item.split("=") for item in lines[-1].split()[1:])}


def report_work(before: dict[str, float], after: dict[str, float], n: int) -> None:
    """Drawing vs training on the server during the class, per learner."""
    if not after:
        return
    spent = {key: after[key] - before.get(key, 0.0) for key in after}
    frames, turns = max(1.0, spent["frames"]), max(1.0, spent["turns"])
    print(f"server work per learner: drawing {spent['frame_s'] / n:.2f} s "
          f"in {spent['frames'] / n:.0f} frames "
          f"({1000 * spent['frame_s'] / frames:.0f} ms each), training {spent['turn_s'] / n:.2f} s in "
          f"{spent['turns'] / n:.0f} turns ({1000 * spent['turn_s'] / turns:.0f} ms each); "
          f"drawing/training {spent['frame_s'] / max(1e-9, spent['turn_s']):.2f}")
    if "helper_turns" in spent:
        print(f"first turns trained in the helper process: {spent['helper_turns']:.0f} of {n}; "
              f"later turns there: {spent.get('helper_later_turns', 0.0):.0f}")
    if "run_cpu_s" in spent:  # CPU seconds (thread time): less sensitive to the machine's other load
        runs = max(1.0, spent["runs"])
        print(f"server CPU per learner: script runs {spent['run_cpu_s'] / n:.2f} s in {spent['runs'] / n:.1f} runs "
              f"({1000 * spent['run_cpu_s'] / runs:.0f} ms each), of it live frames {spent['frame_cpu_s'] / n:.2f} s "
              f"({1000 * spent['frame_cpu_s'] / frames:.1f} ms each) and training turns "
              f"{spent['turn_cpu_s'] / n:.2f} s ({1000 * spent['turn_cpu_s'] / turns:.1f} ms each)")


async def helper_started(log: Path, timeout: float = HELPER_WAIT_S) -> str:
    """The server's line about its helper process (core.training.helper): "ready after <s> s"
    or "not started (...)"; waited for, `timeout` s at most, from when the solo run ended. The
    app starts it a few seconds after a fresh server's first visitor (ui.warmup): a class that
    came sooner would train without it, as with `--helper 0`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        lines = [line for line in log.read_text(errors="replace").splitlines()
                 if line.startswith("keras-lens helper: ") and ("ready" in line or "not started" in line)]
        if lines:
            return lines[0].removeprefix("keras-lens helper: ")
        if asyncio.get_running_loop().time() > deadline:
            return f"not ready after {timeout:.0f} s more"
        await asyncio.sleep(0.2)


async def bench(base: str, args, pid: int | None, log: Path | None = None) -> None:
    solo = [Learner(0, "none", "")]
    if not args.no_solo:
        solo, _ = await classroom(base, 1, args.epochs, args.timeout)
        print(f"solo learner: open {fmt(solo[0].open_s)} s, run {fmt(solo[0].finished_s)} s {'; '.join(solo[0].errors)}")
    if log is not None and args.helper == "1":
        print(f"helper: {await helper_started(log)}", flush=True)
    if pid is not None:
        print(f"server RSS before the class {rss_mb(pid):.0f} MB", flush=True)
    work_before = load_totals(log)
    with PeakRss(pid) if pid is not None else nullcontext() as peak:
        learners, total = await classroom(base, args.learners, args.epochs, args.timeout, first=1,
                                          mix=not args.all_default, settle=args.settle)
    report(learners)
    report_work(work_before, load_totals(log), len(learners))
    firsts = [math.inf if x.first_epoch_s is None else x.first_epoch_s for x in learners]
    print(f"learners={len(learners)}")
    print(f"errors={sum(bool(x.errors) for x in learners)}")
    print(f"p95_first_epoch_s={percentile(firsts, 0.95):.2f}")
    print(f"all_done_s={total:.2f}")
    print(f"peak_rss_mb={peak.peak:.0f}" if peak is not None else "peak_rss_mb=nan")
    solo_s = solo[0].finished_s
    print(f"solo_run_s={solo_s:.2f}" if solo_s is not None else "solo_run_s=nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per learner and phase")
    parser.add_argument("--taskset", default="", help="run the server under `taskset -c CPU`")
    parser.add_argument("--no-solo", action="store_true",
                        help="no solo run first: the class meets a cold server (as bench.load_test does)")
    parser.add_argument("--all-default", action="store_true",
                        help="every learner follows the default link (as bench.load_test's pages do)")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds between the pages being open and the class pressing Train")
    parser.add_argument("--url", default="", help="use this running server (or proxy) instead of starting one")
    parser.add_argument("--helper", choices=("0", "1"), default="1",
                        help="KERAS_LENS_HELPER for the server: 0 never starts its helper process "
                             "(core.training.helper); 1, the app's default, where it can help")
    args = parser.parse_args()
    if args.url:
        asyncio.run(bench(args.url, args, None))
        return
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"keras-lens-class-{port}.log"
    server = start_server(port, log, env={LOAD_LOG_ENV: "1", "KERAS_LENS_HELPER": args.helper},
                          prefix=["taskset", "-c", args.taskset] if args.taskset else None)
    try:
        wait_healthy(port, timeout=120)
        asyncio.run(bench(f"http://127.0.0.1:{port}", args, server.pid, log))
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
