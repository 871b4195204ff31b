"""Fair turns on the CPU for every running training session: round robin, in time slices.

A classroom presses Train within seconds. With one training slot per core, first come first
served, the 30th learner waited for 29 whole runs. Here every running session trains a short
chunk of epochs (a time slice, SLICE_SECONDS of measured work) and then lets the next session
have the core: `workers` turns run at once (one per core), the others wait in line. So every
session gets its first epochs within about one round of turns, and the runs finish together
rather than one after the other.

- Order: a session's first turn (taking or building its model, epoch 0 and its first trained
  chunk, all in one turn) goes before other sessions' later turns; within each of the two
  levels, first come first served. A session that ends a turn asks for the next one at the back of the line: round robin.
  While a session builds its model for its first epoch (outside the turns: a new architecture's
  trace, ~1 s of Python), later turns wait, at most BUILD_PAUSE_SECONDS: every turn shares the
  interpreter's lock with the build, and that build's learner has seen no epoch yet.
- A turn holds the compiled set only while it runs (core.training.loop's `_turn` hook parks it
  afterwards): 30 sessions of one architecture share the few compiled sets that are in use at
  one moment (core.training.pool), so memory and tracing do not grow with the class.
- Leaving: a turn is given back in a `finally` (a stopped, diverged or failed chunk, a closed
  tab: Streamlit interrupts the waiting session in `on_wait`); `leave()` takes the session out.
- Estimates (`place`), from measured turn times only: the wait for the next turn is the expected
  remaining length of the turns running and the turns ahead in line (a first turn, which may
  build the model, as long as first turns were), divided by `workers`; the
  time left for the run is a processor-sharing model over every session's work left
  (units left x its measured seconds per unit): while n > workers sessions run, each gets
  workers / n of a core.

Without streamlit: the UI (ui.fair_training) passes `on_wait` to draw the learner's place.
The non-blocking steps (`request`, `try_start`, `end`, `place`) are public so that a simulated
clock can drive the same decisions (tests/claims/test_scheduler_estimates.py).
"""

from __future__ import annotations

import itertools
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

SLICE_SECONDS = 0.06        # a turn's target length: ~16 turns a second per core
FIRST_SLICE_SECONDS = 0.02  # a session's first trained chunk: its first epochs, soon
FIRST_TURNS = 1             # the model, epoch 0 and the first chunk, in one turn
POLL_SECONDS = 0.5          # how often a waiting session hears its place (and may be stopped)
BUILD_PAUSE_SECONDS = 4.0   # later turns wait at most this long for a build that a first epoch waits for
SMOOTHING = 0.5             # weight of the newest measurement in the running means


@dataclass
class Place:
    """Where a session stands. `wait_s` and `left_s` are None until something was measured."""

    ahead: int              # sessions in line before this one
    sessions: int           # sessions sharing the server now
    wait_s: float | None    # until this session's next turn starts
    left_s: float | None    # until this session's run ends, by processor sharing


@dataclass
class Turn:
    """What the caller reports about a turn it ran: units of work done (epochs) and left."""

    units: float = 0.0
    units_left: float | None = None
    setup_seconds: float = 0.0  # of it, one-time work (a first turn's model and epoch 0), not per unit


class Session:
    """One running session's standing with the scheduler (join -> turns -> leave)."""

    def __init__(self, scheduler: Scheduler, kind: object = None, on_wait=None):
        self.scheduler = scheduler
        self.kind = kind                    # e.g. the architecture: its work per unit is alike
        self.on_wait = on_wait              # called with a Place while waiting (outside the lock)
        self.turns = 0
        self.first_trained: bool = False    # a turn with units > 0 has run
        self.trained_turns = 0
        self.last_trained_turn_s: float | None = None
        self.seconds_per_unit: float | None = None
        self.turn_seconds: float | None = None  # the measured length of its turns after the first (mean)
        self.units_left: float | None = None
        self.seq: int | None = None         # its place in line while it waits
        self.started_at: float | None = None  # while its turn runs
        self.left = False
        self.outside = False                # building its model outside the turns (`building`)
        self.outside_since: float | None = None

    @property
    def level(self) -> int:
        return 0 if self.turns < FIRST_TURNS else 1

    @property
    def slice_seconds(self) -> float:
        """How much work its next turn should be (the Trainer sizes its chunk to it)."""
        return FIRST_SLICE_SECONDS if not self.first_trained else self.scheduler.slice_seconds

    @contextmanager
    def turn(self, poll: float = POLL_SECONDS):
        """Wait for this session's turn and hold it for the body; the body fills in the Turn."""
        report = Turn()
        self.scheduler.wait_turn(self, poll)
        cpu = time.thread_time()
        try:
            yield report
        finally:
            self.scheduler.end(self, report, cpu_seconds=time.thread_time() - cpu)

    @contextmanager
    def building(self):
        """The body builds this session's model outside the turns, before its first turn."""
        with self.scheduler._cond:
            self.outside, self.outside_since = True, self.scheduler.clock()
        try:
            yield
        finally:
            with self.scheduler._cond:
                self.outside = False
                self.scheduler._cond.notify_all()  # later turns held back for the build may go

    def place(self) -> Place:
        return self.scheduler.place(self)

    def leave(self) -> None:
        self.scheduler.leave(self)


class Scheduler:
    """Round-robin turns for the sessions that train, `workers` at a time."""

    def __init__(self, workers: int, slice_seconds: float = SLICE_SECONDS, clock=time.perf_counter):
        self.workers = max(1, int(workers))
        self.slice_seconds = slice_seconds
        self.clock = clock
        self._cond = threading.Condition()
        self._sessions: list[Session] = []
        self._waiting: list[Session] = []
        self._running: list[Session] = []
        self._seq = itertools.count()
        self.turn_seconds: float | None = None  # mean turn length over all sessions, first turns apart:
        self.first_turn_seconds: float | None = None  # they may build the model
        self.turns_run = 0
        self.turn_seconds_total = 0.0
        self.turn_cpu_total = 0.0  # CPU seconds of the turns' threads (for the load benchmark)

    # ---- membership ------------------------------------------------------------------------
    def join(self, kind: object = None, on_wait=None) -> Session:
        session = Session(self, kind, on_wait)
        with self._cond:
            self._sessions.append(session)
        return session

    def leave(self, session: Session) -> None:
        with self._cond:
            session.left = True
            for line in (self._sessions, self._waiting, self._running):
                if session in line:
                    line.remove(session)
            self._cond.notify_all()

    @property
    def sessions(self) -> int:
        with self._cond:
            return len(self._sessions)

    def first_turns_waiting(self) -> int:
        """Sessions in line for their first turn (their learners see no trained epoch yet), or
        building their model before it (`Session.building`: a new architecture's trace takes
        seconds of the interpreter's lock, which other sessions' redraws and compiles share)."""
        with self._cond:
            return sum(1 for s in self._sessions if s.turns == 0 and (s in self._waiting or s.outside))

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    # ---- the non-blocking steps ------------------------------------------------------------
    def request(self, session: Session) -> None:
        """Join the line for a turn (at the back of the session's level)."""
        with self._cond:
            if session.seq is None and session not in self._running:
                session.seq = next(self._seq)
                self._waiting.append(session)
                if session not in self._sessions:  # a session that left and comes back
                    session.left = False
                    self._sessions.append(session)

    def try_start(self, session: Session) -> bool:
        """Start the session's turn if a worker is free and nobody is ahead of it."""
        with self._cond:
            if session not in self._waiting:
                return session in self._running
            free = self.workers - len(self._running)
            if free <= 0 or self._line().index(session) >= free or self._held_for_builds(session):
                return False
            self._waiting.remove(session)
            session.seq = None
            session.started_at = self.clock()
            self._running.append(session)
            return True

    def _held_for_builds(self, session: Session) -> bool:
        """A later turn waits while another session builds its model for its first epoch (at
        most BUILD_PAUSE_SECONDS per build): a build is seconds of Python that shares the
        interpreter's lock with every turn, and its learner has seen no trained epoch yet,
        while this session's learner has. First turns are never held."""
        if session.level == 0:
            return False
        now = self.clock()
        return any(s.outside and s.turns == 0 and now - s.outside_since < BUILD_PAUSE_SECONDS
                   for s in self._sessions if s is not session)

    def first_turn_elsewhere(self, session: Session) -> None:
        """The session's first turn was trained outside these turns (core.training.helper): its
        learner has seen a trained epoch, and its next turn is a later one."""
        with self._cond:
            session.turns = max(session.turns, FIRST_TURNS)
            session.first_trained = True
            self._cond.notify_all()

    def end(self, session: Session, report: Turn | None = None, cpu_seconds: float = 0.0) -> None:
        """The turn is over (in any way): measure it and let the next one start. `cpu_seconds`
        (the turn thread's CPU) is only counted, for the load benchmark."""
        report = report or Turn()
        with self._cond:
            if session in self._waiting:  # it never started (stopped while waiting)
                self._waiting.remove(session)
                session.seq = None
            if session in self._running:
                self._measure(session, self.clock() - session.started_at, report, cpu_seconds)
            if report.units_left is not None:
                session.units_left = report.units_left
            self._cond.notify_all()

    def _measure(self, session: Session, seconds: float, report: Turn, cpu_seconds: float) -> None:
        """A running turn ended after `seconds` (under the lock)."""
        self._running.remove(session)
        session.started_at = None
        session.turns += 1
        self.turns_run += 1
        self.turn_seconds_total += seconds
        self.turn_cpu_total += cpu_seconds
        if session.turns == 1:  # it may have built the model: measured apart
            self.first_turn_seconds = _mean(self.first_turn_seconds, seconds)
        else:
            session.turn_seconds = _mean(session.turn_seconds, seconds)
            self.turn_seconds = _mean(self.turn_seconds, seconds)
        if report.units > 0:
            # The first trained turn is a short slice, its fixed costs weigh more: the next
            # measurement replaces it rather than being averaged with it. A first turn's
            # one-time work (the model, epoch 0) is not work per unit.
            provisional = session.trained_turns == 1
            work = max(seconds - report.setup_seconds, 0.01 * seconds)
            session.trained_turns += 1
            session.last_trained_turn_s = work
            session.first_trained = True
            session.seconds_per_unit = _mean(None if provisional else session.seconds_per_unit,
                                             work / report.units)

    def place(self, session: Session) -> Place:
        with self._cond:
            now = self.clock()
            n = len(self._sessions)
            if session in self._running:
                return Place(0, n, 0.0, self._left(session, 0.0))
            line = self._line()
            position = line.index(session) if session in line else len(line)  # as if it asked now
            if position < self.workers - len(self._running):
                return Place(0, n, 0.0, self._left(session, 0.0))
            wait = self._wait(line[:position], now)
            return Place(position, n, wait, self._left(session, wait))

    # ---- blocking ----------------------------------------------------------------------------
    def wait_turn(self, session: Session, poll: float = POLL_SECONDS) -> None:
        """Block until the session's turn starts. `session.on_wait(place)` runs every `poll`
        seconds meanwhile, outside the lock: it may raise (Streamlit stopping the script), and
        the session is then taken out of the line."""
        self.request(session)
        try:
            last_told = self.clock()
            while not self.try_start(session):
                with self._cond:
                    self._cond.wait(timeout=min(poll, 0.05) if session.on_wait is None else poll / 4)
                if session.on_wait is not None and self.clock() - last_told >= poll:
                    last_told = self.clock()
                    session.on_wait(self.place(session))
        except BaseException:
            self.end(session)
            raise

    # ---- estimates ---------------------------------------------------------------------------
    def _line(self) -> list[Session]:
        return sorted(self._waiting, key=lambda s: (s.level, s.seq))

    def _expected_turn(self, session: Session) -> float:
        """Its own measured turn length, else (a first turn) first turns' mean, else everyone's
        mean, else a slice."""
        if session.turns == 0:
            return self.first_turn_seconds or self.turn_seconds or self.slice_seconds
        return session.turn_seconds or self.turn_seconds or self.first_turn_seconds or self.slice_seconds

    def _wait(self, ahead: list[Session], now: float) -> float | None:
        if self.turn_seconds is None and self.first_turn_seconds is None:
            return None
        # A turn that runs past its expected length (tracing a new model) is assumed to run
        # about half as long again as it has so far.
        residual = sum(max(self._expected_turn(s) - (now - s.started_at), 0.5 * (now - s.started_at))
                       for s in self._running)
        queued = sum(self._expected_turn(s) for s in ahead)
        return (residual + queued) / self.workers

    def _work_left(self, session: Session) -> float | None:
        if session.units_left is None:
            return None
        per_unit = session.seconds_per_unit
        if per_unit is None:  # not measured yet: like its kind, else like everyone
            alike = [s.seconds_per_unit for s in self._sessions if s.seconds_per_unit is not None
                     and s.kind == session.kind] or [s.seconds_per_unit for s in self._sessions
                                                     if s.seconds_per_unit is not None]
            if not alike:
                return None
            per_unit = sum(alike) / len(alike)
        return session.units_left * per_unit

    def _left(self, session: Session, wait: float | None) -> float | None:
        mine = self._work_left(session)
        if mine is None:
            return None
        if wait is not None and mine <= max(self.slice_seconds, session.last_trained_turn_s or 0.0):
            return wait + mine  # what is left fits in its next turn
        others = [w for s in self._sessions if s is not session and (w := self._work_left(s)) is not None]
        return processor_sharing_finish(mine, others, self.workers)


def processor_sharing_finish(mine: float, others: list[float], workers: int) -> float:
    """When a job with `mine` seconds of work ends, if it and `others` share `workers` cores
    equally (each job at most one core) and no new job comes."""
    works = sorted([*others, mine])
    elapsed, done, active = 0.0, 0.0, len(works)
    for work in works:
        elapsed += (work - done) * max(1.0, active / workers)
        done = work
        active -= 1
        if work >= mine:
            return elapsed
    return elapsed


def _mean(old: float | None, new: float) -> float:
    return new if old is None else (1 - SMOOTHING) * old + SMOOTHING * new
