"""Shared work on a page: `once(key, label, compute)` computes a result once per server while
every other session that asks for it waits, and everyone sees a progress bar saying what is
happening.

    result = shared.once(("skip", "lesion", depth, seed), tr("skip.lesion.training"),
                         lambda progress: lesson.lesion_experiment(..., progress),
                         persist=shared.Persist("skip-lesion", (lesson,)))

`compute(progress)` runs on a worker thread (core.shared_work) and calls `progress(fraction,
text="")` as it goes; it must not touch Streamlit. The script thread meanwhile redraws the bar
about four times a second, with the seconds spent, so it moves even while TensorFlow compiles;
each redraw is where Streamlit interrupts a run (a widget change, Stop, a closed tab): the
`finally` then releases the claim and the next visitor computes it. "Another visitor started
this" is said only when another session owns the work. A failure becomes a translated error
message, never a traceback. Pages hold no locks.

With `persist`, the result is read from disk before computing (a file shipped with the app in
data/results/, else the server's cache) and written after (core.result_files). Pages that show
a shipped result offer `recompute_button`, which computes it live instead.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import streamlit as st

from core import result_files
from core.i18n import t
from core.shared_work import DONE, FAILED, RUNNING, SharedWork
from core.text import lm
from ui import frame, slots, warmup
from ui.frame import tr

OWNER_KEY = "shared_owner"  # this session's name as a claim owner
LIVE_KEY = "shared_live"    # {page: True} once a learner asked for live results on that page
REDRAW = 0.25               # seconds between two redraws of a waiting bar


@st.cache_resource(show_spinner=False)
def work() -> SharedWork:
    """The server's one store of shared results (bounded: see core.shared_work)."""
    return SharedWork(max_items=256)  # the skip page's results hold Keras models: keep the bound modest


@dataclass(frozen=True)
class Persist:
    """Where a result lives on disk: a file-name prefix, the modules whose source decides it,
    and the page whose "recompute live" button bypasses the files."""

    namespace: str
    modules: tuple
    page: str


def owner() -> str:
    """This session's claim name. Not Streamlit's session id: AppTest gives every test the same."""
    return st.session_state.setdefault(OWNER_KEY, uuid.uuid4().hex)


LM_PERSIST = Persist("lm", (lm,), "lm")  # one model for three pages: one "recompute" flag


def _file_name(persist: Persist | None, key) -> str | None:
    return None if persist is None else result_files.file_name(persist.namespace, key, persist.modules)


def _job(compute, name: str | None, slot: bool, tensorflow: bool = True):
    """What the worker runs: the stored file if there is one, else `compute` (inside a
    training slot when asked), then written to the cache."""
    pool = slots.pool() if slot else None
    queue = t("shared.queue", frame.lang())  # formatted on the worker: no session there
    loading = t("shared.loading", frame.lang())

    def job(progress):
        if name is not None and result_files.exists(name):
            progress(0.0, loading)
            stored = result_files.load(name)
            if stored is not result_files.MISSING:
                return stored
        if tensorflow:
            warmup.wait()  # TensorFlow is imported by the warm-up thread alone (two importers break it)
        if pool is None:
            value = compute(progress)
        else:
            with pool.slot(on_wait=lambda ahead: progress(0.0, queue.format(ahead=ahead))):
                value = compute(progress)
        if name is not None:
            result_files.save(name, value)
        return value

    return job


def once(key, label: str, compute, *, persist: Persist | None = None, slot: bool = True,
         stop_on_failure: bool = True, tensorflow: bool = True):
    """The value for `key` (hashable; start it with the page's name), computed once per server.
    On failure an error message is shown and the script stops (or None is returned). A computation
    that needs no TensorFlow says `tensorflow=False` and does not wait for its import."""
    if persist is not None and live(persist.page):
        key, persist = (*key, "live"), None
    store = work()
    entry = store.get(key)
    if entry is not None and entry.state == DONE:
        return entry.value
    name, me, token = _file_name(persist, key), owner(), None
    holder, started = st.empty(), time.monotonic()
    try:
        while True:
            if entry is None or (entry.state == FAILED and token is None):
                token = store.start(key, me, _job(compute, name, slot, tensorflow))
            entry = store.wait(key, REDRAW)
            if entry is None:
                continue  # its owner left: claim it ourselves
            if entry.state != RUNNING:
                break
            holder.progress(entry.fraction, text=_bar_text(label, entry, me, started))
    finally:
        if token is not None and (entry is None or entry.state == RUNNING):
            store.release(key, token)  # interrupted: the next visitor computes it
    holder.empty()
    if entry.state == DONE:
        return entry.value
    st.error(tr("shared.failed", label=label, error=str(entry.error)[:300] or type(entry.error).__name__))
    if stop_on_failure:
        st.stop()
    return None


def _bar_text(label: str, entry, me: str, started: float) -> str:
    """The owner sees the computation's own words (or the label); any other session is told
    that someone else started it, and how far it is."""
    seconds = f"{time.monotonic() - started:.0f}"
    if entry.owner != me:
        return tr("shared.other", label=label, pct=f"{100 * entry.fraction:.0f}", seconds=seconds)
    return tr("shared.mine", text=entry.text or label, seconds=seconds)


def template(key: str) -> str:
    """A message in this session's language with its {placeholders} left open, for `compute`
    to fill in on the worker thread (where there is no session to ask for the language)."""
    return t(key, frame.lang())


# ---- the next-token model, shared by the embeddings, next-token and prompting pages ------------

def lm_training(config, message: str):
    """`compute` for ("lm", config): train the tiny language model, saying `message` (a key with
    {epoch}, {epochs} and optionally {loss}) after every epoch."""
    words = template(message)
    return lambda progress: lm.train(config, lambda record: progress(
        record.epoch / config.epochs,
        words.format(epoch=record.epoch, epochs=config.epochs, loss=f"{record.val_loss:.2f}")))


# ---- shipped results and "recompute live" ------------------------------------------------------

def live(page: str) -> bool:
    """True once the learner asked this page to recompute its shipped results live."""
    return bool(st.session_state.get(LIVE_KEY, {}).get(page))


def from_shipped_file(persist: Persist, key) -> bool:
    return not live(persist.page) and result_files.shipped(_file_name(persist, key))


def peek(key):
    """The value if it is computed on this server already, else None (never computes)."""
    entry = work().get(key)
    return entry.value if entry is not None and entry.state == DONE else None


def ready(key, persist: Persist | None = None) -> bool:
    """True when `once` would return at once: computed on this server, or on disk."""
    if persist is not None and live(persist.page):
        key, persist = (*key, "live"), None
    entry = work().get(key)
    if entry is not None and entry.state == DONE:
        return True
    return persist is not None and result_files.exists(_file_name(persist, key))


def recompute_button(prefix: str, persist: Persist, keys) -> None:
    """Say where the numbers on screen come from when they were read from a file shipped with
    the app (`keys`: the `once` keys shown), and offer to compute them live instead."""
    if live(persist.page):
        st.caption(tr("shared.live_note"))
    elif any(from_shipped_file(persist, key) for key in keys):
        # One row: the note takes what the button (one line, as wide as its label) leaves.
        row = st.container(horizontal=True, vertical_alignment="center")
        row.caption(tr("shared.shipped_note"))
        if row.button(tr("shared.recompute"), key=f"{prefix}_recompute_live", icon=":material/refresh:", wrap=False):
            st.session_state.setdefault(LIVE_KEY, {})[persist.page] = True
            st.rerun()
