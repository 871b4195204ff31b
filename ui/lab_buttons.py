"""The Lab's buttons as one decision: which run is on screen and how many epochs to train now.

Train starts a new run; Step trains one epoch (a new run first if the settings changed);
Continue trains the run on screen further; Reset forgets it. A run that diverged cannot go on.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.config import ExperimentConfig
from ui.frame import tr

TRAINER_KEY = "lab_trainer"


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
        stop=row.button(tr("lab.buttons.stop"), key="lab_stop", icon=":material/stop:"),
        resume=row.button(tr("lab.buttons.continue"), key="lab_continue", icon=":material/fast_forward:"),
        reset=row.button(tr("lab.buttons.reset"), key="lab_reset", icon=":material/restart_alt:"),
        log_y=row.toggle(tr("lab.buttons.log_y"), key="lab_log_y"))


def decide(pressed: Pressed, config: ExperimentConfig | None):
    """(the run to show or None, epochs to train now or None, whether a new run must be built).
    A new run is built by the page under its views (`ui.live_training.start_run`), so the
    status line and the data preview stay on screen while TensorFlow builds and traces."""
    s = st.session_state
    trainer = s.get(TRAINER_KEY)
    if pressed.reset:
        s[TRAINER_KEY] = trainer = None
    needs_new = trainer is None or trainer.config != config or trainer.status == "diverged"
    if pressed.train or (pressed.step and needs_new):
        # Let go of the old run first: its model and compiled functions then go back to a pool
        # and the new run reuses them if the architecture is the same (no new tracing).
        s[TRAINER_KEY] = None
        return None, 1 if pressed.step else config.epochs, True
    if pressed.resume and (trainer is None or trainer.status == "diverged"):
        st.info(tr("lab.status.nothing_to_continue"))
        return trainer, None, False
    if pressed.step or pressed.resume:
        if pressed.resume and trainer.config != config:
            st.info(tr("lab.status.continue_old"))
        return trainer, 1 if pressed.step else (config or trainer.config).epochs, False
    return trainer, None, False
