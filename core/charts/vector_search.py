"""Figures for the vector-search page: neighbour images, the embedding space, precision@k.

Every function takes already-translated strings and returns a Plotly figure; pages pass it
through `ui.frame.plot`, which applies the shared theme.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import PALETTE, legend_below, wrap

# Ten digits need ten colours: Okabe & Ito's eight (black swapped for grey) plus Paul Tol's wine
# and a dark teal. Colour is never the only cue: each class also has its digit written at its
# centre, and hovering names it.
DIGIT_COLORS = PALETTE[:7] + ["#777777", "#882255", "#117733"]
MATCH = "#0072B2"     # a neighbour of the query's digit
MISMATCH = "#D55E00"  # a neighbour of another digit


def neighbour_grid(query_image: np.ndarray, query_title: str, rows: list[dict]) -> go.Figure:
    """The query (left, drawn twice as large) and, per row, its k nearest images, all in one
    mosaic heatmap (one trace draws fast). Each row is a dict with `name`, `images` (k, 8, 8),
    `labels` (k,), `distances` (k,), `ids` (k,) and `query_label`."""
    size, gap, row_gap, zoom = 8, 2, 11, 2  # in pixels of the 8x8 images
    k = len(rows[0]["images"])
    left = size * zoom + 4                 # the first neighbour column
    width = left + k * (size + gap) - gap
    height = row_gap + len(rows) * (size + row_gap) - row_gap
    z = np.full((height, width), np.nan)   # NaN cells are transparent gaps
    hover = np.full((height, width), "", dtype=object)
    top = (row_gap + height - size * zoom) // 2  # centred on the rows of neighbours
    z[top:top + size * zoom, :size * zoom] = np.kron(query_image, np.ones((zoom, zoom)))  # (16, 16)
    hover[top:top + size * zoom, :size * zoom] = query_title
    # Under the query, on lines as narrow as the query image: on one line the title was wider
    # than it at large type and ran over the first neighbour.
    annotations = [dict(x=(size * zoom - 1) / 2, y=top + size * zoom + 0.3,
                        text=f"<b>{wrap(query_title, 8)}</b>", yanchor="top", showarrow=False)]
    shapes = []
    for r, row in enumerate(rows):
        y0 = row_gap + r * (size + row_gap)
        annotations.append(dict(x=left - 0.5, y=y0 - 5.2, text=f"<b>{row['name']}</b>", xanchor="left",
                                yanchor="bottom", showarrow=False))
        for c in range(k):
            x0 = left + c * (size + gap)
            z[y0:y0 + size, x0:x0 + size] = row["images"][c]
            same = row["labels"][c] == row["query_label"]
            hover[y0:y0 + size, x0:x0 + size] = (f"#{row['ids'][c]} · {row['labels'][c]}"
                                                 f" · d = {row['distances'][c]:.4f}")
            tint = MATCH if same else MISMATCH
            annotations.append(dict(x=x0 + (size - 1) / 2, y=y0 - 0.8, yanchor="bottom", showarrow=False,
                                    text=f"{'' if same else '✗ '}{row['labels'][c]}",
                                    font=dict(color=tint, size=15)))
            shapes.append(dict(type="rect", x0=x0 - 0.6, x1=x0 + size - 0.4, y0=y0 - 0.6, y1=y0 + size - 0.4,
                               line=dict(color=tint, width=1.5 if same else 3.5)))
    fig = go.Figure(go.Heatmap(z=z, text=hover, meta="picture", colorscale="Greys", zmin=0, zmax=16, showscale=False,
                               hoverongaps=False, hovertemplate="%{text}<extra></extra>"))
    fig.update_xaxes(visible=False, range=[-1, width], constrain="domain")
    # Square pixels, and row 0 at the top as in an image.
    fig.update_yaxes(visible=False, range=[height + 3, 0], scaleanchor="x", constrain="domain")
    # About as tall as the mosaic is on an ~850 px wide column, so little space is left blank.
    fig.update_layout(annotations=annotations, shapes=shapes, showlegend=False,
                      height=int(np.clip(40 + 800 * (height + 3) / (width + 1), 220, 420)))
    return fig


def embedding_maps(panels: list[dict], labels: np.ndarray, query: int, class_label: str) -> go.Figure:
    """Side-by-side 2-D maps of the same images. Each panel is a dict with `title`, `coords`
    (n, 2), `variance` (2,) and `neighbours` (k,) image indices found in that space."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[p["title"] for p in panels],
                        horizontal_spacing=0.06)
    fig.update_annotations(font_size=None)  # subplot titles follow the theme's (scaled) font
    for col, panel in enumerate(panels, start=1):
        coords = panel["coords"]
        for digit in range(10):
            mask = labels == digit
            fig.add_trace(go.Scatter(
                x=coords[mask, 0], y=coords[mask, 1], mode="markers", name=f"{class_label} {digit}",
                legendgroup=str(digit), showlegend=col == 1, opacity=0.55,
                marker=dict(color=DIGIT_COLORS[digit]), customdata=np.flatnonzero(mask),
                hovertemplate=f"#%{{customdata}} · {class_label} {digit}<extra></extra>"), row=1, col=col)
        # The digit itself, written at its class centre, so colour is not the only cue.
        centres = np.array([np.median(coords[labels == d], axis=0) for d in range(10)])  # (10, 2)
        fig.add_trace(go.Scatter(x=centres[:, 0], y=centres[:, 1], mode="text",
                                 text=[f"<b>{d}</b>" for d in range(10)], showlegend=False,
                                 textfont=dict(size=22, color="black"), hoverinfo="skip"), row=1, col=col)
        near = np.asarray(panel["neighbours"])
        fig.add_trace(go.Scatter(x=coords[near, 0], y=coords[near, 1], mode="markers+text",
                                 text=[""] * len(near),  # "markers+text": the theme restyles "markers"
                                 marker=dict(symbol="circle-open", size=14, color="black",
                                             line=dict(width=2)),
                                 name=panel["neighbour_name"], legendgroup="neighbours",
                                 showlegend=col == 1, hoverinfo="skip"), row=1, col=col)
        fig.add_trace(go.Scatter(x=coords[[query], 0], y=coords[[query], 1], mode="markers+text",
                                 text=[""], marker=dict(symbol="star", size=22, color="black",
                                                        line=dict(width=1.5, color="white")),
                                 name=panel["query_name"], legendgroup="query", showlegend=col == 1,
                                 hoverinfo="skip"), row=1, col=col)
        fig.update_xaxes(title_text=f"PC1 ({panel['variance'][0]:.0%})", showticklabels=False,
                         row=1, col=col)
        fig.update_yaxes(title_text=f"PC2 ({panel['variance'][1]:.0%})", showticklabels=False,
                         row=1, col=col)
    fig.update_layout(height=480, legend=legend_below())  # at y=-0.12 it ran into the axis titles
    return fig


def precision_by_k(ks: np.ndarray, curves: list[dict], k_selected: int, x_title: str,
                   y_title: str) -> go.Figure:
    """precision@k against k. Each curve: `name`, `values` (len(ks),), `dash`, `color`."""
    return _precision_lines(go.Figure(), ks, curves, k_selected, "k=", x_title, y_title)


def precision_by_epoch(epochs: list[int], curves: list[dict], epoch_selected: int, x_title: str,
                       y_title: str, y_min: float | None = None) -> go.Figure:
    """precision@k (and held-out accuracy) against training epoch, same curve dicts. Values
    below `y_min` leave the chart; an arrow at the bottom edge says where they went."""
    fig = go.Figure()
    if y_min is not None:
        fig.update_yaxes(range=[y_min, 1.005])
        for curve in curves:
            for x, v in zip(epochs, curve["values"]):
                if v < y_min:
                    fig.add_annotation(x=x, y=y_min, yanchor="bottom", xanchor="left", showarrow=False,
                                       text=f"↓ {v:.0%}", font=dict(color=curve["color"]))
    return _precision_lines(fig, epochs, curves, epoch_selected, "epoch ", x_title, y_title)


def _precision_lines(fig: go.Figure, xs, curves: list[dict], selected, x_name: str, x_title: str,
                     y_title: str) -> go.Figure:
    """The curves (hover "<x_name><x>: <value>"), a dotted line at the selected x, percent axis."""
    for curve in curves:
        fig.add_trace(go.Scatter(x=xs, y=curve["values"], mode="lines+markers", name=curve["name"],
                                 line=dict(dash=curve.get("dash", "solid"), color=curve["color"]),
                                 hovertemplate=x_name + "%{x}: %{y:.1%}<extra>" + curve["name"] + "</extra>"))
    fig.add_vline(x=selected, line=dict(color="#888", dash="dot", width=1))
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, tickformat=".0%")
    fig.update_layout(height=400, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig
