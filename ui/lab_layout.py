"""The Lab on one screen, as TensorFlow Playground has it: controls, the network and the answer
side by side, so a projector shows all three without scrolling.

    title
    [Train] [Step] [Stop] [Continue] [Reset] [log axis]
    intro, data, model, training | the curves, the boundary | the network, the status
    tabs: hidden layers · gradients · compare · results · code

`places()` makes the containers in that order; the page fills them in any order (the controls
are read before the views are built)."""

from __future__ import annotations

import streamlit as st

from ui.frame import presenting

# Width shares of the three columns: controls, network, output.
COLUMNS = (0.95, 1.4, 1.55)
# Heights (px) of the diagram and the output charts, chosen so that at 1280x720 the curves, the
# boundary and the network end above the fold (tests/e2e/test_lab_screen.py measures it).
NETWORK_HEIGHT = {False: 440, True: 460}
CURVES_HEIGHT = {False: 180, True: 165}
BOUNDARY_HEIGHT = {False: 320, True: 258}

# The Lab's page uses the screen's height: less empty space above the title and at the sides,
# smaller group headings, and each picture box never wider than its column (the network
# scrolls inside its own box).
_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: TOPpx !important; padding-left: 1.5rem !important;
  padding-right: 1.5rem !important; max-width: none !important; }
[data-testid="stMain"] h1 { padding-top: 0.25rem !important; padding-bottom: 0 !important; font-size: 2.5rem !important; }
[data-testid="stMain"] [class*="st-key-lab_group_"] h2 { font-size: 1.25rem !important; padding: 0.25rem 0 0 0 !important; }
.st-key-lab_intro p { font-size: 1rem !important; }
.lab-network { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
.lab-network img, .lab-network svg { display: block; max-width: none; }
</style>
"""


def places() -> dict:
    """The Lab's containers, top to bottom and left to right."""
    # Just below Streamlit's header bar (60 px); in presentation mode the title's own larger
    # line height leaves room for less. A style element in the page would add a gap: sidebar.
    st.sidebar.markdown(_CSS.replace("TOP", "46" if presenting() else "62"), unsafe_allow_html=True)
    buttons = st.container()
    left, middle, right = st.columns(COLUMNS, gap="medium")
    return {"buttons": buttons, "intro": left.container(), "data": left.container(), "model": left.container(),
            "training": left.container(), "curves": middle.container(), "boundary": middle.container(),
            "network": right.container(), "status": right.container(), "inspect": right.container()}


def heights() -> tuple[int, int, int]:
    """(network, curves, boundary) heights in px for this mode."""
    mode = presenting()
    return NETWORK_HEIGHT[mode], CURVES_HEIGHT[mode], BOUNDARY_HEIGHT[mode]
