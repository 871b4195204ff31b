"""The Trainer: a generator of per-epoch records, trained a chunk of epochs at a time.

Why not `model.fit`? Keras' fit runs a Python loop per batch plus callbacks; for the tiny models
of a lesson that overhead dominates (about 18 epochs/s for a 2-8-8-1 net on 1,000 points). Here a
whole chunk of epochs (shuffle, every mini-batch step, the end-of-epoch evaluation) is one
`tf.function` call (core.training.compiled), so Python is touched once per chunk. The chunk
length adapts to the measured speed so that a caller can redraw about 15 times a second.
"""

from __future__ import annotations

import dataclasses
import math
import time
import uuid
import weakref
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from core.config import ExperimentConfig, live_changes
from core.datasets import DataSplit, make_split
from core.losses import LOSSES
from core.training.compiled import MAX_CHUNK, _Compiled
from core.training.pool import _BUILDS, _POOL, _Lease, _signature
from core.training.scheduler import POLL_SECONDS
from core.network import PICTURE_GRID
from core.training.records import (EpochRecord, Snapshot, make_grid, make_probe_set, metric_name,
                                   run_arrays as _run_arrays, take_snapshot)

TARGET_CHUNK_SECONDS = 0.06  # aim: a fresh record batch ~16 times a second
# Compile XLA (in the background) only for a set with more than this much plain-graph work,
# done and left in the run (`_consider_xla`): less would end before XLA paid off, and the
# compile keeps a core busy (measured 0.5-1 s quiet, 20 s and more on a loaded 2-core machine).
XLA_WORTH_SECONDS = 1.0
# In a turn, a set of the run's kind in use by another turn comes back when that turn ends:
# waited for this long before building (tracing) another in the turn.
FREE_WAIT_S = 2.0
# The rest of a set that runs op by op is traced after the run's first chunk (`_trace_later`),
# once the other runs have their first epochs, or after this long at most.
TRACE_DEFER_S = 3.0
# A run whose set runs op by op waits this long at most, between two chunks, for the set's
# background trace (`_wait_for_trace`); the trace sets its event also when it fails.
TRACE_WAIT_S = 20.0
DEFAULT_PROBE_SIZE = 500
DEFAULT_GRID = 48
DEFAULT_SNAPSHOTS = 40
# "Watch": a run is paced to last about this long, whatever its number of epochs, in chunks of
# about one frame, so the boundary and the curves visibly form. The numbers are the same as in
# a fast run (same epochs, same batches); only the wall-clock time differs.
WATCH_SECONDS = 8.0
WATCH_FRAME_SECONDS = 0.1


class Trainer:
    """Trains one model for one config; `run()` may be called again to continue."""

    def __init__(self, config: ExperimentConfig, data: DataSplit | None = None, *,
                 probe_size: int = DEFAULT_PROBE_SIZE, grid_size: int = DEFAULT_GRID,
                 snapshots: int = DEFAULT_SNAPSHOTS, use_xla: bool = True, reuse: bool = True,
                 hold: bool = True):
        """`hold=False`: no compiled set yet (a scheduled run takes one in its first turn, which
        also evaluates epoch 0 and trains the first chunk); numbers only, no TensorFlow work."""
        self.config = config.validate()
        self._options = {"probe_size": probe_size, "grid_size": grid_size, "snapshots": snapshots, "use_xla": use_xla}
        self.run_id = uuid.uuid4().hex  # identifies this run in caches shared across sessions
        self.data = data or make_split(config.dataset, config.n_samples, config.noise,
                                       config.val_split, config.seed, config.features)
        self.task = self.data.task
        self.n_classes = self.data.n_classes
        self.loss_entry = LOSSES[config.loss]
        self.snapshot_every = max(1, math.ceil(config.epochs / max(1, snapshots)))
        self.history: list[EpochRecord] = []
        self.status = "ready"  # ready -> running -> finished | stopped | diverged
        self.epoch = 0
        self.compile_seconds: float | None = None
        self._stop_requested: str | None = None  # "stop" or "interrupted", once asked
        self._elapsed = 0.0
        self.target = 0                 # the epoch the current (or last) run() aims for
        # Why the last run() ended early: "stop" (stop()), "interrupted" (the consumer closed
        # it), "patience" / "target" (early stopping), or None.
        self.stop_reason: str | None = None
        self.stopped_at: float | None = None  # perf_counter when it ended early
        self.shown_epoch = 0            # the last epoch a caller drew (set by the caller)
        # Where a live setting changed during the run: (epoch, {field: (old, new)}).
        self.changes: list[tuple[int, dict]] = []
        # A core.training.scheduler Session, set by the caller: TensorFlow work then runs in the
        # session's turns, holding the compiled set only meanwhile (see `_turn`).
        self.scheduled = None
        self._restart_early_stopping = False  # at the first turn of a run
        self._turn_began = 0.0  # perf_counter when the current turn began (before taking the set)
        self._tracing = None  # a set that ran op by op, being traced in the background (`_trace_later`)
        self._in_helper = False  # its turns are trained in the helper process (core.training.helper)

        n_train = len(self.data.x_train)
        self.batch_size = int(min(config.batch_size, n_train))
        self._arrays = _run_arrays(config, self.data)
        self.probe_set = make_probe_set(self.data, probe_size, config.seed)
        self._grid = make_grid(self.data, grid_size, config.features) if self.data.points_train is not None else None
        # The network diagram's neuron pictures: a coarse grid over the same plane.
        self._picture_inputs = (make_grid(self.data, PICTURE_GRID, config.features)["inputs"].astype("float32") if self._grid is not None
                                else self.probe_set.x[:1])

        # The model, optimizer and compiled functions come from a process-wide pool, one set
        # per architecture (core.training.pool says why and how they are shared).
        signature = _signature(self.config, self.batch_size, self._arrays, use_xla) if reuse else None
        self._lease = _Lease(signature, use_xla)
        weakref.finalize(self, self._lease.release)
        self._layer_names: list[str] | None = None
        if hold:
            self._hold()

    # ---- public API ------------------------------------------------------------------------
    def run(self, epochs: int | None = None) -> Iterator[EpochRecord]:
        """Yield one record per epoch, the first (epoch 0, before training) only once per
        trainer. Ends early on stop() or divergence; closing the generator stops too."""
        if self.status == "diverged":
            return
        target = self.epoch + int(epochs if epochs is not None else self.config.epochs)
        if self.scheduled is None:
            self._hold()  # before "running": a failure here leaves the Trainer as it was
        self._stop_requested = None
        self.stop_reason, self.stopped_at, self.target = None, None, target
        self._restart_early_stopping = True  # done in the run's first turn, with the set held
        self.status = "running"
        start = time.perf_counter() - self._elapsed
        try:
            if self.scheduled is not None and not self.history:
                helped = self._first_turn_in_helper(target, start)
                for record in helped:
                    yield record
                    if not record.finite:
                        self.status = "diverged"
                        return
                self._in_helper = bool(helped)  # its later turns too, while the server has no free set for it
                if not helped:
                    self._prepare_own_set()
            paced_from = (time.perf_counter(), self.epoch)
            # Epoch 0 comes from the first `_chunk_records` (with the first chunk, when scheduled).
            first = not self.history
            while first or self._goes_on(target):
                first = False
                if not self._wait_for_pace(*paced_from):
                    break
                records = self._later_turn_in_helper(target, start) if self._in_helper and self.scheduled else None
                if records is None:
                    self._wait_for_trace()
                    records = self._chunk_records(target, start)
                # A chunk's records are all in the history before the first is yielded: the
                # weights have trained the whole chunk, so an interrupted run still says so.
                for record in records:
                    yield record
                    if not record.finite:
                        self.status = "diverged"
                        return
            self.status = "stopped" if self.epoch < target else "finished"
            if self._stop_requested and self.status == "stopped" and self.stop_reason is None:
                self.stop_reason = self._stop_requested
        finally:
            self._elapsed = time.perf_counter() - start
            if self.status == "running":  # the consumer closed us: an interrupted run
                self.status = "stopped"
                self.stop_reason = self.stop_reason or ("stop" if self._stop_requested == "stop" else "interrupted")
            if self.status == "stopped":
                self.stopped_at = time.perf_counter()
            self._lease.park()

    def _first_turn_in_helper(self, target: int, start: float) -> list[EpochRecord]:
        """On a crowded server (`_BUILDS.crowded()`), the first turn of a run with no free set
        of its architecture is trained in the helper process (core.training.helper says why):
        always for an architecture with no set at all, for one whose sets are in use while
        the helper has room. Returns its records, now in the history with the state they end
        in, or [] (no helper, or it did not answer: the run trains its first turn here)."""
        from core.training.helper import HELPER

        signature = self._lease.signature
        if signature is None or not HELPER.ready() or not _BUILDS.crowded() or _POOL.free(signature) or (
                _POOL.sets(signature) and HELPER.busy()):  # a new architecture always; one in use when it is free
            return []
        with self.scheduled.building():
            got = HELPER.first_turn(self.config, self.data, self._options, target - self.epoch,
                                    on_wait=self._tell_waiting, stopped=lambda: bool(self._stop_requested),
                                    run_id=self.run_id)
        if got is None:
            return []
        self.scheduled.scheduler.first_turn_elsewhere(self.scheduled)
        return self._adopt(got, start)

    def _later_turn_in_helper(self, target: int, start: float) -> list[EpochRecord] | None:
        """A later turn of a run whose first turn the helper trained, trained there too, until
        the server has a free traced set of its architecture (then, or when the helper does not
        answer, the run goes on here from the last state: None). So a new architecture's set is
        never traced on the server in a class: ~1.5 s of the interpreter's lock each, which the
        other learners' first epochs wait for; and its learner does not wait at epoch 1 for it."""
        from core.training.helper import HELPER

        if not _POOL.free(self._lease.signature):
            got = HELPER.later_turn(self.run_id, self.config, self.epoch, target, self._restart_early_stopping,
                                    on_wait=self._tell_waiting)
            if got is not None:
                return self._adopt(got, start)
        self._in_helper = False
        self._prepare_own_set()
        return None

    def _adopt(self, got, start: float) -> list[EpochRecord]:
        """A turn trained in the helper: its records (timed here) join the history, and its
        state is the lease's, as if this process had parked it."""
        records, state, reason = got
        now = time.perf_counter() - start
        records = [dataclasses.replace(r, seconds=now) for r in records]
        self._lease.state, self._lease.token, self._lease.dirty = state, object(), False
        self._restart_early_stopping = False  # done in the helper's turn: its counters are in the state
        self.epoch, self.stop_reason = records[-1].epoch, reason
        if self._layer_names is None:  # without holding a set here (a snapshot names them in order)
            self._layer_names = next((list(r.snapshot.grad_norms) for r in records if r.snapshot), None)
        self.history.extend(records)
        return records

    def _prepare_own_set(self) -> None:
        """This run's set on the server, built outside the turns if none of its kind is free."""
        with self.scheduled.building():  # others redraw less and compile no XLA meanwhile
            self._lease.prepare_outside_turn(self._traced_set, self.scheduled.scheduler.workers, self._tell_waiting)

    def _traced_set(self) -> _Compiled:
        """A new compiled set for this architecture, built outside the scheduler's turns while
        its learner waits, with its mini-batch step traced and nothing more: its first chunks
        run op by op around that step (`_Compiled.running_eagerly`, ~0.05-0.13 s an epoch),
        then a background thread traces the chunk, evaluation and snapshot functions
        (`_trace_later`) and the run's next chunk waits for them (`_wait_for_trace`).
        Measured alone on a 2-core machine: the build with its step 0.23-0.56 s and the first
        turn 0.08-0.11 s, where the build with the chunk and evaluation traced took 1.1-1.3 s,
        most of it holding Python's lock that every other learner's turns, draws and page runs
        need too. (core.training.ahead, ahead of Train, traces the whole set unless a learner
        alone waits for it.)"""
        compiled = _Compiled(self.config, self.task, self.batch_size, self._arrays, self._lease.xla)
        compiled.trace_step()
        compiled.built_for = self._lease  # its first hold needs no reset
        return compiled

    def _trace_later(self) -> None:
        """A set that runs eagerly gets its functions traced in the background, once, after its
        first chunk: a place among the runs' own builds (core.training.pool._BUILDS), deferred
        like a low one while runs wait for their first epochs, TRACE_DEFER_S at most (measured
        in a class of 30 with these traces in the runs' line and not deferred: they took places
        from learners' own builds, and the 95th percentile first epoch came at 6.0-6.2 s
        instead of 4.3-5.4 s). The run's next chunk waits for it (`_wait_for_trace`)."""
        compiled = self._compiled
        if not compiled.running_eagerly:
            return
        width = self.scheduled.scheduler.workers if self.scheduled is not None else 1
        probe, grid, pictures, config, task = self.probe_set.x, self._grid, self._picture_inputs, self.config, self.task
        self._tracing = compiled  # the next chunk waits for it (`_wait_for_trace`)
        compiled.trace_later(lambda: _BUILDS.place(width, defer=True, defer_s=TRACE_DEFER_S),
                             lambda c: take_snapshot(c, 0, probe, grid, pictures, config, task))

    def _wait_for_trace(self) -> None:
        """After a first chunk op by op, the next one waits (outside the turns, telling the
        learner's page where it stands) for the set's background trace, TRACE_WAIT_S at most.
        Op by op an epoch is ~15 times a graph's Python work (measured: 33 chunks op by op, ~40
        epochs, while the trace took 2.8 s; the run of 200 epochs ended after 4.9 s); and in a
        class that work holds the lock that other learners' first epochs need."""
        tracing, self._tracing = self._tracing, None
        if tracing is None:
            return
        started = told = time.perf_counter()
        while not tracing.traced.wait(0.05):
            now = time.perf_counter()
            if self._stop_requested or now - started > TRACE_WAIT_S:
                return
            if now - told >= POLL_SECONDS:
                told = now
                self._tell_waiting()

    def _tell_waiting(self) -> None:
        session = self.scheduled
        if session is not None and session.on_wait is not None:
            session.on_wait(session.place())

    def _goes_on(self, target: int) -> bool:
        return self.epoch < target and not self._stop_requested and self.stop_reason is None

    def park(self) -> None:
        """Give the compiled set back to the pool until it is needed again (a scheduler's
        session does this after building the Trainer in its turn)."""
        self._lease.park()

    def stop(self) -> None:
        """Ask the run to end at the next chunk boundary (at most one frame's worth of
        epochs away: chunks are sized to TARGET_CHUNK_SECONDS, or one frame when paced).
        A run that an interruption ended already counts as stopped from now on (not resumable)."""
        self._stop_requested = "stop"
        if self.status == "stopped" and self.stop_reason == "interrupted":
            self.stop_reason = "stop"

    def interrupt(self) -> None:
        """Ask the run to end at the next chunk boundary as an interruption (a rerun of the
        page): unlike stop(), the run may go on afterwards (`resumable`)."""
        self._stop_requested = self._stop_requested or "interrupted"

    def retune(self, config: ExperimentConfig) -> dict[str, tuple]:
        """Take the settings that may change during a run (core.config.LIVE_FIELDS) from
        `config`; the next chunk trains with them, and `changes` marks the epoch. Returns
        {field: (old, new)}; raises ValueError if `config` needs a new run instead."""
        changes = live_changes(self.config, config)
        if changes is None:
            raise ValueError("only the live fields may change during a run")
        if changes:
            self.config = config.validate()
            self.changes.append((self.epoch, changes))
            with self._lease.lock:
                if self._compiled is not None:
                    self._compiled.set_live(self.config)
        return changes

    @property
    def resumable(self) -> bool:
        """Interrupted (by a rerun, not by Stop) before reaching its target: the caller may
        go on with `run(trainer.target - trainer.epoch)`."""
        return self.status == "stopped" and self.stop_reason == "interrupted" and self.epoch < self.target

    @property
    def pace(self) -> float | None:
        """Epochs per second when watching (config.watch), else None (as fast as it goes)."""
        return self.config.epochs / WATCH_SECONDS if self.config.watch else None

    def _wait_for_pace(self, since: float, first_epoch: int) -> bool:
        """When watching, sleep until the next chunk is due (in short naps, so stop() is
        seen); False if a stop was asked meanwhile. Fast runs never wait."""
        pace = self.pace
        if pace is None:
            return True
        due = since + (self.epoch - first_epoch) / pace
        while (left := due - time.perf_counter()) > 0:
            if self._stop_requested:
                return False
            time.sleep(min(left, 0.02))
        return not self._stop_requested

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.with_model(lambda _: self._compiled.predict_fn(np.asarray(x, dtype="float32")).numpy())

    def with_model(self, fn):
        """`fn(model)` with this Trainer's weights loaded, holding its set only meanwhile."""
        with self._lease.lock:
            held = self._lease.compiled is not None
            self._hold()
            try:
                return fn(self._compiled.model)
            finally:
                if not held:
                    self._lease.park()

    @property
    def model(self):
        """The Keras model with this Trainer's weights. Asking for it keeps the set with this
        Trainer from then on (for callers that keep the model); `with_model` does not."""
        with self._lease.lock:
            self._hold()
            self._lease.pinned = True
            return self._compiled.model

    @property
    def kernel_layer_names(self) -> list[str]:
        """The layers whose kernels the gradient norms are measured on (known once a set was held)."""
        if self._layer_names is None:
            self.with_model(lambda _: None)
        return self._layer_names

    @property
    def metric_name(self) -> str:
        return metric_name(self.task)

    @property
    def epochs_per_second(self) -> float | None:
        return None if not self._seconds_per_epoch else 1.0 / self._seconds_per_epoch

    @property
    def _seconds_per_epoch(self) -> float | None:
        """Smoothed seconds per epoch; a reused set brings the last run's figure, which sizes
        this run's first chunk."""
        return self._lease.seconds_per_epoch

    @property
    def xla(self) -> bool:
        """Whether chunks run XLA-compiled once it is compiled (False after a fallback to a
        plain graph)."""
        return self._compiled.xla if self._compiled is not None else self._lease.xla

    @property
    def compiling(self) -> bool:
        """TensorFlow is tracing or compiling for this run: its set has never trained (the
        first chunk traces the plain graph), or XLA compiles in the background meanwhile."""
        if self._tracing is not None and not self._tracing.traced.is_set():
            return True  # its set is being traced for its next chunk
        compiled = self._compiled
        if compiled is None:  # before its first turn: no traced set of its kind is waiting for it
            return not self.history and self._lease.signature is not None and not self._lease.traced_ready()
        return not compiled.has_run or compiled.xla_compiling

    @property
    def grid_axes(self) -> tuple[np.ndarray, np.ndarray] | None:
        return None if self._grid is None else (self._grid["xs"], self._grid["ys"])

    # ---- the compiled set (core.training.pool) ---------------------------------------------
    @property
    def _compiled(self) -> _Compiled | None:
        return self._lease.compiled

    def _hold(self) -> None:
        held = self._lease.compiled is not None
        compiled = self._lease.hold(self.config, self.task, self.batch_size, self._arrays,
                                    free_wait_s=0.0 if self.scheduled is None else FREE_WAIT_S)
        if not held:  # a set that kept this Trainer's state may hold older live values
            compiled.set_live(self.config)
        self._layer_names = compiled.kernel_layer_names

    # ---- chunks of epochs -------------------------------------------------------------------
    def _chunk_records(self, target: int, start: float) -> list[EpochRecord]:
        """Train the next chunk(s) and put their records in the history, with a snapshot at a
        snapshot epoch (chunks end there, so it shows that epoch's network), at the epoch early
        stopping ended the run, or at the first non-finite loss (the last record then). Under a
        scheduler (`_turn`) one turn trains chunks until its time slice is used (one chunk when
        paced); without one, one chunk at a time."""
        records, base = [], self.epoch
        with self._turn() as turn:
            if not self.history:  # the run's first turn: epoch 0 first, in the same turn
                records.append(self._evaluate_record(0, time.perf_counter() - start))
            if self._restart_early_stopping:
                self._compiled.restart_early_stopping()
                self._restart_early_stopping = False
            # Under a scheduler the first chunk trains in epoch 0's turn (a turn may be a long
            # wait away); alone, epoch 0 is yielded before any training.
            trains = not records or (self.scheduled is not None and records[0].finite)
            started = time.perf_counter()
            budget = 0.0 if self.scheduled is None else self.scheduled.slice_seconds
            try:
                while trains and self._goes_on(target):
                    n = self._next_chunk_length(target)
                    results, n, self.stop_reason = self._train_chunk(n)
                    self._consider_xla(target - self.epoch - n)
                    chunk_end = time.perf_counter() - start
                    finite = True
                    for i in range(n):
                        self.epoch += 1
                        tl, vl, tm, vm, fit = (float(v) for v in results[i])
                        finite = math.isfinite(tl + vl)
                        snapshot = None
                        if (self._is_snapshot_epoch(self.epoch, target) or not finite
                                or (self.stop_reason and i == n - 1)):
                            snapshot = self._snapshot(self.epoch)
                        records.append(EpochRecord(self.epoch, tl, vl, tm, vm, chunk_end, snapshot, fit))
                        if not finite:
                            break
                    if (n == 0 or not finite or self.pace or time.perf_counter() - started >= budget
                            or self._compiled.running_eagerly):  # one chunk op by op, then the trace
                        break
            finally:
                if turn is not None:
                    turn.units, turn.units_left = self.epoch - base, target - self.epoch
                    if records and records[0].epoch == 0:  # the set's build or swap, and epoch 0
                        turn.setup_seconds = started - self._turn_began
        self.history.extend(records)
        return records

    @contextmanager
    def _turn(self):
        """Hook for a scheduler (core.training.scheduler): wait for the session's turn, hold
        the compiled set for the body, park it after. Without one the body runs at once."""
        if self.scheduled is None:
            yield None
            return
        with self.scheduled.turn() as turn:
            self._turn_began = time.perf_counter()
            self._hold()
            try:
                yield turn
            finally:
                self._lease.park()

    def _train_chunk(self, n: int) -> tuple[np.ndarray, int, str | None]:
        started = time.perf_counter()
        eager = self._compiled.running_eagerly  # op by op: no trace, and not the graph's speed
        first = not self._compiled.has_run and not eager
        results, n, reason = self._compiled.train_chunk(n, self.epoch)
        self._lease.dirty = True
        seconds = time.perf_counter() - started
        if first:
            self.compile_seconds = seconds
        elif n > 0 and not eager:
            per_epoch = seconds / n
            smoothed = (per_epoch if self._seconds_per_epoch is None
                        else 0.5 * self._seconds_per_epoch + 0.5 * per_epoch)
            self._compiled.seconds_per_epoch = self._lease.seconds_per_epoch = smoothed
        return results[:n], n, reason

    def _consider_xla(self, epochs_left: int) -> None:
        """Start compiling XLA in the background once the set's plain-graph work, done in all
        its runs so far and left in this one at the measured speed, passes XLA_WORTH_SECONDS (a
        set that runs eagerly has its plain graph traced first). Counted per set, not per run:
        the set serves every later run of its architecture. Per run, the default link's 200
        epochs (~0.5 s) sat at the threshold, and the compile (~100 MB) came at whichever run
        measured slow: run 17 of 50 in one soak, so the server grew after its warm-up."""
        compiled = self._compiled
        if compiled.running_eagerly:
            self._trace_later()  # the plain graph first
            return
        if not compiled.xla or compiled.xla_ready.is_set() or self._seconds_per_epoch is None or self.pace:
            return  # (a paced run waits anyway: no compile to keep a core busy)
        if self.scheduled is not None and self.scheduled.scheduler.first_turns_waiting():
            return  # runs wait for their first epochs: no core for a compile yet (asked again next chunk)
        if compiled.plain_seconds + epochs_left * self._seconds_per_epoch > XLA_WORTH_SECONDS:
            compiled.compile_xla_in_background()

    def _next_chunk_length(self, target: int) -> int:
        if self._seconds_per_epoch is None:
            n = 1 if not self._compiled.has_run else 4  # compile first, then measure
        else:
            seconds = TARGET_CHUNK_SECONDS if self.scheduled is None else self.scheduled.slice_seconds
            n = int(seconds / self._seconds_per_epoch)
        if self.pace:  # one frame's worth of epochs
            n = min(n, max(1, round(self.pace * WATCH_FRAME_SECONDS)))
        n = max(1, min(n, MAX_CHUNK, target - self.epoch))
        # End chunks on snapshot epochs so snapshots show exactly that epoch's network.
        next_snapshot = (self.epoch // self.snapshot_every + 1) * self.snapshot_every
        return max(1, min(n, next_snapshot - self.epoch))

    def _is_snapshot_epoch(self, epoch: int, target: int) -> bool:
        return epoch % self.snapshot_every == 0 or epoch == target

    # ---- records and snapshots -------------------------------------------------------------
    def _evaluate_record(self, epoch: int, seconds: float) -> EpochRecord:
        tl, vl, tm, vm = (float(v) for v in self._compiled.evaluate_now())
        return EpochRecord(epoch, tl, vl, tm, vm, seconds, self._snapshot(epoch))  # no fit loss before training

    def _snapshot(self, epoch: int, compiled: _Compiled | None = None) -> Snapshot:
        # In a scheduled run's first turn (the history fills when the turn ends) its learner has
        # seen no epoch yet: snapshot functions not traced yet run eagerly, a later turn traces them.
        # Likewise while its set runs eagerly: a background thread traces them (`_trace_later`).
        compiled = compiled or self._compiled
        eager = (self.scheduled is not None and not self.history) or compiled.running_eagerly
        return take_snapshot(compiled, epoch, self.probe_set.x, self._grid, self._picture_inputs,
                             self.config, self.task, eager=eager)
