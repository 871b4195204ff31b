"""Streamlit glue for fair training: the server's scheduler and frame budget, a learner's place
in line and estimate on the status line, and the run's turns (core.training.scheduler,
core.frame_budget).

A Lab run is one scheduler session for the length of `train_live`: its first turn (taking
or building its model, epoch 0, a short first chunk) goes before other runs' later turns, then it
trains a time slice per turn, round robin. While it waits, `on_wait` redraws the status line
(the learner's place and an estimate from measured turn times); that draw is also where
Streamlit stops a waiting run whose learner pressed Stop or closed the tab.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import streamlit as st

from core.frame_budget import FrameBudget
from core.training.scheduler import Place, Scheduler, Session
from ui import load_log, slots
from ui.frame import tr

LOAD_LOG_ENV = load_log.LOAD_LOG_ENV  # "1": one line of drawing/training totals per run, on stderr


@st.cache_resource(show_spinner=False)
def scheduler() -> Scheduler:
    """One per server: as many turns at once as training slots (cores, or KERAS_LENS_MAX_TRAININGS)."""
    from core.training.pool import _BUILDS

    made = Scheduler(slots.default_size())
    _BUILDS.defer_low = made.first_turns_waiting  # no low build while runs wait for their first epochs
    _BUILDS.crowded = lambda: made.sessions > 1  # nor in the quiet moment after, unless alone
    return made


@st.cache_resource(show_spinner=False)
def frame_budget() -> FrameBudget:
    return FrameBudget(os.cpu_count() or 1)


def _kind(config) -> object:
    """Runs alike in cost per epoch: the same architecture and data size."""
    return config.replace(seed=0, learning_rate=0.0, epochs=0, noise=0.0)


def seconds_text(seconds: float) -> str:
    return f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}"


def waiting_text(place: Place) -> str:
    if place.wait_s is None:
        return tr("lab.status.waiting", ahead=place.ahead)
    return tr("lab.status.waiting_eta", ahead=place.ahead, seconds=seconds_text(max(0.1, place.wait_s)))


def sharing_note(session: Session | None) -> str | None:
    """'n runs share this server: about s left', while other runs train too."""
    if session is None:
        return None
    place = session.place()
    if place.sessions < 2 or place.left_s is None:
        return None
    return tr("lab.status.sharing", sessions=place.sessions, seconds=seconds_text(place.left_s))


def build_trainer(config):
    """A new Trainer for `config`, without a compiled set yet: its first turn (train_live) takes
    one from the pool of compiled sets (or builds and traces it), evaluates epoch 0 and trains
    the first chunk, so that a run needs one turn, not three, before its first trained epoch."""
    from core.training import Trainer

    return Trainer(config, hold=False)


@contextmanager
def scheduled(trainer, views):
    """The run trains in turns for the body; on leaving, its session leaves the scheduler."""
    session = trainer.scheduled or scheduler().join(kind=_kind(trainer.config))
    trainer.scheduled = session  # a later run of this trainer comes back with the same session

    def on_wait(place: Place) -> None:
        if trainer.history and trainer.history[-1].epoch >= 1:
            views.note = sharing_note(session)
            views.status_line(trainer)
        else:
            views.status.info(waiting_text(place))

    session.on_wait = on_wait
    budget = frame_budget()
    budget.enter()
    try:
        yield session
    finally:
        budget.leave()
        session.leave()
        session.on_wait = None
        load_log.log()


CROWDED_DRAW_INTERVAL = 1.0  # while runs wait for their first turn, others redraw at most this often


class Redraws:
    """When a live session may redraw: at most every `frame_budget().interval()` seconds (and
    never more than 40 % of its own time; while other runs wait for their first epochs, at most
    every CROWDED_DRAW_INTERVAL: drawing takes the CPU their first turns need), always for its
    first look. `draw(fn)` measures the cost."""

    def __init__(self, min_interval: float, session: Session | None = None):
        self.budget = frame_budget()
        self.session = session
        self.min_interval = min_interval
        self.last = 0.0
        self.own = min_interval
        self.shown = False
        self.trained_shown = False

    def due(self, latest) -> bool:
        """Whether to draw now, `latest` being the newest record (the history's last). The first
        frame and the first with a trained epoch are always drawn (the learner's first look):
        once, when epoch 0 and the first chunk came from one turn."""
        if not self.shown or (latest.epoch >= 1 and not self.trained_shown):
            self.shown, self.trained_shown = True, latest.epoch >= 1
            return True
        since = time.perf_counter() - self.last
        if since < max(self.min_interval, self.own, self.budget.interval()):
            return False
        return since >= CROWDED_DRAW_INTERVAL or self.session is None or not self.session.scheduler.first_turns_waiting()

    def draw(self, fn) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        fn()
        self.last = time.perf_counter()
        seconds = self.last - started
        self.budget.record(seconds, cpu_seconds=time.thread_time() - cpu)
        # On a busy server drawing may get slow: keep it under ~40 % of this session's time.
        self.own = 2.5 * seconds


def prepare_ahead(config) -> None:
    """Build and trace `config`'s architecture in the background while the learner is still
    choosing (core.training.prepare), so that Train trains at once. With runs in line too: the
    preparation waits behind their own builds (at most one per worker at once), and a run of
    this architecture then finds it traced, or waits for it instead of tracing a second one."""
    if config is None:
        return
    from core.training import ahead
    from ui import warmup

    sched = scheduler()
    ahead.width = lambda: sched.workers
    ahead.ready = warmup.wait  # TensorFlow is imported by the warm-up thread alone
    try:
        ahead.prepare(config)
    except Exception:  # noqa: BLE001 - a head start, never a reason for the page to fail
        pass
