"""ui.script_cleanup: after a script run Keras' names start over as with Streamlit's own cleanup,
but TensorFlow's kernel cache is kept (emptying it made every session's next training chunk
re-instantiate its kernels)."""

import sys

import pytest
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from ui import script_cleanup


def _script():
    import keras
    import streamlit as st

    from ui import script_cleanup

    if st.session_state.get("install"):
        script_cleanup.install()
    st.write(keras.layers.Dense(1).name)


@pytest.fixture
def kernel_cache_clears(monkeypatch):
    """Counts TensorFlow's kernel cache being emptied; restores Streamlit's cleanup after."""
    from tensorflow.python.eager import context

    monkeypatch.setattr(script_runner, "_clean_problem_modules", script_runner._clean_problem_modules)
    calls = []
    original = context.Context.clear_kernel_cache
    monkeypatch.setattr(context.Context, "clear_kernel_cache", lambda self: calls.append(1) or original(self))
    return calls


def _names(install: bool) -> list[str]:
    at = AppTest.from_function(_script)
    at.session_state["install"] = install
    names = []
    for _ in range(3):
        at.run()
        assert not at.exception
        names.append(at.markdown[0].value)
    return names


def test_streamlit_alone_empties_the_kernel_cache_after_each_run(kernel_cache_clears):
    script_runner._clean_problem_modules = script_cleanup.streamlit_cleanup()
    assert script_runner._clean_problem_modules is not script_cleanup.clean_problem_modules
    assert _names(install=False) == ["dense", "dense", "dense"]
    assert len(kernel_cache_clears) >= 3


def test_installed_cleanup_keeps_the_kernels_and_the_names_start_over(kernel_cache_clears):
    assert _names(install=True) == ["dense", "dense", "dense"]  # what the learner sees: unchanged
    assert script_runner._clean_problem_modules is script_cleanup.clean_problem_modules
    assert kernel_cache_clears == []


def test_matplotlib_figures_are_still_closed(monkeypatch):
    """As Streamlit's: pyplot's figures closed when pyplot is imported (not a dependency here)."""
    import types

    closed = []
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", types.SimpleNamespace(close=closed.append))
    script_cleanup.clean_problem_modules()
    assert closed == ["all"]


def test_cleanup_does_not_wait_for_an_import_under_way(monkeypatch):
    """Keras half imported (ui.warmup's thread): the cleanup neither imports nor waits for it."""
    import types

    monkeypatch.setitem(sys.modules, "keras", types.ModuleType("keras"))  # the import has started
    monkeypatch.delitem(sys.modules, "keras.src.backend.common.global_state", raising=False)
    script_cleanup.clean_problem_modules()
    assert "keras.src.backend.common.global_state" not in sys.modules
