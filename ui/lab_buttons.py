"""The Lab's buttons as one decision: which run is on screen and how many epochs to train now.

Train starts a new run; Step trains one epoch (a new run first if the settings changed);
Continue trains the run on screen further; Reset forgets it. A run that diverged cannot go on.
Settings that may change during a run (core.config.LIVE_FIELDS: learning rate, L2, early
stopping, watch) do not need a new run: a change reruns the page, which interrupts the run, and
the run then goes on with the new values (`decide`), marked on its curves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from core.config import ExperimentConfig, live_changes
from ui.frame import tr

TRAINER_KEY = "lab_trainer"
# An interrupted run goes on by itself only if it was interrupted this recently (a widget
# changed during the run); a run left by navigating away and back stays stopped.
RESUME_SECONDS = 10.0


@dataclass
class Pressed:
    """The buttons of this run of the page (at most one of them is True)."""

    train: bool
    step: bool
    stop: bool
    resume: bool
    reset: bool
    log_y: bool


def draw(disabled: bool) -> Pressed:
    """The row of buttons. A horizontal row sizes each button to its label, so none is cut
    short in presentation mode."""
    row = st.container(horizontal=True, vertical_alignment="center")
    return Pressed(
        train=row.button(tr("lab.buttons.train"), type="primary", key="lab_train", disabled=disabled,
                         icon=":material/play_arrow:"),
        step=row.button(tr("lab.buttons.step"), key="lab_step", disabled=disabled, icon=":material/skip_next:"),
        stop=row.button(tr("lab.buttons.stop"), key="lab_stop", icon=":material/stop:", on_click=_stop_clicked),
        resume=row.button(tr("lab.buttons.continue"), key="lab_continue", icon=":material/fast_forward:"),
        reset=row.button(tr("lab.buttons.reset"), key="lab_reset", icon=":material/restart_alt:"),
        log_y=row.toggle(tr("lab.buttons.log_y"), key="lab_log_y"))


def _stop_clicked() -> None:
    """Stop reaches the trainer before anything else of the rerun (callbacks run first): the
    old script run trains on until its next drawing call, but the trainer ends at its next
    chunk boundary, at most one frame's worth of epochs after what was on screen."""
    trainer = st.session_state.get(TRAINER_KEY)
    if trainer is not None:  # running, or just ended by this rerun's interruption: not to go on
        trainer.stop()


def decide(pressed: Pressed, config: ExperimentConfig | None):
    """(the run to show or None, epochs to train now or None, whether a new run must be built).
    A new run is built by the page under its views (`ui.live_training.start_run`), so the
    status line and the data preview stay on screen while TensorFlow builds and traces."""
    s = st.session_state
    trainer = s.get(TRAINER_KEY)
    if pressed.reset:
        s[TRAINER_KEY] = trainer = None
        if config is not None:
            st.info(tr("lab.status.reset", seed=config.seed))
    changes = live_changes(trainer.config, config) if trainer is not None and config is not None else None
    needs_new = trainer is None or changes is None or trainer.status == "diverged"
    if pressed.train or (pressed.step and needs_new):
        # Let go of the old run first: its model and compiled functions then go back to a pool
        # and the new run reuses them if the architecture is the same (no new tracing).
        s[TRAINER_KEY] = None
        return None, 1 if pressed.step else config.epochs, True
    if pressed.resume and (trainer is None or trainer.status == "diverged"):
        st.info(tr("lab.status.nothing_to_continue"))
        return trainer, None, False
    if pressed.step or pressed.resume:
        if changes is None:
            st.info(tr("lab.status.continue_old"))
        elif changes:
            trainer.retune(config)
        return trainer, 1 if pressed.step else (config or trainer.config).epochs, False
    if (not pressed.stop and trainer is not None and changes is not None and trainer.resumable
            and time.perf_counter() - trainer.stopped_at < RESUME_SECONDS):
        trainer.retune(config)  # the run goes on where it was interrupted, with the new values
        return trainer, trainer.target - trainer.epoch, False
    return trainer, None, False
