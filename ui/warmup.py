"""Import TensorFlow once per server process, in a background thread, soon after start-up.

Importing TensorFlow takes 3-4.5 s on this kind of machine. Starting it when the first visitor
opens any page means that by the time they press Train, the import is done. Pages that need
TensorFlow call `wait()`: it starts the import at once if it has not started, and returns at
once when it has finished.

A page that does not need TensorFlow starts it with `start_soon()` after its own script has
run: the import holds Python's lock most of its time, and started before the page (as it was)
it slowed the server's first page and the static files its browser was still fetching."""

from __future__ import annotations

import threading

from ui import script_cleanup

_lock = threading.Lock()
_thread: threading.Thread | None = None
SOON_S = 1.0  # after a page that does not need TensorFlow: its browser is still loading
HELPER_DELAY_S = 3.0  # after the import, before the helper process starts


def _work() -> None:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from core.runtime import serialize_compile

    serialize_compile()  # from now on AutoGraph may compile while Streamlit compiles pages
    import keras  # noqa: F401

    import plotly.graph_objects  # noqa: F401

    from core.runtime import configure_tensorflow, freeze_imported_objects, shorten_gil_switch

    configure_tensorflow()
    freeze_imported_objects()
    shorten_gil_switch()  # turns' TensorFlow calls among many sessions' script threads
    # A second interpreter for a crowded server (core.training.helper), once the first visitor's
    # page has had the CPU. Started with this import, its own (~6 s of a core) made a fresh
    # server's Lab complete 0.4-0.6 s later (3.5-3.8 s against 2.9-3.4 s, Chromium on the same
    # 2 cores), even at the lowest priority; started HELPER_DELAY_S after it, no later than without.
    timer = threading.Timer(HELPER_DELAY_S, _start_helper)
    timer.daemon = True
    timer.start()


def _start_helper() -> None:
    from core.training import helper

    helper.start_if_useful()


def _warmup_thread() -> threading.Thread:
    """The one import thread of this server process, started on the first call."""
    global _thread
    script_cleanup.install()  # once per server: keep TensorFlow's kernel cache between runs
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_work, name="tensorflow-warmup", daemon=True)
            _thread.start()
        return _thread


def start() -> None:
    _warmup_thread()


def start_soon(delay: float = SOON_S) -> None:
    """Start the import `delay` seconds from now unless something started it already."""
    script_cleanup.install()
    if _thread is None:
        timer = threading.Timer(delay, start)
        timer.daemon = True
        timer.start()


def ready() -> bool:
    """True when TensorFlow is imported (never blocks, never starts the import)."""
    return _thread is not None and not _thread.is_alive()


def wait(timeout: float | None = None) -> bool:
    """Block until TensorFlow is imported; True when ready."""
    thread = _warmup_thread()
    thread.join(timeout)
    return not thread.is_alive()
