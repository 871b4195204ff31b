"""Architectures built and traced ahead of Train, one at a time, in a background thread.

While a learner reads the Lab or changes a control, the architecture on screen can be made
ready: its model, its plain-graph chunk function and the epoch-0 functions (evaluation and
snapshot) traced. The set then waits in the pool (core.training.pool) and the first run of that
architecture trains at once instead of spending its first second (many seconds on a busy
server) tracing. A run that starts while its set is being prepared waits for it
(`_Pool.acquire`) rather than tracing a second one.

Requests queue (a classroom opens several links at once), one per architecture; the queue is
short. One preparation at a time (two traces at once only share Python's lock: both end late),
and it takes a low place among the builds outside the turns (core.training.pool._BUILDS, `width`
of them at once, set by the app to the scheduler's workers): a run that pressed Train and builds
its own architecture goes first, and none starts while runs wait for their first epochs
(`_BUILDS.defer_low`). A request is not dropped because runs are in line: it waits (measured in
a class of 30: requests dropped at the first Train left three architectures to their runs).
"""

from __future__ import annotations

import threading
import traceback
from collections import deque
from typing import Callable

from core.config import ExperimentConfig
from core.datasets import make_split
from core.training.loop import Trainer, _run_arrays
from core.training.pool import _BUILDS, _POOL, _signature

# TensorFlow keeps ~9 MB per traced architecture even after the pool lets its set go (measured:
# 40 architectures prepared one after another, +340 MB). Training a new architecture costs the
# same, but a learner who only moves sliders would not have paid it: so a server prepares this
# many architectures in its life, at most (~200 MB), and after that runs trace as they start.
MAX_PREPARATIONS = 24
MAX_QUEUED = 6

_cond = threading.Condition()
_queue: deque = deque()           # (signature, config, data, use_xla), oldest first
_queued: set = set()              # their signatures
_prepared = [0]                   # preparations started in this process's life
_worker: list[threading.Thread] = []
width: Callable[[], int] = lambda: 1  # noqa: E731 - builds at once (the app: the scheduler's workers)
# Blocks until TensorFlow is imported (the app: ui.warmup.wait). Two threads importing TensorFlow
# at once break its import ("partially initialized module"): the app imports it in one thread.
ready: Callable[[], object] = lambda: None  # noqa: E731


def prepare(config: ExperimentConfig, use_xla: bool = True) -> bool:
    """Queue `config`'s architecture to be built and traced in the background. False when it
    is not queued: being prepared or queued already, a set of it exists (free or in use: a set
    in use comes back within a turn), the queue is full, or this server has prepared its share."""
    if _prepared[0] >= MAX_PREPARATIONS or len(_queue) >= MAX_QUEUED:
        return False  # before building the data: the Lab asks on every idle rerun
    config = config.validate()
    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed, config.features)
    signature = _signature(config, int(min(config.batch_size, len(data.x_train))), _run_arrays(config, data), use_xla)
    with _cond:
        if (_prepared[0] >= MAX_PREPARATIONS or len(_queue) >= MAX_QUEUED or signature in _queued
                or _POOL.traced_or_preparing(signature) or _POOL.sets(signature)):
            return False
        _queue.append((signature, config, data, use_xla))
        _queued.add(signature)
        if not _worker or not _worker[0].is_alive():
            _worker[:] = [threading.Thread(target=_work, name="prepare-architectures", daemon=True)]
            _worker[0].start()
        _cond.notify()
    from core.training.helper import HELPER

    HELPER.prepare(config, data, {"use_xla": use_xla})  # for its first turns in a crowd (core.training.helper)
    return True


def pending() -> int:
    """Requests queued or being prepared (tests wait for 0)."""
    with _cond:
        return len(_queued)


def _work() -> None:
    while True:
        with _cond:
            while not _queue:
                _cond.wait()
            signature, config, data, use_xla = _queue.popleft()
        try:
            ready()
            with _BUILDS.place(width(), low=True):  # behind the runs' own builds
                if _claim(signature):
                    _prepare_one(signature, config, data, use_xla)
        except Exception:  # noqa: BLE001 - a head start that failed: the run traces its own set
            traceback.print_exc()
        finally:
            with _cond:
                _queued.discard(signature)


def _claim(signature: tuple) -> bool:
    """Start preparing `signature` unless a set of it exists or is being built (a run may have
    built it meanwhile), or this server prepared its share."""
    with _cond:
        if _prepared[0] >= MAX_PREPARATIONS or not _POOL.start_preparing(signature, below=1):
            return False
        _prepared[0] += 1
        return True


def _prepare_one(signature: tuple, config: ExperimentConfig, data, use_xla: bool) -> None:
    """Build the set and trace its mini-batch step first. When a run of this architecture waits
    for it by then (its learner pressed Train while the page's preparation was under way), the
    set goes to that run at once: its first chunks run op by op around the step and the run
    traces the rest in the background, as for a set it built itself (core.training.loop,
    `_traced_set`). Measured alone, Train the instant the page opened with a new architecture:
    the first epoch came after 1.46-1.66 s, the whole preparation's time; handed over, after
    0.54-0.75 s (the run's end 0.4 s later: 2.8-3.2 s instead of 2.4-2.7 s).

    Not while other sessions train (`_BUILDS.crowded`): op by op, the first turn and chunk
    cost several times a traced set's Python work, on the lock every other learner's first
    epoch needs too (measured in a class of 30 handing over always: the default link's last
    learners saw their first epoch 1-1.5 s later). Nor when nobody waits: the rest is traced
    now, and as the chunk's trace reuses the step's, the whole preparation costs what it did."""
    compiled = None
    try:
        trainer = Trainer(config, data, use_xla=use_xla, reuse=False)  # a private set, pooled below
        trainer._compiled.trace_step()
        if not _POOL.wanted(signature) or _BUILDS.crowded():
            trainer._compiled.trace_plain()
            trainer._evaluate_record(0, 0.0)  # traces the evaluation and snapshot functions
        compiled, trainer._lease.compiled = trainer._compiled, None
    finally:
        _POOL.done_preparing(signature, compiled)
