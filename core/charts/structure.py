"""Figures for the model-structure page: the data before and after the hidden layer, and a
tensor's axes (rank) beside the size of the space each example lives in (dimension)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import PALETTE

GREY = "#9aa0a6"


def representation_figure(inputs: np.ndarray, hidden: list[np.ndarray], names: list[str],
                          labels: np.ndarray, titles: dict, classify: bool = True) -> go.Figure:
    """Heatmaps, one example per row (grouped by class): the input features, then each hidden
    block's output. The number of columns is the dimension of the space the data lives in."""
    panels = [inputs] + list(hidden)
    widths = [max(p.shape[1], 7) for p in panels]
    fig = make_subplots(rows=1, cols=len(panels), column_widths=widths, horizontal_spacing=0.04,
                        subplot_titles=[titles["input"].format(d=inputs.shape[1])]
                        + [titles["hidden"].format(name=n, d=h.shape[1]) for n, h in zip(names, hidden)])
    fig.update_annotations(font_size=13)  # the subplot titles
    for col, panel in enumerate(panels, start=1):
        z = panel
        if col > 1:
            # Each unit scaled to its own 0..1 range, so a weakly used unit is still visible.
            lo, hi = panel.min(axis=0), panel.max(axis=0)
            z = (panel - lo) / np.where(hi - lo > 0, hi - lo, 1.0)
        fig.add_trace(go.Heatmap(z=z, colorscale="Viridis" if col > 1 else "RdBu_r",
                                 zmid=0 if col == 1 else None, showscale=False,
                                 hovertemplate=titles["hover"]), row=1, col=col)
        fig.update_xaxes(title_text=titles["units"], row=1, col=col, showgrid=False)
        fig.update_yaxes(showticklabels=col == 1, autorange="reversed", row=1, col=col, showgrid=False)
    fig.update_yaxes(title_text=titles["examples"], row=1, col=1)
    if classify:
        # A white line between classes: the rows above and below belong to different classes.
        boundaries = np.flatnonzero(np.diff(labels)) + 0.5
        for col in range(1, len(panels) + 1):
            for b in boundaries:
                fig.add_hline(y=b, line=dict(color="white", width=2), row=1, col=col)
        mids = [float(np.mean(np.flatnonzero(labels == c))) for c in np.unique(labels)]
        ticks = [titles["class"].format(c=int(c)) for c in np.unique(labels)]
        fig.update_yaxes(tickvals=mids, ticktext=ticks, showticklabels=True, row=1, col=1)
    return fig


def axes_figure(shape: tuple[int, ...], axes: list[str], batch_axis: bool, titles: dict) -> go.Figure:
    """One box per axis of the tensor (rank = how many boxes); the example's axes bracketed,
    their sizes multiplied (dimension = the product)."""
    fig = go.Figure()
    n = len(shape)
    shapes, annotations = [], []
    for i, (size, name) in enumerate(zip(shape, axes)):
        is_batch = batch_axis and i == 0
        color = GREY if is_batch else PALETTE[0]
        shapes.append(dict(type="rect", x0=i + 0.05, x1=i + 0.95, y0=0.0, y1=1.0, fillcolor=color,
                           opacity=0.9, line=dict(color="#333", width=1), layer="below"))
        annotations.append(dict(x=i + 0.5, y=0.5, showarrow=False, font=dict(color="white", size=15),
                                text=f"{titles['axis']} {i}<br><b>{titles['names'].get(name, name)}</b>"
                                     f"<br>{size:,}"))
    first = 1 if batch_axis else 0
    example = [d for i, d in enumerate(shape) if i >= first]
    dimension = int(np.prod(example)) if example else 1
    # Rank bracket over every axis.
    shapes.append(dict(type="path", path=f"M 0.05,1.12 L 0.05,1.25 L {n - 0.05},1.25 L {n - 0.05},1.12",
                       line=dict(color="#333", width=2)))
    annotations.append(dict(x=n / 2, y=1.25, yanchor="bottom", showarrow=False,
                            text=titles["rank"].format(rank=n), font=dict(size=14)))
    if example:
        x0, x1 = first + 0.05, n - 0.05
        shapes.append(dict(type="path", path=f"M {x0},-0.12 L {x0},-0.25 L {x1},-0.25 L {x1},-0.12",
                           line=dict(color=PALETTE[0], width=2)))
        product = " × ".join(str(d) for d in example) + f" = {dimension:,}" if len(example) > 1 \
            else f"{dimension:,}"
        text = titles["dimension"].format(product=product, dimension=f"{dimension:,}")
        annotations.append(dict(x=(x0 + x1) / 2, y=-0.25, yanchor="top", showarrow=False, text=text,
                                font=dict(size=14, color=PALETTE[0])))
    fig.update_layout(shapes=shapes, annotations=annotations, height=230, dragmode=False,
                      plot_bgcolor="white", margin=dict(t=10, b=10))
    fig.update_xaxes(visible=False, range=[-0.1, max(n, 2) + 0.1], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-0.65, 1.6], fixedrange=True)
    return fig


def example_figure(example: np.ndarray, kind: str, titles: dict, axes: list[str] | None = None) -> go.Figure:
    """The first example's numbers, laid out as they are stored. `axes` names the example's
    axes (rows, columns) for the axis titles."""
    values = np.asarray(example, float)
    if values.ndim == 3 and values.shape[-1] == 1:
        values = values[..., 0]  # (8, 8, 1) image -> (8, 8)
    if values.ndim == 1:
        values = values[None, :]  # a vector as one row
    image = kind == "images" and values.shape[0] > 1
    text = None
    if values.size <= 160:
        text = np.vectorize(lambda v: f"{v:.0f}" if kind == "tokens" else f"{v:.2f}")(values)
    colorscale = "Greys" if kind == "images" else ("Viridis" if kind == "tokens" else "RdBu_r")
    fig = go.Figure(go.Heatmap(z=values, colorscale=colorscale,
                               zmid=0 if kind in ("vector", "batch", "embedded") else None, showscale=False,
                               text=text, texttemplate="%{text}" if text is not None else None,
                               hovertemplate=titles["hover"]))
    axes = axes or []
    rows_title = axes[0] if len(axes) > 1 else None
    cols_title = axes[-1] if axes else None
    fig.update_yaxes(autorange="reversed", showgrid=False, title_text=rows_title,
                     showticklabels=values.shape[0] > 1)
    fig.update_xaxes(showgrid=False, title_text=cols_title)
    if image:
        fig.update_yaxes(scaleanchor="x", constrain="domain")
        fig.update_xaxes(constrain="domain")
    fig.update_layout(height=320 if image else max(160, min(360, 40 * values.shape[0] + 100)))
    return fig
