"""A process-wide limit on concurrent training runs, so one small server stays responsive for
a classroom. Waiting users see their place in the queue; a run that ends in any way (finished,
Stop, a widget change, a closed tab) gives its slot back in a `finally`."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

import streamlit as st

ENV_VAR = "KERAS_LENS_MAX_TRAININGS"


class SlotPool:
    def __init__(self, size: int):
        self.size = size
        self._free = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._queue: list[int] = []  # tickets of waiting runs, first come first served
        self._next_ticket = 0
        self.running = 0

    def ahead_of(self, ticket: int) -> int:
        with self._lock:
            return self._queue.index(ticket) if ticket in self._queue else 0

    @contextmanager
    def slot(self, on_wait=lambda ahead: None, poll: float = 0.25):
        """Hold a slot for the body. `on_wait(n_ahead)` is called while waiting; it is where
        Streamlit may interrupt a waiting user who clicks Stop or leaves."""
        with self._lock:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._queue.append(ticket)
        acquired = False
        try:
            while True:
                # Only the head of the queue may take a free slot: first come, first served.
                if self.ahead_of(ticket) == 0:
                    if self._free.acquire(timeout=poll):
                        acquired = True
                        break
                else:
                    time.sleep(poll)
                on_wait(self.ahead_of(ticket))
        finally:
            with self._lock:
                self._queue.remove(ticket)
                if acquired:
                    self.running += 1
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._free.release()


def default_size() -> int:
    try:
        return max(1, int(os.environ.get(ENV_VAR, "")))
    except ValueError:
        return max(1, os.cpu_count() or 1)


@st.cache_resource(show_spinner=False)
def pool() -> SlotPool:
    return SlotPool(default_size())
