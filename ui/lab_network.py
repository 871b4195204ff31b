"""The Lab's network diagram (core.charts.network) and its neuron inspector.

While a run is live the diagram is an <img> like the other live frames (cheap for the
browser); once it is over it is inline SVG, so hovering a neuron or a link shows its numbers,
and the inspector below shows one neuron large, with its formula and incoming weights."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.charts import live as live_charts
from core.charts import network as charts
from core.datasets import FEATURE_LABELS, get_dataset
from core.network import SHOWN, NetworkState
from ui.frame import scale, tr

INSPECT_KEY = "lab_inspect"


def input_names(config) -> list[str]:
    ds = get_dataset(config.dataset)
    if ds.is_2d:
        return [FEATURE_LABELS.get(f, f) for f in config.features]
    names = list(ds.feature_names) or [f"x{i + 1}" for i in range(ds.n_features)]
    return [str(n)[:10] for n in names]


def titles(config) -> list[str]:
    return [tr("lab.network.input"), *(str(i) for i in range(1, len(config.hidden) + 1)), tr("lab.network.output")]


def structure(config) -> NetworkState:
    """The diagram of a config before any run: its layers and links, no weights yet."""
    widths = [config.input_dim, *config.hidden, config.n_outputs]
    kernels = [np.zeros((a, min(b, SHOWN)), "float32") for a, b in zip(widths[:-1], widths[1:])]
    return NetworkState(widths, kernels, [np.zeros(k.shape[1], "float32") for k in kernels])


def draw(placeholder, config, state: NetworkState, task: str, height: int, live: bool) -> None:
    """The diagram into `placeholder`, in a box that scrolls sideways when the net is wide."""
    selected = None if live else _selected(state)
    names, heads = input_names(config), titles(config)
    common = dict(titles=heads, input_names=names, activation=config.activation, scale=scale(), height=height,
                  skip=config.skip)
    svg = charts.diagram(state, task=task, batchnorm=config.batchnorm, dropout=config.dropout, selected=selected,
                         **common)
    # Always an <img>, also when the run is over: the same diagram as inline SVG (hover titles on
    # every link) kept a loaded 2-core machine's browser busy for seconds after a Stop.
    image = live_charts.as_image(svg, alt=tr("lab.network.alt")).replace('style="width:100%;height:', 'style="height:', 1)
    hover = ""
    if not live:  # the neurons' numbers on hover, through an image map over the picture
        image = image.replace("<img ", '<img usemap="#lab-network-map" ', 1)
        areas = "".join(f'<area shape="rect" coords="{",".join(map(str, box))}" title="{live_charts.escape(text)}" '
                        f'alt="{live_charts.escape(text)}">'
                        for box, text in charts.hover_areas(state, **common))
        hover = f'<map name="lab-network-map">{areas}</map>'
    placeholder.markdown(f'<div class="lab-network" data-testid="lab-network">{image}{hover}</div>',
                         unsafe_allow_html=True)


def _choices(state: NetworkState) -> list[tuple[int, int]]:
    return [(c, k) for c in range(1, len(state.widths)) for k in range(state.shown(c))]


def _selected(state: NetworkState) -> tuple[int, int] | None:
    value = st.session_state.get(INSPECT_KEY)
    return tuple(value) if value is not None and tuple(value) in _choices(state) else None


def inspector(trainer, snapshot) -> None:
    """Pick a neuron: its picture, large; its formula a = act(w·x + b) with the numbers."""
    state = snapshot.network
    if state is None:
        return
    config = trainer.config
    choices = _choices(state)
    last = len(state.widths) - 1
    label = {choice: (tr("lab.network.output") if choice[0] == last else tr("lab.network.layer", n=choice[0]))
             + f" · #{choice[1] + 1}" for choice in choices}
    if st.session_state.get(INSPECT_KEY) not in choices:
        st.session_state.pop(INSPECT_KEY, None)
    with st.expander(tr("lab.network.inspect"), icon=":material/zoom_in:"):
        column, k = st.selectbox(tr("lab.network.neuron"), choices, format_func=label.get, key=INSPECT_KEY)
        activation = config.activation if column < last else {"binary": "sigmoid", "regression": "linear"}.get(
            trainer.task, "softmax")
        text = charts.formula(state, column, k, activation, input_names(config),
                              batchnorm=config.batchnorm and column < last, softmax=activation == "softmax")
        st.code(text, language=None, wrap_lines=True)
        if config.skip and column < last:
            st.caption(tr("lab.network.skip_note"))
        if state.pictures is not None and trainer.grid_axes is not None:
            limits = charts.picture_limits(state, trainer.task)[column][k]
            xs, ys = trainer.grid_axes
            svg = charts.neuron_picture(state.pictures[column][k], limits[1], limits[0],
                                        (float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])), scale=scale())
            st.markdown(live_charts.as_image(svg, alt=label[(column, k)]).replace(
                'style="width:100%;height:', 'style="height:', 1), unsafe_allow_html=True)
        st.caption(tr("lab.network.legend"))
