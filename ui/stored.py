"""Small computations a page's default view shows, read from files shipped with the app, so a
lesson link opened as a fresh server's first request answers without waiting for TensorFlow's
import (3.5-4 s on this kind of machine).

    PERSIST = shared.Persist("activations", (lesson,), "activations")

    @stored.function(PERSIST, max_entries=64)       # instead of @st.cache_data
    def curves(names, lo, hi):
        return lesson.activation_curves(names, lo, hi)

A call is cached like `st.cache_data`. A call whose result is shipped (data/results/, written by
`python -m scripts.precompute <page>`, which runs the page's default view and stores every call
it makes) is read from its file; any other call waits for TensorFlow (with a spinner) and
computes. So the page needs no `warmup.wait()` of its own. The file's name is made from the
call's arguments and the source of the modules in `persist`, as `shared.once` names its files,
and tests/app/test_stored_results.py runs every page's default view, checks that each call it
makes is shipped, and recomputes each from the code.

`recompute_button(prefix, persist)` says so when this run showed a shipped result and offers to
compute live instead (the page's `shared.live` flag, which `shared.once` honours too).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from core import result_files
from ui import shared, warmup
from ui.frame import tr

RECORDED: list | None = None  # scripts.precompute and the tests set a list: every call is noted
SHOWN_KEY = "stored_shown"    # {page: keys of the calls this run read from shipped files}


@dataclass(frozen=True)
class Call:
    """One call of a stored function: what decides its file and how to compute it again."""

    persist: shared.Persist
    function: Callable  # the undecorated function
    args: tuple

    @property
    def key(self) -> tuple:
        return (self.persist.page, self.function.__name__, *self.args)

    @property
    def file_name(self) -> str:
        return result_files.file_name(self.persist.namespace, self.key, self.persist.modules)

    def compute(self):
        return self.function(*self.args)


def new_run() -> None:
    """Called by frame.header at the top of every script run: nothing shown from a file yet."""
    st.session_state[SHOWN_KEY] = {}


def _read_or_compute(call: Call, live: bool):
    if not live:
        value = result_files.load(call.file_name, [result_files.SHIPPED])
        if value is not result_files.MISSING:
            return value, True
    warmup.wait()
    return call.compute(), False


def function(persist: shared.Persist, *, max_entries: int = 64):
    """Decorate a page's computation as described above. Its arguments are positional, hashable,
    and their repr names them (numbers, strings, tuples, frozen dataclasses, or an object whose
    repr says what decides the result, such as ui.lm_views.Model)."""

    def decorate(fn: Callable):
        def cached(file_name: str, live: bool, _call: Call):
            """Keyed by the call's file name (its arguments' repr and the code's version), as its
            file is: an argument need not be hashable by Streamlit, only name itself by its repr."""
            return _read_or_compute(_call, live)

        # st.cache_data tells functions apart by module and name: these would all share one cache.
        cached.__module__, cached.__qualname__ = fn.__module__, f"{persist.page}.{fn.__qualname__}"
        cached = st.cache_data(show_spinner=False, max_entries=max_entries)(cached)

        @functools.wraps(fn)
        def page_call(*args):
            call, live = Call(persist, fn, args), shared.live(persist.page)
            name = call.file_name  # a digest of the arguments' repr: made once per call
            if RECORDED is not None:
                RECORDED.append(call)
            if (live or not result_files.shipped(name)) and not warmup.ready():
                with st.spinner(tr("app.loading_tf")):
                    warmup.wait()
            value, from_file = cached(name, live, call)
            if from_file:
                st.session_state.setdefault(SHOWN_KEY, {}).setdefault(persist.page, []).append(call.key)
            return value

        page_call.call = lambda *args: Call(persist, fn, args)
        return page_call

    return decorate


def recompute_button(prefix: str, persist: shared.Persist) -> None:
    """`shared.recompute_button` for what this run read from shipped files."""
    keys = st.session_state.get(SHOWN_KEY, {}).get(persist.page, [])
    shared.recompute_button(prefix, persist, keys)
