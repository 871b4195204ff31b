"""Work that every session of a server shares: computed once, the others wait for it.

One store per server (the UI keeps it in `st.cache_resource`) maps a key (the page's name and
the experiment's parameters) to an entry that is running, done or failed:

    token = work.claim(key, owner)      # None: done already, or another owner is on it
    work.progress(key, token, 0.4, "epoch 12/30")   # False once the claim is gone: stop
    work.put(key, token, value)         # or work.fail(key, token, error), or work.release(...)
    entry = work.wait(key, timeout)     # a waiter's view: state, fraction, text, owner, value

`start(key, owner, compute)` runs `compute(progress)` on a worker thread under a claim, so the
session that owns it can keep drawing its progress bar (and be interrupted) while TensorFlow is
busy in a compile that never calls back. An interrupted owner releases its claim: the worker's
next progress call raises `Cancelled`, and the next visitor claims the key again.

Memory is bounded: finished and failed entries are kept in least-recently-used order and the
oldest are dropped past `max_items`; running entries are never dropped.

The Trainer's pool of compiled sets (core/training.py) is a different thing and stays separate:
it lends out *mutable* compiled functions that one run at a time may use and then gives back
for reuse, keyed by architecture; this store hands out *immutable finished results* that any
number of sessions read at once. Folding both into one mechanism would either lock readers out
while a run holds its set or let two runs share one set's variables.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

RUNNING, DONE, FAILED = "running", "done", "failed"


class Cancelled(Exception):
    """Raised inside a computation whose claim was released (its owner left)."""


@dataclass
class Entry:
    state: str
    owner: Hashable = None
    token: str = ""
    fraction: float = 0.0
    text: str = ""
    value: Any = None
    error: BaseException | None = None
    started: float = field(default_factory=time.monotonic)


class SharedWork:
    def __init__(self, max_items: int = 256):
        self.max_items = max_items
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._changed = threading.Condition()

    def __len__(self) -> int:
        with self._changed:
            return len(self._entries)

    def get(self, key) -> Entry | None:
        """A snapshot of the key's entry (None when nobody has asked for it, or it was dropped)."""
        with self._changed:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.state == DONE:
                self._entries.move_to_end(key)
            return Entry(**vars(entry))

    def claim(self, key, owner: Hashable = None) -> str | None:
        """A token when the caller should compute `key` now; None when it is done or another
        claim is running. A failed entry is claimed again: the next visitor retries."""
        with self._changed:
            entry = self._entries.get(key)
            if entry is not None and entry.state in (RUNNING, DONE):
                return None
            token = uuid.uuid4().hex
            self._entries[key] = Entry(RUNNING, owner, token)
            self._entries.move_to_end(key)
            self._changed.notify_all()
            return token

    def _owned(self, key, token: str) -> Entry | None:
        entry = self._entries.get(key)
        return entry if entry is not None and entry.state == RUNNING and entry.token == token else None

    def progress(self, key, token: str, fraction: float, text: str = "") -> bool:
        with self._changed:
            entry = self._owned(key, token)
            if entry is None:
                return False
            entry.fraction, entry.text = min(max(float(fraction), 0.0), 1.0), text
            self._changed.notify_all()
            return True

    def put(self, key, token: str, value) -> None:
        """Store the finished value. A computation whose claim was released may still finish:
        its value is kept unless the key is done already."""
        with self._changed:
            entry = self._entries.get(key)
            if entry is not None and entry.state == DONE:
                return
            if entry is not None and entry.state == RUNNING and entry.token != token:
                return  # a newer claim is on it; it will store its own value
            self._entries[key] = Entry(DONE, entry.owner if entry else None, token, 1.0, "", value)
            self._entries.move_to_end(key)
            self._trim(key)
            self._changed.notify_all()

    def fail(self, key, token: str, error: BaseException) -> None:
        with self._changed:
            entry = self._owned(key, token)
            if entry is None:
                return
            entry.state, entry.error = FAILED, error
            self._trim(key)
            self._changed.notify_all()

    def release(self, key, token: str) -> bool:
        """Give up a running claim without a value (the owner was interrupted)."""
        with self._changed:
            if self._owned(key, token) is None:
                return False
            del self._entries[key]
            self._changed.notify_all()
            return True

    def wait(self, key, timeout: float) -> Entry | None:
        """The entry once it is no longer running, or after `timeout` seconds, whichever first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                entry = self._entries.get(key)
                left = deadline - time.monotonic()
                if entry is None or entry.state != RUNNING or left <= 0:
                    break
                self._changed.wait(left)
        return self.get(key)

    def _trim(self, keep) -> None:
        """Drop the least recently used settled entries past the bound, never `keep` (the one
        just settled: its waiters have yet to read it)."""
        settled = [k for k, e in self._entries.items() if e.state != RUNNING and k != keep]
        for key in settled[:max(0, len(self._entries) - self.max_items)]:
            del self._entries[key]

    # ---- running a computation under a claim --------------------------------------------------

    def start(self, key, owner: Hashable, compute: Callable) -> str | None:
        """Claim `key` and run `compute(progress)` on a worker thread; `progress(fraction, text)`
        raises `Cancelled` once the claim is gone. Returns the token, or None (not claimed)."""
        token = self.claim(key, owner)
        if token is None:
            return None

        def progress(fraction: float, text: str = "") -> None:
            if not self.progress(key, token, fraction, text):
                raise Cancelled(key)

        def work() -> None:
            try:
                value = compute(progress)
            except Cancelled:
                self.release(key, token)
            except Exception as error:  # kept for the page to report; never lost in a thread
                self.fail(key, token, error)
            else:
                self.put(key, token, value)
            finally:
                self.release(key, token)  # no-op unless compute escaped with a BaseException

        threading.Thread(target=work, daemon=True, name=f"shared-work-{str(key)[:40]}").start()
        return token

    def obtain(self, key, compute: Callable, owner: Hashable = None, poll: float = 0.1):
        """Blocking: the value for `key`, computed here if nobody has it and nobody is on it.
        Raises the computation's error when it failed (ours or the owner's we waited for)."""
        involved = False  # we started it or waited for it: its failure is ours to report
        while True:
            entry = self.get(key)
            if entry is not None and entry.state == DONE:
                return entry.value
            if entry is not None and entry.state == FAILED and involved:
                raise entry.error
            if entry is None or entry.state == FAILED:
                self.start(key, owner, compute)  # None: someone claimed it first, wait for it
            involved = True
            self.wait(key, poll)
