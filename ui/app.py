"""The app around every page: navigation, the sidebar frame, the classroom link, TensorFlow's
background import. `streamlit_app.py` calls `main()`; so does a page that Streamlit started on
its own (see `ui.frame.ensure_inside_frame`)."""

from __future__ import annotations

from contextlib import nullcontext

import streamlit as st

from core import runtime
from ui import admission, classroom, frame, load_log, navigation, warmup


TENSORFLOW_FIRST = {"lab"}  # pages whose first click needs TensorFlow: its import starts with them
IN_LINE = {"lab"}  # pages a class opens and clicks at once: one run's own work at a time (ui.admission)


def main() -> None:
    runtime.one_blas_thread()
    with load_log.script_run():  # KERAS_LENS_LOAD_LOG=1: the run's CPU, for bench.classroom_load
        _main()


def _main() -> None:
    st.set_page_config(page_title="Keras Lens", page_icon=":material/biotech:", layout="wide")
    page = navigation.navigation()
    if frame.presenting():
        # A projected page needs its full width: the sidebar holds only navigation, the language
        # and the mode (~25 % of 1280 px). The Lab's controls are in the page too.
        st.set_page_config(initial_sidebar_state="collapsed")
    frame.sidebar_frame()
    classroom.apply()
    info = navigation.by_url(page.url_path)
    navigation.warn_unused_params(info)
    if info is not None and info.key in TENSORFLOW_FIRST:
        _before_tensorflow(info.prefix)
        warmup.start()  # the Lab trains within seconds of opening: import TensorFlow now
    in_line = admission.admitted() if info is not None and info.key in IN_LINE else nullcontext()
    try:
        with in_line:
            with frame.inside_frame(frame.tr(f"{info.key}.title") if info is not None else None):
                page.run()
            if info is not None:
                classroom.builder(info.prefix)
    finally:  # also when the run is interrupted (a rerun); a page that needed TensorFlow started it
        warmup.start_soon()


def _before_tensorflow(prefix: str) -> None:
    """Work this run does anyway, done before TensorFlow's import competes for Python's lock.
    With the import under way, the Lab's first run took 1.0 s to read the page sources for the
    classroom list (every file read waits for the lock back), 0.5 s to compile Streamlit's emoji
    catalog (for the first alert with non-ASCII text: the Korean status line) and 0.5 s to compile
    Pygments' Python lexer (the Code tab); alone they take ~20, ~30 and ~70 ms."""
    from core import code_html

    classroom.prepare(prefix)
    import streamlit.emojis  # noqa: F401

    code_html.python_html("")
