"""Process-wide TensorFlow settings for a server that trains for many learners at once."""

from __future__ import annotations

import os

THREADS_ENV = "KERAS_LENS_TF_THREADS"


def tf_threads() -> int:
    """Threads one TensorFlow op may use (default 1; `KERAS_LENS_TF_THREADS` changes it)."""
    try:
        return max(1, int(os.environ.get(THREADS_ENV, "1")))
    except ValueError:
        return 1


_blas_limited: list = []  # the threadpoolctl limit, once set in this process


def one_blas_thread() -> None:
    """NumPy's BLAS (OpenBLAS) on one thread in this process, as TensorFlow's ops below.

    The lessons' NumPy products are small, and on a busy 2-core server OpenBLAS's spinning
    threads made them slower, not faster: a 360 x 1,797 cosine search took 18 ms (median) with
    its threads and 2 ms with one; /vector-search's 27 exact searches 1.4 s instead of 0.22 s.
    Set at run time (threadpoolctl), as a deep link runs its page, and imports NumPy, before the
    entry file."""
    if not _blas_limited:
        from threadpoolctl import threadpool_limits

        _blas_limited.append(threadpool_limits(limits=1, user_api="blas"))


def configure_tensorflow() -> None:
    """Import TensorFlow and give each op one thread (unless configured otherwise).

    A lesson's models are tiny: splitting a 16-unit matmul across cores costs more in
    hand-offs than it saves. The training slots (ui.slots, one per core by default) then
    keep one run on each core, and the Streamlit server and a browser on the same machine
    are not starved. Takes effect only before TensorFlow executes its first op; after that
    the setting stays as TensorFlow chose."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(tf_threads())
        tf.config.threading.set_inter_op_parallelism_threads(tf_threads())
    except RuntimeError:  # "cannot be modified after initialization"
        pass


GIL_SWITCH_SECONDS = 0.001  # Python's default is 0.005


def shorten_gil_switch(seconds: float = GIL_SWITCH_SECONDS) -> None:
    """Let a thread that waits for Python's lock get it after `seconds` rather than 5 ms.

    A training turn calls TensorFlow dozens of times (variable swaps, the chunk, the snapshot's
    functions) and gives the lock up at each call; with a classroom's script threads busy
    drawing, every call then waited up to the switch interval to get it back. Measured (one
    default-size set, 8 busy Python threads, 2 cores): a snapshot 732 ms -> 51 ms, a 2-epoch
    chunk 207 ms -> 25 ms, a variable swap 224 ms -> 28 ms. Pure Python threads switch a little
    more often; the server's own work is dominated by such waits, not by switching."""
    import sys

    sys.setswitchinterval(seconds)


def freeze_imported_objects() -> None:
    """Move every object alive now (TensorFlow, Keras, Plotly: ~400,000 of them) out of the
    garbage collector's reach, once, after the heavy imports.

    Streamlit runs `gc.collect(2)` after every script run (runner.postScriptGC), and with
    TensorFlow imported a full collection scans all of those objects: measured 0.6-1.0 s of
    CPU after each click, which also delayed the run that follows a Stop by that much. Frozen,
    the same collection takes ~15 ms. Module-level objects live as long as the process
    anyway; what is created later (sessions, models, traces) is collected as before."""
    import gc

    gc.collect()
    gc.freeze()


_compile_lock = None  # set by serialize_compile(): one `compile` (and `ast.parse`) at a time


def serialize_compile() -> None:
    """Let one thread at a time run Python's `compile` (which `ast.parse` calls too), once per
    process.

    CPython 3.11 keeps the AST converter's recursion depth in per-interpreter state, so two
    threads converting at once can fail with "SystemError: AST constructor recursion depth
    mismatch" (python/cpython#106905; pytest-dev/pytest#10763 and home-assistant/core#95364 met
    it in threaded programs). Here two threads do convert at once: TensorFlow's AutoGraph parses
    and compiles functions while it traces an architecture in a background thread, and
    Streamlit compiles a page's script when a visitor opens it. It happened once in a test run
    of this app (a Lab rerun while the page's architecture was being prepared). Installed by
    ui.warmup before TensorFlow's import and by importing core.training. A compile takes
    milliseconds; nothing else is locked while it runs."""
    global _compile_lock
    import builtins
    import threading

    if _compile_lock is not None:
        return
    _compile_lock = threading.RLock()
    original = builtins.compile

    def compile(*args, **kwargs):  # noqa: A001 - it replaces the builtin on purpose
        with _compile_lock:
            return original(*args, **kwargs)

    compile.__wrapped__ = original
    builtins.compile = compile

