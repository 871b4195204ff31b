"""Replay a run that has ended: its stored snapshots drawn again, curves and boundary in step.

`draw_frame(trainer, views, k, log_y)` draws "the views at snapshot k"; other views (a network
diagram) join by appending a function `hook(trainer, views, snapshot)` to FRAME_HOOKS. `replay`
draws the controls (Play, Pause, speed, an epoch slider) and, after Play, animates: a loop on
the script thread that draws a frame and sleeps, so any click (Pause included) interrupts it
at its next frame; the frame it reached is kept and shown by the next run of the page.
"""

from __future__ import annotations

import time

import streamlit as st

from core.training import WATCH_SECONDS
from ui import admission
from ui.frame import tr

SPEEDS = (0.5, 1.0, 2.0, 4.0)
MIN_FRAME_SECONDS = 0.05
EPOCH_KEY = "lab_replay_epoch"  # the slider: the snapshot on screen
REACHED_KEY = "lab_replay_at"   # the frame a playing replay reached (applied to the slider next run)
FRAME_HOOKS: list = []


def snapshot_indices(trainer) -> list[int]:
    """Positions in the history of the records that carry a snapshot."""
    return [i for i, record in enumerate(trainer.history) if record.snapshot is not None]


def draw_frame(trainer, views, k: int, log_y: bool) -> None:
    """The views as they were at snapshot k: the curves up to its epoch, the boundary at it."""
    position = snapshot_indices(trainer)[k]
    snapshot = trainer.history[position].snapshot
    views.draw_curves(trainer, trainer.history[:position + 1], log_y, live=True)
    if views.boundary is not None and snapshot.boundary is not None:
        views.draw_boundary(trainer, snapshot, live=True)
    for hook in FRAME_HOOKS:
        hook(trainer, views, snapshot)


def replay(trainer, views, log_y: bool, slot) -> None:
    """The replay controls in `slot`, and the replay itself when Play was pressed."""
    if trainer is None or trainer.status == "running":
        return
    indices = snapshot_indices(trainer)
    if len(indices) < 2:
        return
    epochs = [trainer.history[i].epoch for i in indices]
    s = st.session_state
    reached = s.pop(REACHED_KEY, None)
    if reached in epochs:
        s[EPOCH_KEY] = reached
    if s.get(EPOCH_KEY) not in epochs:
        s[EPOCH_KEY] = epochs[-1]
    with slot:
        row = st.container(horizontal=True, vertical_alignment="bottom")
        play = row.button(tr("lab.replay.play"), key="lab_replay_play", icon=":material/replay:")
        row.button(tr("lab.replay.pause"), key="lab_replay_pause", icon=":material/pause:")
        speed = row.select_slider(tr("lab.replay.speed"), SPEEDS, value=1.0, key="lab_replay_speed",
                                  format_func=lambda v: f"{v:g}×", width=180)
        epoch = row.select_slider(tr("lab.replay.epoch"), epochs, key=EPOCH_KEY, width=320)
        st.caption(tr("lab.replay.caption", seconds=f"{WATCH_SECONDS:g}"))
    k = epochs.index(epoch)
    if play:
        admission.leave()  # it sleeps between its frames: not in other learners' way
        start = 0 if k == len(epochs) - 1 else k
        frame_seconds = max(MIN_FRAME_SECONDS, WATCH_SECONDS / speed / len(epochs))
        for k in range(start, len(epochs)):
            began = time.perf_counter()
            draw_frame(trainer, views, k, log_y)
            s[REACHED_KEY] = epochs[k]
            time.sleep(max(0.0, frame_seconds - (time.perf_counter() - began)))
    elif k != len(epochs) - 1:
        draw_frame(trainer, views, k, log_y)
