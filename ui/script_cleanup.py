"""What Streamlit does after every script run, without emptying TensorFlow's kernel cache.

After each script run (every click, every page open, of every learner) Streamlit 1.67 calls
`keras.backend.clear_session()` (script_runner._clean_problem_modules). That resets Keras' name
counters, and also empties TensorFlow's eager kernel cache and runs a full garbage collection.
With the cache emptied, every session's next chunk of training re-instantiates its compiled
functions' kernels: measured ~250 ms of CPU instead of ~7 ms for three epochs of the default
net (bench/lab_cpu.py, docs in the commit). In a class each learner's click charged that to
every other learner's run. The replacement keeps what a learner can see (auto-generated layer
names start over after each run; matplotlib figures are closed) and leaves the kernels cached;
Streamlit's own post-run collection (runner.postScriptGC) still runs.
"""

from __future__ import annotations

import sys
import threading


def clean_problem_modules() -> None:
    """Streamlit's cleanup, minus `clear_kernel_cache()` and the extra `gc.collect()`."""
    # Looked up, not imported: while TensorFlow's import runs in the background (ui.warmup),
    # `keras` is already in sys.modules, and importing from it here waited for the whole import
    # (its module lock) before the run counted as finished: 1.3 s on the Lab's first open. A
    # global_state not imported yet has named nothing, so there is nothing to start over.
    global_state = sys.modules.get("keras.src.backend.common.global_state")
    if global_state is not None:
        global_state.GLOBAL_STATE_TRACKER = threading.local()  # as clear_session: names start over
        global_state.GLOBAL_SETTINGS_TRACKER = threading.local()
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:  # noqa: BLE001,S110
            pass


_replaced: list = []  # Streamlit's own cleanup, once replaced (for tests)


def install() -> None:
    """Replace Streamlit's cleanup for this process (idempotent)."""
    from streamlit.runtime.scriptrunner import script_runner

    if script_runner._clean_problem_modules is not clean_problem_modules:
        _replaced.append(script_runner._clean_problem_modules)
        script_runner._clean_problem_modules = clean_problem_modules


def streamlit_cleanup():
    """Streamlit's own cleanup function, installed or not."""
    from streamlit.runtime.scriptrunner import script_runner

    return _replaced[0] if _replaced else script_runner._clean_problem_modules
