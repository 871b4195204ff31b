"""The Lab's pictures of a run that has ended, kept across the page's reruns.

Once a run is over, every click on the page (a control moved, a tab's toggle, Stop) reruns the
whole script, and the curves, the boundary, the projections and the gradients were built again
each time: Plotly figures, their theme and their SVG, ~100 ms of the server's CPU per click for
a picture that had not changed. Here the picture's markup is kept in the session, keyed by what
it shows (the run, its epochs and status, the language and scale, and the view's own inputs),
and shown again as it was. Interactive (Plotly) charts are always drawn afresh.
"""

from __future__ import annotations

import itertools

import streamlit as st

from core import charts
from ui import frame

KEPT_KEY = "lab_pictures"
names = itertools.count()  # each drawing gets a fresh element key (ui.live_training.plot_into too)


def _kept(trainer) -> dict:
    """The pictures kept for the run as it is now; none once it has changed."""
    state = (trainer.run_id, len(trainer.history), trainer.status, frame.lang(), frame.scale())
    held = st.session_state.get(KEPT_KEY)
    if held is None or held[0] != state:
        held = st.session_state[KEPT_KEY] = (state, {})
    return held[1]


def plot_kept(placeholder, trainer, key: str, view: tuple, build, height: int | None = None) -> None:
    """As ui.live_training.plot_into(placeholder, build(), key, height), with the picture kept
    for this state of `trainer` and `view` (the inputs of the figure besides the run)."""
    with placeholder.container():
        kept = _kept(trainer) if not frame.interactive() else {}
        markup = kept.get((key, view, height))
        if markup is None:
            name = f"{key}_{next(names)}"
            themed = charts.theme(build(), frame.scale(), height=height)
            markup = frame.picture(themed, name)
            if markup is None:  # Plotly draws it: nothing to keep
                frame.draw_themed(themed, name)
                return
            kept[(key, view, height)] = markup
        st.markdown(markup, unsafe_allow_html=True)
