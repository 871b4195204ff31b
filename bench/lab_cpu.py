"""The server's CPU per Lab rerun and per live frame, measured in the script thread.

A learner's Lab runs are Streamlit script runs in threads of one server process, so their
Python work is serialised by the GIL: this measures the CPU seconds (time.thread_time) of the
script thread for
  open   the Lab's whole script run when a learner opens it (entry file + page; modules and
         caches already warm, as for the 2nd..30th learner of a class),
  train  the rerun after Train is pressed, up to the end of the first drawn trained epoch
         (split into training in turns, live frames and the rest of the script),
  frame  one live redraw (LabViews.draw while live), by kind: the curves and status only;
         with the boundary and the network; with the projections and gradients too,
  end    the rest of the Train rerun after the last epoch (the final interactive views, tabs),
  rerun  a later run of the page with the finished run on screen (any click: a control, a tab's toggle).
AppTest runs the scripts (tests/app/conftest.py); the protobuf work of sending deltas over the
websocket (the server's event loop thread) is not in these numbers.

Usage: python -m bench.lab_cpu [--repeat 3] [--epochs 200] [--profile open|train|frame|end]
       [--query "hidden=8-8-8-8&act=sigmoid"] [--sort tottime] [--lines 30]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import threading
import time
from collections import defaultdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


class Meter:
    """Thread CPU of the script runs, the live frames and the training steps, per phase."""

    def __init__(self, profile: str | None):
        self.profile_phase = profile
        self.profiler = cProfile.Profile(time.thread_time) if profile else None  # CPU, not waits
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.local = threading.local()
        self.phase = "open"

    def _prof(self, phase: str, on: bool) -> None:
        if self.profiler is not None and phase == self.profile_phase:
            (self.profiler.enable if on else self.profiler.disable)()

    def install(self) -> None:
        from streamlit.runtime.scriptrunner import script_runner
        from ui import live_training

        meter, run_script, draw = self, script_runner.ScriptRunner._run_script, live_training.LabViews.draw

        def timed_run(runner, rerun_data):
            local = meter.local
            local.start, local.first_epoch, local.frames_s, local.last_epoch_end = time.thread_time(), None, 0.0, None
            meter._prof(meter.phase, True)
            try:
                return run_script(runner, rerun_data)
            finally:
                meter._prof(meter.phase, False)
                meter._prof("end", False)
                total = time.thread_time() - local.start
                if meter.phase == "train" and local.first_epoch is not None:
                    meter.samples["train"].append(local.first_epoch)
                    meter.samples["train: frames"].append(local.first_frames)
                    meter.samples["end"].append(total - local.last_epoch_end)
                elif meter.phase in ("open", "rerun"):
                    meter.samples[meter.phase].append(total)

        def timed_draw(views, trainer, log_y, live=True):
            local = meter.local
            if not live:  # the final views: the rest of the run is "end"
                local.last_epoch_end = time.thread_time() - local.start
                meter._prof("train", False)
                meter._prof("end", True)
                return draw(views, trainer, log_y, live)
            before = (views._last_boundary, views._last_projection)
            meter._prof("frame", True)
            started = time.thread_time()
            try:
                return draw(views, trainer, log_y, live)
            finally:
                spent = time.thread_time() - started
                meter._prof("frame", False)
                local.frames_s += spent
                kind = ("frame: curves+boundary+projections" if views._last_projection != before[1]
                        else "frame: curves+boundary" if views._last_boundary != before[0] else "frame: curves")
                meter.samples[kind].append(spent)
                meter.samples["frame: all"].append(spent)
                if local.first_epoch is None and trainer.history and trainer.history[-1].epoch >= 1:
                    local.first_epoch = time.thread_time() - local.start
                    local.first_frames = local.frames_s
                    if meter.phase == "train":
                        meter._prof("train", False)

        script_runner.ScriptRunner._run_script = timed_run
        live_training.LabViews.draw = timed_draw

    def time_functions(self, names: list[str]) -> None:
        """Also time these functions ("module:function" or "module:Class.method"), per call."""
        import importlib

        for name in names:
            module_name, attr = name.split(":")
            owner = importlib.import_module(module_name)
            *path, leaf = attr.split(".")
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, leaf, self._timed(name, getattr(owner, leaf)))

    def _timed(self, name: str, fn):
        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.samples[f"fn {name} ({self.phase})"].append(time.thread_time() - started)
        return timed


def one_learner(meter: Meter, query: dict[str, str]) -> None:
    from tests.app.conftest import app

    at = app(timeout=300)
    at.query_params = dict(query)
    meter.phase = "home"
    at.run()
    at.switch_page("pages/lab.py")
    meter.phase = "open"
    at.run()
    meter.phase = "train"
    at.button(key="lab_train").click().run()
    assert not at.exception, at.exception
    meter.phase = "rerun"  # any later click with the run on screen (a control moved, a tab's toggle)
    at.run()
    meter.phase = "idle"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--query", default="", help="more of the link, e.g. hidden=8-8-8-8&act=sigmoid")
    parser.add_argument("--profile", choices=("open", "train", "frame", "end", "rerun"))
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--time", default="", help="module:function,... timed per call too")
    parser.add_argument("--only", default="", help="a regular expression: only functions whose file matches")
    args = parser.parse_args()
    query = {"lang": "en", "epochs": str(args.epochs)}
    query.update(dict(item.split("=", 1) for item in args.query.split("&") if item))
    meter = Meter(args.profile)
    meter.install()
    meter.time_functions([name for name in args.time.split(",") if name])
    one_learner(meter, query)  # warm: imports, TensorFlow, the model pool (the teacher's demo)
    meter.samples.clear()
    if meter.profiler is not None:
        meter.profiler = cProfile.Profile(time.thread_time)
    for _ in range(args.repeat):
        one_learner(meter, query)
    print(f"load average {os.getloadavg()[0]:.2f}; CPU ms of the script thread (median, n)")
    for name in sorted(meter.samples):
        values = meter.samples[name]
        print(f"  {name:38} {1000 * statistics.median(values):8.1f} ms  (n={len(values)}, "
              f"mean {1000 * statistics.fmean(values):.1f})")
    if meter.profiler is not None:
        stats = pstats.Stats(meter.profiler).sort_stats(args.sort)
        stats.print_stats(*([args.only] if args.only else []), args.lines)


if __name__ == "__main__":
    main()
