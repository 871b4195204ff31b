"""ui.warmup: one TensorFlow import per process; a page that does not need it starts it late."""

import threading
import time

from ui import warmup


def test_start_soon_waits_and_wait_starts_at_once(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "_work", lambda: calls.append(threading.current_thread().name))
    monkeypatch.setattr(warmup, "_thread", None)
    warmup.start_soon(delay=0.3)
    time.sleep(0.05)
    assert warmup._thread is None and not calls  # not yet: the first page's browser is still loading
    deadline = time.monotonic() + 5
    while warmup._thread is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert warmup.wait(timeout=5) and calls == ["tensorflow-warmup"]

    monkeypatch.setattr(warmup, "_thread", None)
    calls.clear()
    assert warmup.wait(timeout=5) and calls == ["tensorflow-warmup"]  # a page that needs it: at once
    warmup.start_soon(delay=0.01)
    warmup.start()
    time.sleep(0.1)
    assert calls == ["tensorflow-warmup"]  # one import per process, however it is asked for
