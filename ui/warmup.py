"""Import TensorFlow once per server process, in a background thread, at start-up.

Importing TensorFlow takes 3-4.5 s on this kind of machine. Starting it when the first visitor
opens any page means that by the time they press Train, the import is done. Pages that need
TensorFlow call `wait()`; it returns at once when the warm-up has finished."""

from __future__ import annotations

import threading

import streamlit as st

from ui import script_cleanup


@st.cache_resource(show_spinner=False)
def _warmup_thread() -> threading.Thread:
    script_cleanup.install()  # once per server: keep TensorFlow's kernel cache between runs

    def work():
        import os

        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras  # noqa: F401

        import plotly.graph_objects  # noqa: F401

        from core.runtime import configure_tensorflow, freeze_imported_objects

        configure_tensorflow()
        freeze_imported_objects()

    thread = threading.Thread(target=work, name="tensorflow-warmup", daemon=True)
    thread.start()
    return thread


def start() -> None:
    _warmup_thread()


def wait(timeout: float | None = None) -> bool:
    """Block until TensorFlow is imported; True when ready."""
    thread = _warmup_thread()
    thread.join(timeout)
    return not thread.is_alive()
