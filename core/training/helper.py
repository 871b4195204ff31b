"""A second interpreter for a crowded server: the runs it has no free set for.

In a class of 30 pressing Train at once, everything the server does is Python on one
interpreter lock: 30 page runs, 30 first turns, 30 first frames and, for each architecture the
server has not traced yet, ~1.5 s of tracing (model, step, chunk, evaluation, snapshots). The
learners of new architectures saw epoch 1 last, 5-7 s after Train, and the second core could not
help.

So a crowded server (`_BUILDS.crowded()`: another session trains) hands such a run's first turn
to this helper process (core.training.loop, `Trainer._first_turn_in_helper`). The helper runs the
server's own first-turn code there (a set with its step traced, epoch 0 and the first chunk op by
op), and sends back the records (snapshots included) and the training state. The server's run
shows them at once. Its later turns are trained there too (`Trainer._later_turn_in_helper`: one
time slice each, from the state the last one ended in, live changes included) until the server
has a free traced set of its architecture; then, or if the helper does not answer, the run goes
on in the server from the last state. Same code, same seeds, same numbers
(tests/unit/test_helper.py compares with the run trained in one process).

- Which runs: always one whose architecture has no set on the server; one whose sets are all in
  use (the default link's, in a class) while fewer than MAX_WAITING first turns wait for the
  helper. In the child, first turns go before later turns (`_Inbox`).
- Why later turns too: a helped run used to wait at epoch 1 for its own set on the server,
  traced once the others had their first epochs. Measured with 30 learners on 2 cores: the
  class ended 4-12 s later than without the helper; with its later turns here, no later
  (README, "What keeps a shared server quick").
- Ahead: a page that opens with an architecture (core.training.ahead) has the helper build its
  set too, so that its first turns there take ~0.1-0.2 s. The child traces the rest of a set
  (chunk and evaluation) at the run's first later turn, and compiles no XLA.
- When: by default where it can help (`start_if_useful`): two cores or more (a container's CPU
  quota counted) and MIN_MEMORY_BYTES of memory; KERAS_LENS_HELPER=0 turns it off. It starts a
  few seconds after the server's TensorFlow import (ui.warmup), in its own process on another
  core. Not ready, gone, failed, or no answer within HELPER_WAIT_S: the run trains the turn
  itself, as without it.

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
HELPER_WAIT_S = 8.0  # a turn waited for this long at most, then the run trains it itself
MAX_WAITING = 3  # first turns in the helper's line at once, at most
MAX_EARLY = 6  # preparations kept for the child while it starts (the newest)
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
        self._started_at = 0.0
        self.served = 0  # first turns trained in the child
        self.later_served = 0  # later turns trained there

    def start(self) -> None:
        """Start the child process (once); it imports TensorFlow and says it is ready."""
        with self._lock:
            if self._proc is not None:
                return
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
            self._started_at = time.perf_counter()
            self._proc = subprocess.Popen([sys.executable, "-m", "core.training.helper"], cwd=ROOT, env=env,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            threading.Thread(target=self._read, name="helper-replies", daemon=True).start()

    def busy(self) -> bool:
        """MAX_WAITING first turns are waiting for it already (the server's own is sooner;
        later turns go behind first turns there, so they are not counted)."""
        with self._lock:
            return sum(waiting[2] for waiting in self._replies.values()) >= MAX_WAITING

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
                    print(f"keras-lens helper: ready after {time.perf_counter() - self._started_at:.1f} s",
                          file=sys.stderr, flush=True)
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
                   poll: float = 0.5, wait_s: float = HELPER_WAIT_S, run_id: str | None = None):
        """(records, state, stop_reason) of a run's first turn trained in the helper, or None
        (not ready, gone, failed, stopped or past `wait_s`: the caller trains it itself). With
        `run_id` the helper keeps the run for its later turns (`later_turn`)."""
        got = self._ask(("first", _upload(config), config, data, options, epochs, run_id), on_wait, stopped,
                        poll, wait_s, first=True)
        if got is not None:
            self.served += 1
        return got

    def later_turn(self, run_id: str, config, epoch: int, target: int, restart: bool, on_wait=None,
                   poll: float = 0.5, wait_s: float = HELPER_WAIT_S):
        """(records, state, stop_reason) of the next turn (a time slice) of a run whose first
        turn the helper trained, from `epoch`, or None (the helper no longer has the run there,
        gone, failed, or past `wait_s`: the caller trains the rest itself, from the last state)."""
        got = self._ask(("later", None, run_id, config, epoch, target, restart), on_wait, lambda: False,
                        poll, wait_s)
        if got is not None:
            self.later_served += 1
        return got

    def _ask(self, request, on_wait, stopped, poll: float, wait_s: float, first: bool = False):
        if not self.ready():
            return None
        event, rid = threading.Event(), next(self._ids)
        with self._lock:
            proc = self._proc
            if proc is None:
                return None
            self._replies[rid] = waiting = [event, None, first]
        # Not under `_lock`: a full pipe blocks until the child reads, and the child may be
        # writing a reply that the reader thread must take `_lock` to hand over.
        if not self._send(proc, (rid, request)):
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
            if reply and reply[0] == "error":
                print(f"keras-lens helper: {reply[1]}", file=sys.stderr, flush=True)
            return None
        return reply[1:]


def _upload(config):
    """The uploaded data set a config names (the helper has no registry of its own), or None."""
    from core.datasets import DATASETS, get_dataset

    return None if config.dataset in DATASETS else get_dataset(config.dataset)


HELPER = Helper()
HELPER_ENV = "KERAS_LENS_HELPER"  # "0": never start it; unset or "1": where it can help (`start_if_useful`)
# The helper is a second TensorFlow process: measured ~560 MB at rest and ~900 MB after a class's
# turns, beside a server that peaks near 1.5 GB. Below this much memory (Streamlit Community
# Cloud gives an app 0.7-2.7 GB) it is not started: running out would stop the app.
MIN_MEMORY_BYTES = 3 * 2**30
MIN_CORES = 2.0  # on one core it would only share that core with the server
# cgroup v2's "quota period" (or "max period"), and cgroup v1's two files
CPU_QUOTA_FILES = (("/sys/fs/cgroup/cpu.max",),
                   ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"))


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


def cpu_limit() -> float:
    """The cores this process may use: those it may run on, or fewer where its cgroup has a CPU
    quota (a container's "0.5 cores" is a quota: every core stays visible to it)."""
    cores = float(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    for paths in CPU_QUOTA_FILES:
        try:
            fields = " ".join(Path(path).read_text().strip() for path in paths).split()
        except OSError:
            continue
        try:
            quota, period = float(fields[0]), float(fields[1])
        except (IndexError, ValueError):  # "max 100000": no quota
            continue
        if quota > 0 and period > 0:
            cores = min(cores, quota / period)
    return cores


def start_if_useful() -> bool:
    """Start the helper unless KERAS_LENS_HELPER=0, on a machine with two cores or more (on
    one it would only share that core, counting a container's CPU quota) and memory for a
    second TensorFlow (MIN_MEMORY_BYTES).

    On by default there: measured on this project's 2-core machine with 30 learners pressing
    Train at once, the 95th-percentile wait for a first epoch falls from 5-7 s to ~2.6 s (median
    of 10 runs) and the class ends no later (its new architectures train in the helper: the
    server traces none of them in the class), for ~0.9 GB more memory at the peak (README,
    "What keeps a shared server quick")."""
    if os.environ.get(HELPER_ENV, "1") == "0":
        return False
    cores, memory = cpu_limit(), memory_limit()
    if cores < MIN_CORES or memory < MIN_MEMORY_BYTES:
        print(f"keras-lens helper: not started ({cores:g} core(s), {memory / 2**30:.1f} GiB)",
              file=sys.stderr, flush=True)
        return False
    HELPER.start()
    return True


# ---- the child ---------------------------------------------------------------------------------
MAX_RUNS = 64  # runs whose Trainer the child keeps for their later turns (the most recent)
_RUNS: dict = {}  # run id -> the child's Trainer of a run it trains


def _first_turn(scheduler, config, data, options: dict, epochs: int, run_id: str | None = None):
    """The server's own first turn of a scheduled run (core.training.loop), here: a set with its
    step traced (or this process's set of the architecture), epoch 0 and the first chunk. With
    `run_id`, the Trainer is kept for the run's later turns (`_later_turn`)."""
    from core.training.loop import Trainer

    trainer = Trainer(config, data, hold=False, **options)
    trainer._trace_later = lambda: None  # its set stays traced for its step: later requests of it are quick
    trainer._consider_xla = lambda epochs_left: None  # no XLA compile here: a core the class's turns need
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
    if run_id is not None:
        _keep_if_going_on(run_id, trainer, reason)
    return "ok", trainer.history, trainer._lease.state, reason


def _keep_if_going_on(run_id: str, trainer, reason: str | None) -> None:
    """Keep the run's Trainer for its next later turn, unless its run ended (`reason`: early
    stopping's; its target; a non-finite loss)."""
    if reason is not None or trainer.epoch >= trainer.target or not trainer.history[-1].finite:
        return
    _RUNS[run_id] = trainer
    while len(_RUNS) > MAX_RUNS:
        _RUNS.pop(next(iter(_RUNS)))


def _later_turn(scheduler, run_id: str, config, epoch: int, target: int, restart: bool):
    """One later turn (a time slice of epochs) of a run whose first turn was trained here, from
    the state that turn (or the last) ended in: ("ok", records, state, stop reason), or
    ("gone",) when this process no longer has the run at `epoch` (the server trains it then)."""
    trainer = _RUNS.pop(run_id, None)
    if trainer is None or trainer.epoch != epoch:
        return ("gone",)
    if config != trainer.config:
        trainer.retune(config)  # a live setting changed (ValueError otherwise: the server trains it)
    trainer.target, trainer.status = target, "running"
    trainer._stop_requested = trainer.stop_reason = None
    trainer._restart_early_stopping = restart  # a run continued after an interruption
    trainer.scheduled = session = scheduler.join()
    scheduler.first_turn_elsewhere(session)  # a later turn's time slice, not a first one's
    try:
        trainer._hold()
        if trainer._compiled.running_eagerly:  # its step alone was traced: the whole graph now, here
            trainer._compiled.trace_rest()
        records = trainer._chunk_records(target, time.perf_counter())
    finally:
        trainer.park()
        session.leave()
    _keep_if_going_on(run_id, trainer, trainer.stop_reason)
    return "ok", records, trainer._lease.state, trainer.stop_reason


def _prepare(config, data, options: dict):
    """This architecture's set with its step traced, in this process's pool (if it has none)."""
    from core.training.loop import Trainer

    trainer = Trainer(config, data, hold=False, **options)
    trainer._lease.prepare_outside_turn(trainer._traced_set, 1)
    return ("ok",)


class _Inbox:
    """Requests read from the server on their own thread: first turns and preparations go
    before later turns (a learner who has seen no epoch first), each kind in its order."""

    def __init__(self, stdin):
        self._cond = threading.Condition()
        self._first: list = []
        self._later: list = []
        self._closed = False
        threading.Thread(target=self._read, args=(stdin,), name="helper-inbox", daemon=True).start()

    def _read(self, stdin) -> None:
        while (message := _receive(stdin)) is not None:
            with self._cond:
                (self._later if message[1][0] == "later" else self._first).append(message)
                self._cond.notify()
        with self._cond:
            self._closed = True
            self._cond.notify()

    def next(self):
        """The next request, or None once the server closed the pipe and nothing is left."""
        with self._cond:
            while not (self._first or self._later or self._closed):
                self._cond.wait()
            for line in (self._first, self._later):
                if line:
                    return line.pop(0)
            return None


def serve(stdin=None, stdout=None) -> None:
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the protocol's stream
    from core.runtime import configure_tensorflow, freeze_imported_objects

    configure_tensorflow()
    import keras  # noqa: F401

    from core.datasets import _MAX_UPLOADS, _UPLOADS
    from core.training.pool import _BUILDS, _POOL
    from core.training.scheduler import Scheduler

    freeze_imported_objects()
    _BUILDS.crowded = lambda: False  # this process serves one first turn at a time
    scheduler = Scheduler(workers=1)
    from core.config import ExperimentConfig
    from core.datasets import make_split

    warm = ExperimentConfig()  # the first turn's one-time costs (imports, first calls), before any learner's
    _first_turn(scheduler, warm, make_split(warm.dataset, warm.n_samples, warm.noise, warm.val_split, warm.seed,
                                            warm.features), {}, 1)
    for _, compiled in list(_POOL._free):  # the default's whole graph too: its later turns here need it
        compiled.trace_rest()
    _send(stdout, (0, "ready"))
    inbox = _Inbox(stdin)
    while (message := inbox.next()) is not None:
        rid, (kind, upload, *request) = message
        try:
            if upload is not None:
                _UPLOADS[upload.name] = upload
                while len(_UPLOADS) > _MAX_UPLOADS:
                    _UPLOADS.popitem(last=False)
            if kind == "first":
                reply = _first_turn(scheduler, *request)
            elif kind == "later":
                reply = _later_turn(scheduler, *request)
            else:
                reply = _prepare(*request)
        except Exception as exc:  # noqa: BLE001 - the server trains it itself
            reply = ("error", f"{type(exc).__name__}: {exc}")
        if rid > 0:
            _send(stdout, (rid, reply))


if __name__ == "__main__":
    serve()
