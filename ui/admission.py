"""One Lab script run at a time does its Python work: the others wait their turn, in order.

A classroom opens the Lab and presses Train within the same second. Every script run is Python
on the server's one interpreter lock; 30 of them at once share it in 1 ms slices, so each one
finishes only when nearly all have (processor sharing): measured, 30 default-link learners all
saw their first epoch at 2.1-3.1 s. In line, one after the other, the k-th is done after k runs'
work, and the first learners see their first epoch at once.

The gate covers a run's own work (reading the controls, deciding what to do, drawing what is
there): ui.app holds it around the pages in its IN_LINE. It is let go before anything that
waits, by the function that waits: the training turns (ui.live_training.train_live: the
scheduler keeps its own fair order), a run being wound down (`settle`), TensorFlow's import
(`start_run`), a replay's frames (ui.lab_replay). A run that does not get in within
WAIT_SECONDS goes ahead anyway, so a run that holds the gate longer than expected slows the
others, never stops them.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

WAIT_SECONDS = 5.0  # at most this long in line (30 runs of ~0.1 s go through in about 3 s)

_gate = threading.Semaphore(1)
_mine = threading.local()  # whether this thread (a script run) holds the gate


def enter(timeout: float = WAIT_SECONDS) -> bool:
    """Wait in line for the gate (at most `timeout` s). True when this run holds it."""
    if not held():
        _mine.held = _gate.acquire(timeout=timeout)
    return held()


def leave() -> None:
    """Let the next run in (nothing happens when this run does not hold the gate)."""
    if held():
        _mine.held = False
        _gate.release()


def held() -> bool:
    return getattr(_mine, "held", False)


@contextmanager
def admitted(timeout: float = WAIT_SECONDS):
    """Hold the gate for the body, or until `leave()`; always let go at the end (also when the
    run is interrupted or stopped)."""
    enter(timeout)
    try:
        yield
    finally:
        leave()
