"""A server-wide budget for drawing live frames, so that drawing never starves training.

Every live session redraws its status line and SVG frames between chunks, and each redraw is
server work (building the SVG, serialising Streamlit deltas) on the same cores as training. One
session redraws up to ten times a second; thirty would spend the server on frames. The budget
gives drawing, all sessions together, at most `share` of a core per core (measured per frame,
smoothed): with n live sessions each may redraw every n x frame_seconds / (share x cores)
seconds, never more often than `min_interval`. Under load a learner's redraw rate drops; the
training chunks (core.training.scheduler) go on.

Counters (`frames`, `frame_seconds`) say how much drawing cost, for the load benchmark.
"""

from __future__ import annotations

import threading

FRAME_SHARE = 0.25       # of the server's CPU time, for drawing live frames, all sessions together
MIN_INTERVAL = 0.1       # one session redraws at most ten times a second
MAX_INTERVAL = 5.0       # and at least every five seconds, however busy
SMOOTHING = 0.2


class FrameBudget:
    def __init__(self, cores: int, share: float = FRAME_SHARE, min_interval: float = MIN_INTERVAL,
                 max_interval: float = MAX_INTERVAL):
        self.cores = max(1, int(cores))
        self.share = share
        self.min_interval = min_interval
        self.max_interval = max_interval
        self._lock = threading.Lock()
        self.live = 0                       # sessions drawing live frames now
        self.frame_seconds: float | None = None  # the smoothed cost of one redraw
        self.frames = 0
        self.total_seconds = 0.0
        self.cpu_seconds = 0.0  # of the drawing threads (counted only, for the load benchmark)

    def enter(self) -> None:
        with self._lock:
            self.live += 1

    def leave(self) -> None:
        with self._lock:
            self.live = max(0, self.live - 1)

    def record(self, seconds: float, cpu_seconds: float = 0.0) -> None:
        """One redraw took `seconds` (wall time on the drawing thread; `cpu_seconds` of CPU)."""
        with self._lock:
            self.frames += 1
            self.total_seconds += seconds
            self.cpu_seconds += cpu_seconds
            self.frame_seconds = seconds if self.frame_seconds is None else (
                (1 - SMOOTHING) * self.frame_seconds + SMOOTHING * seconds)

    def interval(self) -> float:
        """Seconds between two redraws of one session now."""
        with self._lock:
            if self.frame_seconds is None:
                return self.min_interval
            wanted = self.live * self.frame_seconds / (self.share * self.cores)
            return min(self.max_interval, max(self.min_interval, wanted))

    def drawing_share(self) -> float:
        """The share of the server's CPU that drawing would take at the current interval (for
        tests and the benchmark): live x frame_seconds / interval / cores."""
        interval = self.interval()
        with self._lock:
            if self.frame_seconds is None:
                return 0.0
            return self.live * self.frame_seconds / interval / self.cores
