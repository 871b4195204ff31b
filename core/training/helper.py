"""A second interpreter for a crowded server: first turns of runs it has no free set for.

In a class of 30 pressing Train at once, everything the server does is Python on one
interpreter lock: 30 page runs, 30 first turns, 30 first frames and, for each architecture the
server has not traced yet, ~1.5 s of tracing (model, step, chunk, evaluation, snapshots). The
learners of new architectures saw epoch 1 last, 5-7 s after Train, and the second core could not
help.

So a crowded server (`_BUILDS.crowded()`: another session trains) hands such a run's first turn
to this helper process (core.training.loop, `Trainer._first_turn_in_helper`). The helper runs the
server's own first-turn code there (a set with its step traced, epoch 0 and the first chunk op by
op), and sends back the records (snapshots included) and the training state. The server's run
shows them at once and goes on from that state with its own set, traced outside the turns once
the other learners have their first epochs. Same code, same seeds, same numbers
(tests/unit/test_helper.py compares with the run trained in one process).

- Which runs: always one whose architecture has no set on the server; one whose sets are all in
  use (the default link's, in a class) while fewer than MAX_WAITING requests wait for the helper.
- Ahead: a page that opens with an architecture (core.training.ahead) has the helper build its
  set too, so that its first turns there take ~0.1-0.2 s. The helper keeps its sets (its own
  core.training.pool) and never traces more than the step.
- When: only where KERAS_LENS_HELPER=1 asks for it (`start_if_useful` says why it is off by
  default), with two cores or more and MIN_MEMORY_BYTES of memory. It starts with the server's
  TensorFlow import (ui.warmup), in its own process on another core. Not ready, gone, failed,
  or no answer within HELPER_WAIT_S: the run trains its first turn itself, as before.

Protocol: length-prefixed pickles over the child's stdin/stdout, (request id, payload); id 0 is
the child's "ready", ids < 0 ask for no reply.
"""

from __future__ import annotations

import itertools
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELPER_WAIT_S = 8.0
MAX_WAITING = 3  # first turns in the helper's line at once, at most
MAX_EARLY = 6  # preparations kept for the child while it starts (the newest)  # a first turn waited for this long at most, then the run builds its own set
_HEADER = struct.Struct("!Q")


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


class Helper:
    """The server's side: starts the child, sends first-turn requests, hands replies back."""

    def __init__(self):
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()  # one request written at a time
        self._proc: subprocess.Popen | None = None
        self._ids = itertools.count(1)
        self._replies: dict[int, list] = {}  # request id -> [event, reply]
        self._ready = threading.Event()
        self._early: list = []  # preparations asked for before the child was ready
        self._gone = threading.Event()
        self.served = 0

    def start(self) -> None:
        """Start the child process (once); it imports TensorFlow and says it is ready."""
        with self._lock:
            if self._proc is not None:
                return
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
            self._proc = subprocess.Popen([sys.executable, "-m", "core.training.helper"], cwd=ROOT, env=env,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            threading.Thread(target=self._read, name="helper-replies", daemon=True).start()

    def busy(self) -> bool:
        """MAX_WAITING first turns are waiting for it already (the server's own is sooner)."""
        with self._lock:
            return len(self._replies) >= MAX_WAITING

    def ready(self) -> bool:
        return self._ready.is_set() and not self._gone.is_set()

    def stop(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()

    def _read(self) -> None:
        proc = self._proc
        try:
            while (message := _receive(proc.stdout)) is not None:
                rid, reply = message
                if rid == 0:
                    with self._lock:
                        self._ready.set()
                        early, self._early = self._early, []
                    threading.Thread(target=lambda: [self._send(proc, r) for r in early], daemon=True).start()
                    continue
                with self._lock:
                    waiting = self._replies.pop(rid, None)
                if waiting is not None:
                    waiting[1] = reply
                    waiting[0].set()
        finally:
            self._gone.set()
            with self._lock:
                for waiting in self._replies.values():
                    waiting[0].set()
                self._replies.clear()

    def prepare(self, config, data, options: dict) -> bool:
        """Have the helper build `config`'s set (its step traced) before anyone presses Train:
        the page opened with it (core.training.ahead). No reply; False when not sent."""
        if self._proc is None:  # the app's default: no helper, nothing to build on a page's run
            return False
        request = (-1, ("prepare", _upload(config), config, data, options))
        with self._lock:
            proc = self._proc
            if proc is None or self._gone.is_set():
                return False
            if not self._ready.is_set():  # sent once it is (a class may open pages before)
                self._early = [*self._early[1 - MAX_EARLY:], request]
                return True
        return self._send(proc, request)

    def _send(self, proc, request) -> bool:
        try:
            with self._send_lock:
                _send(proc.stdin, request)
        except (OSError, ValueError):
            return False
        return True

    def first_turn(self, config, data, options: dict, epochs: int, on_wait=None, stopped=lambda: False,
                   poll: float = 0.5, wait_s: float = HELPER_WAIT_S):
        """(records, state, stop_reason) of a run's first turn trained in the helper, or None
        (not ready, gone, failed, stopped or past `wait_s`: the caller trains it itself)."""
        if not self.ready():
            return None
        event, rid = threading.Event(), next(self._ids)
        with self._lock:
            proc = self._proc
            if proc is None:
                return None
            self._replies[rid] = waiting = [event, None]
        # Not under `_lock`: a full pipe blocks until the child reads, and the child may be
        # writing a reply that the reader thread must take `_lock` to hand over.
        if not self._send(proc, (rid, ("first", _upload(config), config, data, options, epochs))):
            with self._lock:
                self._replies.pop(rid, None)
            return None
        started = told = time.perf_counter()
        try:
            while not event.wait(0.05):
                now = time.perf_counter()
                if stopped() or now - started > wait_s:
                    return None
                if on_wait is not None and now - told >= poll:
                    told = now
                    on_wait()
        finally:
            with self._lock:
                self._replies.pop(rid, None)
        reply = waiting[1]
        if not reply or reply[0] != "ok":
            if reply:
                print(f"keras-lens helper: {reply[1]}", file=sys.stderr, flush=True)
            return None
        self.served += 1
        return reply[1:]


def _upload(config):
    """The uploaded data set a config names (the helper has no registry of its own), or None."""
    from core.datasets import DATASETS, get_dataset

    return None if config.dataset in DATASETS else get_dataset(config.dataset)


HELPER = Helper()
HELPER_ENV = "KERAS_LENS_HELPER"  # "1": start it (where it can help); unset or "0": never
# The helper is a second TensorFlow process: measured ~560 MB at rest and ~850 MB after a class's
# first turns, on top of a server that peaks near 1.4 GB. Below this much memory (Streamlit
# Community Cloud gives an app 0.7-2.7 GB) it is not started: running out would stop the app.
MIN_MEMORY_BYTES = 3 * 2**30


def memory_limit() -> int:
    """The memory this process may use: the machine's, or its cgroup's limit if lower."""
    limit = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limit = min(limit, int(text))
    return limit


def start_if_useful() -> bool:
    """Start the helper when KERAS_LENS_HELPER=1 asks for it, on a machine with two cores or
    more (on one it would only share that core) and memory for it (MIN_MEMORY_BYTES).

    Off unless asked: measured on this project's 2-core machine with 30 learners, it halves the
    class's 95th-percentile wait for a first epoch but the whole class ends ~4 s later on
    average (its learners wait at epoch 1 for their server's own set) and the peak memory grows
    by ~0.9 GB (README, "What keeps a shared server quick")."""
    if os.environ.get(HELPER_ENV) != "1":
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2 or memory_limit() < MIN_MEMORY_BYTES:
        print(f"keras-lens helper: not started ({cores} core(s), {memory_limit() / 2**30:.1f} GiB)",
              file=sys.stderr, flush=True)
        return False
    HELPER.start()
    return True


# ---- the child ---------------------------------------------------------------------------------
def _first_turn(scheduler, config, data, options: dict, epochs: int):
    """The server's own first turn of a scheduled run (core.training.loop), here: a set with its
    step traced (or this process's set of the architecture), epoch 0 and the first chunk."""
    from core.training.loop import Trainer

    trainer = Trainer(config, data, hold=False, **options)
    trainer._trace_later = lambda: None  # its set stays traced for its step: later requests of it are quick
    trainer.scheduled = scheduler.join()
    run = trainer.run(epochs)
    try:
        for record in run:
            if record.epoch >= 1 or not record.finite:
                break
        reason = trainer.stop_reason  # early stopping's, if it ended the run (closing adds "interrupted")
    finally:
        run.close()  # parks the set: the state is copied out
        trainer.scheduled.leave()
    return "ok", trainer.history, trainer._lease.state, reason


def _prepare(config, data, options: dict):
    """This architecture's set with its step traced, in this process's pool (if it has none)."""
    from core.training.loop import Trainer

    trainer = Trainer(config, data, hold=False, **options)
    trainer._lease.prepare_outside_turn(trainer._traced_set, 1)
    return ("ok",)


def serve(stdin=None, stdout=None) -> None:
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the protocol's stream
    from core.runtime import configure_tensorflow, freeze_imported_objects

    configure_tensorflow()
    import keras  # noqa: F401

    from core.datasets import _MAX_UPLOADS, _UPLOADS
    from core.training.pool import _BUILDS
    from core.training.scheduler import Scheduler

    freeze_imported_objects()
    _BUILDS.crowded = lambda: False  # this process serves one first turn at a time
    scheduler = Scheduler(workers=1)
    from core.config import ExperimentConfig
    from core.datasets import make_split

    warm = ExperimentConfig()  # the first turn's one-time costs (imports, first calls), before any learner's
    _first_turn(scheduler, warm, make_split(warm.dataset, warm.n_samples, warm.noise, warm.val_split, warm.seed,
                                            warm.features), {}, 1)
    _send(stdout, (0, "ready"))
    while (message := _receive(stdin)) is not None:
        rid, (kind, upload, *request) = message
        try:
            if upload is not None:
                _UPLOADS[upload.name] = upload
                while len(_UPLOADS) > _MAX_UPLOADS:
                    _UPLOADS.popitem(last=False)
            reply = _first_turn(scheduler, *request) if kind == "first" else _prepare(*request)
        except Exception as exc:  # noqa: BLE001 - the server trains it itself
            reply = ("error", f"{type(exc).__name__}: {exc}")
        if rid > 0:
            _send(stdout, (rid, reply))


if __name__ == "__main__":
    serve()
