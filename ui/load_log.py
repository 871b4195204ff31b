"""The server's work for the load benchmark (bench.classroom_load), when KERAS_LENS_LOAD_LOG=1:
one stderr line of totals after each script run and each training run, over all sessions:

    keras-lens-load frames= frame_s= frame_cpu_s= turns= turn_s= turn_cpu_s= runs= run_cpu_s= helper_turns=
    helper_later_turns=

frame_s and turn_s are wall seconds (drawing live frames, training in turns); the *_cpu_s are
CPU seconds of the threads doing it (time.thread_time: less sensitive to other load); runs and
run_cpu_s count the script runs (every page open and click) and their whole CPU, the frames
and turns of a run included; helper_turns the first turns trained in the helper process
(core.training.helper), helper_later_turns the later turns trained there."""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager

LOAD_LOG_ENV = "KERAS_LENS_LOAD_LOG"
_lock = threading.Lock()
_runs = [0, 0.0]  # script runs, their CPU seconds


def enabled() -> bool:
    return os.environ.get(LOAD_LOG_ENV) == "1"


@contextmanager
def script_run():
    """Count the body (a whole script run) and log the totals after it."""
    if not enabled():
        yield
        return
    started = time.thread_time()
    try:
        yield
    finally:
        with _lock:
            _runs[0] += 1
            _runs[1] += time.thread_time() - started
        log()


def log() -> None:
    if not enabled():
        return
    from ui.fair_training import frame_budget, scheduler

    from core.training.helper import HELPER

    budget, sched = frame_budget(), scheduler()
    with _lock:
        runs, run_cpu = _runs
    print(f"keras-lens-load frames={budget.frames} frame_s={budget.total_seconds:.2f} "
          f"frame_cpu_s={budget.cpu_seconds:.2f} turns={sched.turns_run} turn_s={sched.turn_seconds_total:.2f} "
          f"turn_cpu_s={sched.turn_cpu_total:.2f} runs={runs} run_cpu_s={run_cpu:.2f} "
          f"helper_turns={HELPER.served} helper_later_turns={HELPER.later_served}", file=sys.stderr, flush=True)
