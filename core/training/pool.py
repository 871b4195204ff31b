"""The process-wide pool of compiled sets, and a Trainer's lease on one.

TensorFlow keeps several MB for every function it ever traced, so a server that built a model
and its functions anew for every run would grow by that much per run (measured: 25 MB with
XLA). Instead there is one compiled set per architecture, shared in turn: a Trainer holds a set
while it trains and parks it between runs. Parking copies the Trainer's weights and optimizer
state out (a few KB) and gives the set back to the pool, where the next run of the same
architecture, from any session, finds it compiled.

Why a set can be shared in turn, step by step (`hold` and `park`):

- A set that comes out of the pool may still have some other Trainer's numbers in its variables.
  `hold` loads this Trainer's own state into it: the parked copy if it has one, else the
  config's initial weights and a fresh optimizer (`_Compiled.reset`).
- Copies are skipped when nothing changed. `park` stamps the set with a fresh `token` object
  when it copies the state out, and the lease keeps the same token. If the next `hold` gets the
  same set back and it still carries this token (`compiled.loaded is lease.token`), nobody used
  it meanwhile: its variables are this Trainer's state already.
- `dirty` says the Trainer trained since its state was last copied; a park without training
  (after `predict`) copies nothing.
- `pinned`: a caller asked for the Keras model itself (`Trainer.model`) and may keep it, so the
  set stays with this Trainer and is never parked again.

This pool stays separate from the pages' shared-work store: a compiled set is not a result to
share but a tool used by one run at a time, with state to swap in and out.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from contextlib import contextmanager
from typing import Callable

from core.config import ExperimentConfig
from core.training.compiled import DATA_KEYS, _Compiled

MAX_FREE_SETS = 8  # compiled sets kept for later runs, across all architectures
# A run that needs a set being prepared (loop.prepare) waits for it rather than building a second
# one; past this it builds its own (a preparation that hangs must not hold a run up for ever).
PREPARE_WAIT_S = 60.0
DEFER_LOW_S = 30.0  # a low build (_Builds) waits at most this long for runs' first epochs
# ... and starts only once no run has waited for its first epoch for this long, counted from its
# request: a class presses Train over a second or two, and a low build that took a place just
# before (measured: a further default set at 0.2 s, a preparation ahead) held it for 2-3 s of
# tracing while the new architectures' learners waited for a place.
LOW_QUIET_S = 1.0


def _signature(config: ExperimentConfig, batch_size: int, data: dict, use_xla: bool) -> tuple:
    """Everything that shapes the traced graphs. Seed, noise, dataset values, learning rate
    and epochs only change numbers held in variables, so they are not part of it."""
    values_only = {"seed", "noise", "learning_rate", "epochs", "dataset", "n_samples", "val_split", "features",
                   "l2", "patience", "target_loss", "watch"}
    graph_fields = tuple((f.name, getattr(config, f.name)) for f in dataclasses.fields(config)
                         if f.name not in values_only)
    shapes = tuple((key, data[key].shape, str(data[key].dtype)) for key in DATA_KEYS)
    return (graph_fields, config.input_dim, config.n_outputs, config.task, batch_size, shapes, use_xla)


class _Pool:
    """Compiled sets not in use, by signature; the least recently freed go first."""

    def __init__(self, max_free: int = MAX_FREE_SETS):
        self.max_free = max_free
        self._free: list[tuple[tuple, _Compiled]] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # a set came back, or a preparation ended
        self._preparing: dict[tuple, threading.Event] = {}  # sets being built and traced ahead
        self._wanted: dict[tuple, int] = {}  # scheduled runs waiting for a preparation (`wanting`)
        self._count: dict[tuple, int] = {}  # sets of each signature alive (free or in use)

    def acquire(self, signature: tuple, token: object | None = None, wait_s: float = PREPARE_WAIT_S,
                free_wait_s: float = 0.0) -> _Compiled | None:
        """A free set of this signature: preferably the one that still holds `token`'s state
        (no copy needed), else one that has run (traced), else the least recently freed. A set
        of this signature being prepared (`start_preparing`) is waited for, not built twice.
        `free_wait_s`: when this signature's sets are all in use, how long to wait for one to
        be given back (a scheduler's turn: they come back at the end of a turn) before the
        caller builds another."""
        started = time.perf_counter()
        with self._lock:
            while True:
                found = self._take(signature, token)
                if found is not None:
                    return found
                if signature in self._preparing and (free_wait_s or not self._count.get(signature)):
                    limit = wait_s  # one is being prepared: waited for (or a set coming back)
                else:
                    limit = free_wait_s if self._count.get(signature) else 0.0
                left = started + limit - time.perf_counter()
                if left <= 0:
                    return None
                self._changed.wait(left)

    def _take(self, signature: tuple, token: object | None) -> _Compiled | None:
        matches = [i for i, (sig, _) in enumerate(self._free) if sig == signature]
        if not matches:
            return None
        sets = {i: self._free[i][1] for i in matches}
        mine = [i for i in matches if token is not None and getattr(sets[i], "loaded", None) is token]
        traced = [i for i in matches if getattr(sets[i], "has_run", False)]
        return self._free.pop((mine or traced or matches)[0])[1]

    def free(self, signature: tuple) -> bool:
        """A set of this signature that has run (traced) is free now."""
        with self._lock:
            return any(sig == signature and compiled.has_run for sig, compiled in self._free)

    def traced_or_preparing(self, signature: tuple) -> bool:
        """A traced set of this signature is free (its step at least), or one is being prepared."""
        with self._lock:
            return self._taken(signature)

    def _taken(self, signature: tuple) -> bool:
        return signature in self._preparing or any(
            sig == signature and (compiled.has_run or compiled.eager_until_traced) for sig, compiled in self._free)

    def start_preparing(self, signature: tuple, below: int | None = None) -> bool:
        """Claim the preparation of this signature's set: False when one is being prepared or
        a traced one is free already (or, with `below`, that many sets of it exist)."""
        with self._lock:
            if self._taken(signature) or (below is not None and self._count.get(signature, 0) >= below):
                return False
            self._preparing[signature] = threading.Event()
            return True

    def wait_prepared(self, signature: tuple, timeout: float) -> bool:
        """Wait up to `timeout` s for a preparation of this signature; True once none is going on."""
        with self._lock:
            event = self._preparing.get(signature)
        return event is None or event.wait(timeout)

    @contextmanager
    def wanting(self, signature: tuple):
        """The body waits for this signature's preparation on behalf of a run whose learner
        pressed Train (core.training.ahead then hands the set over once its step is traced)."""
        with self._lock:
            self._wanted[signature] = self._wanted.get(signature, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._wanted[signature] -= 1
                if not self._wanted[signature]:
                    del self._wanted[signature]

    def wanted(self, signature: tuple) -> bool:
        """A run waits for this signature's preparation now."""
        with self._lock:
            return signature in self._wanted

    def done_preparing(self, signature: tuple, compiled: _Compiled | None) -> None:
        """The prepared set (None: it failed) joins the free ones; whoever waits goes on."""
        if compiled is not None:
            self.built(signature)
            self.release(signature, compiled)
        with self._lock:
            event = self._preparing.pop(signature, None)
            self._changed.notify_all()
        if event is not None:
            event.set()

    def built(self, signature: tuple) -> None:
        """A new set of this signature exists (in use now; `release` gives it to the pool)."""
        with self._lock:
            self._count[signature] = self._count.get(signature, 0) + 1

    def sets(self, signature: tuple) -> int:
        """Sets of this signature alive, free or in use."""
        with self._lock:
            return self._count.get(signature, 0)

    def release(self, signature: tuple, compiled: _Compiled) -> None:
        with self._lock:
            self._free.append((signature, compiled))
            for sig, _ in self._free[:-self.max_free]:  # the least recently freed go
                self._count[sig] = max(0, self._count.get(sig, 0) - 1)
            del self._free[:-self.max_free]
            self._changed.notify_all()

    def __len__(self) -> int:
        return len(self._free)


class _Builds:
    """Places for building sets outside the turns, taken first come first served. A `low`
    request (a preparation ahead of Train, core.training.ahead, or a further set of a kind in
    use) goes behind every run's build that waits, even one that came later, waits while
    `defer_low()` says so and for LOW_QUIET_S after, and with two places or more leaves one to
    the runs: learners who pressed Train wait for those."""

    def __init__(self):
        self._cond = threading.Condition()
        self._line: list[object] = []
        self._low: set[int] = set()  # ids of the low tickets in the line
        self._running = 0
        self._running_low = 0
        self._busy_at = float("-inf")  # when `defer_low()` last said so
        self.quiet_s = LOW_QUIET_S
        # While this says so, a low request waits even for a free place: the app says "while
        # runs wait for their first epochs" (their builds and first turns come first).
        self.defer_low: Callable[[], bool] = lambda: False  # noqa: E731
        self.crowded: Callable[[], bool] = lambda: True  # noqa: E731 - the app: more than one session trains

    def _position(self, ticket: object) -> int:
        ordered = sorted(self._line, key=lambda t: id(t) in self._low)  # stable: in order within each
        return ordered.index(ticket)

    @contextmanager
    def place(self, width: int, on_wait=None, poll: float = 0.5, low: bool = False,
              defer: bool | None = None, defer_s: float = DEFER_LOW_S, quiet: bool = True):
        """`defer` (low's by default): wait while `defer_low()` says so and, with `quiet`,
        LOW_QUIET_S after (only while `crowded()`: a learner alone has nobody to wait for),
        `defer_s` at most."""
        defer = low if defer is None else defer
        quiet_s = self.quiet_s if quiet else 0.0
        asked = time.perf_counter()
        ticket, until = object(), asked + defer_s
        with self._cond:
            self._line.append(ticket)
            if low:
                self._low.add(id(ticket))
        try:
            while True:
                # (at most DEFER_LOW_S: a session that never leaves must not hold them for ever)
                now = time.perf_counter()
                busy = defer and bool(self.defer_low())  # outside the lock
                if busy:
                    self._busy_at = now
                deferred = defer and now < until and (
                    busy or (now - max(asked, self._busy_at) < quiet_s and self.crowded()))
                with self._cond:
                    # Low builds leave a place to the runs' own builds (with two or more places).
                    room = not low or self._running_low < max(1, width - 1)
                    if not deferred and room and self._position(ticket) < width - self._running:
                        self._leave_line(ticket)
                        self._running += 1
                        self._running_low += low
                        break
                    self._cond.wait(poll)
                if on_wait is not None:
                    on_wait()  # outside the lock: it may raise (a learner who left)
        except BaseException:
            with self._cond:
                self._leave_line(ticket)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._running_low -= low
                self._cond.notify_all()

    def _leave_line(self, ticket: object) -> None:
        self._line.remove(ticket)
        self._low.discard(id(ticket))


_POOL = _Pool()
_BUILDS = _Builds()


def _whole(compiled: _Compiled) -> _Compiled:
    """A set built for later (nobody waits for it) with its chunk and evaluation traced too, so
    that it never runs op by op (`_Compiled.running_eagerly`)."""
    compiled.trace_rest()
    return compiled


class _Lease:
    """A Trainer's hold on a compiled set, kept apart from the Trainer so that a finalizer can
    give the set back without keeping the Trainer alive. Between runs `compiled` is None and
    `state` holds the weights and optimizer variables that the next hold loads again."""

    def __init__(self, signature: tuple | None, xla: bool = True):
        self.signature = signature  # None: a private set, never pooled (reuse=False)
        self.compiled: _Compiled | None = None
        self.state: tuple[list, list] | None = None
        self.token: object | None = None  # marks the set that still has `state` loaded
        self.pinned = False
        self.dirty = False  # trained since `state` was copied
        self.xla = xla
        self.seconds_per_epoch: float | None = None
        self.lock = threading.RLock()

    def hold(self, config: ExperimentConfig, task: str, batch_size: int, data: dict,
             free_wait_s: float = 0.0) -> _Compiled:
        """Have a compiled set with this lease's state loaded (a no-op while held). A scheduled
        turn waits up to `free_wait_s` for a set in use to come back before building one."""
        with self.lock:
            if self.compiled is not None:
                return self.compiled
            compiled = (_POOL.acquire(self.signature, self.token, free_wait_s=free_wait_s)
                        if self.signature is not None else None)
            fresh = compiled is None
            if fresh:
                compiled = _Compiled(config, task, batch_size, data, self.xla)
                if self.signature is not None:
                    _POOL.built(self.signature)
            if self.state is not None:
                if compiled.loaded is not self.token:  # another Trainer used it meanwhile
                    compiled.load(config, data, self.state)
            elif not fresh and compiled.built_for is not self:
                compiled.reset(config, data)
            compiled.loaded, compiled.built_for = self.token, None
            self.compiled = compiled
            if self.seconds_per_epoch is None:
                self.seconds_per_epoch = compiled.seconds_per_epoch
            return compiled

    def prepare_outside_turn(self, build, max_sets: int, on_wait=None, poll: float = 0.5, defer: bool = False) -> None:
        """Before a scheduled run's first turn: when no traced set of its kind is free and fewer
        than `max_sets` (the scheduler's workers) exist, build and trace one now (`build()`
        returns it), on the caller's thread and outside any turn, so that tracing (seconds on a
        busy server) never holds a training slot that quick turns of other runs wait for. When
        the first set of its kind is being prepared, wait for it here (calling `on_wait()` every
        `poll` s: where Streamlit stops a learner who left). A further set of a kind in use is
        built in a background thread: sets in use come back within a turn, and the run's turn
        waits for one (`hold`'s `free_wait_s`) or for that set. A preparation ahead that this
        run waits for hands its set over as soon as its step is traced (`wanting`)."""
        if self.signature is None or self.compiled is not None:
            return
        deadline = time.perf_counter() + PREPARE_WAIT_S
        while True:
            if _POOL.start_preparing(self.signature, below=max_sets):
                if _POOL.sets(self.signature):  # one more of a kind in use: nobody waits for it
                    threading.Thread(target=self._build_into_pool, args=(lambda: _whole(build()), max_sets),
                                     kwargs={"low": True}, name="extra-set", daemon=True).start()
                else:
                    self._build_into_pool(build, max_sets, on_wait, poll, defer=defer)
                return
            if _POOL.sets(self.signature) or _POOL.wait_prepared(self.signature, 0):
                return
            if time.perf_counter() > deadline:
                return
            with _POOL.wanting(self.signature):  # the preparation may hand its set over early
                if _POOL.wait_prepared(self.signature, poll):
                    return  # its set is in the pool (or it failed: the turn builds one)
            if on_wait is not None:
                on_wait()

    def _build_into_pool(self, build, width: int, on_wait=None, poll: float = 0.5, low: bool = False,
                         defer: bool = False) -> None:
        """At most `width` builds at once, first come first served: traces are Python work, and
        many at once only share the interpreter's lock, so that all of them end late. A further
        set of a kind in use (`low`: nobody waits for it) goes behind the first sets of new kinds
        (measured: a class's default runs built their second set first, ~3 s, while the new
        architectures' learners waited)."""
        compiled = None
        try:
            # A further set goes without waiting for a quiet moment: with one set, the kind's
            # turns run one at a time (measured: a class's default learners waited for it).
            with _BUILDS.place(width, on_wait, poll, low=low, quiet=not low, defer=low or defer):
                compiled = build()
        finally:
            _POOL.done_preparing(self.signature, compiled)

    def traced_ready(self) -> bool:
        """A traced set of this lease's kind is free in the pool, or one is being prepared."""
        return self.signature is not None and _POOL.traced_or_preparing(self.signature)

    def park(self) -> None:
        """Copy the state out (if trained since the last copy) and give the set back to the
        pool, unless it is pinned or private."""
        with self.lock:
            compiled = self.compiled
            if compiled is None or self.pinned or self.signature is None:
                return
            if self.dirty:
                self.state, self.token, self.dirty = compiled.state(), object(), False
            compiled.loaded = self.token
            self.xla = compiled.xla
            self.compiled = None
            _POOL.release(self.signature, compiled)

    def release(self) -> None:
        """The Trainer is gone: the set goes back to the pool as it is (no state to keep)."""
        with self.lock:
            compiled, self.compiled = self.compiled, None
            if compiled is not None and self.signature is not None:
                _POOL.release(self.signature, compiled)
