"""Figures for the language pages: token counts, vocabulary sweeps, embedding maps, next-token
probabilities, entropy and loss curves. Functions return figures; pages show them via
`ui.frame.plot`, which applies the shared theme."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.charts import PALETTE, SEQUENTIAL, color, legend_below, wrap


def token_counts(labels: list[str], counts: list[int], unknown: list[int], x_title: str,
                 unknown_name: str) -> go.Figure:
    """Horizontal bars: how many tokens each scheme makes of the same text (unknown part in red)."""
    known = [c - u for c, u in zip(counts, unknown)]
    fig = go.Figure([
        go.Bar(y=labels, x=known, orientation="h", marker_color=[color(i) for i in range(len(labels))],
               text=counts, textposition="outside", name="", showlegend=False, cliponaxis=False,
               constraintext="none"),
        go.Bar(y=labels, x=unknown, orientation="h", marker_color="#D55E00", marker_pattern_shape="/",
               name=unknown_name, showlegend=any(unknown)),
    ])
    fig.update_layout(barmode="stack", xaxis_title=x_title, yaxis=dict(autorange="reversed"),
                      legend=legend_below(), height=260)  # y=-0.3 ran into the axis title
    fig.update_xaxes(range=[0, max(counts + [1]) * 1.18])
    return fig


def vocab_sweep(sizes: list[int], series: dict[str, list[int]], references: dict[str, int],
                current: int, x_title: str, y_title: str) -> go.Figure:
    """Tokens of a text as the BPE vocabulary grows; dotted lines: characters and words."""
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=sizes, y=values, mode="lines+markers", name=name,
                                 line=dict(color=color(2 + i))))
    for i, (name, value) in enumerate(references.items()):
        fig.add_hline(y=value, line=dict(dash="dot", color=color(i), width=1.5),
                      annotation_text=f"{name}: {value}",
                      annotation_position="top right" if i == 0 else "bottom right",
                      annotation_bgcolor="rgba(255,255,255,0.85)")
    fig.add_vline(x=current, line=dict(color="#777", dash="dash", width=1))
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, legend=legend_below(), height=320)
    fig.update_yaxes(rangemode="tozero")
    return fig


def language_bars(schemes: list[str], values: dict[str, list[float]], y_title: str,
                  text_format: str = "{:.1f}") -> go.Figure:
    """Grouped bars: one group per scheme, one bar per language."""
    fig = go.Figure()
    for i, (lang, ys) in enumerate(values.items()):
        # Category names on lines of ~10 characters: kept level (tickangle=0), long one-line
        # names ran into each other in a half-width column.
        fig.add_trace(go.Bar(x=[wrap(s, 10) for s in schemes], y=ys, name=lang, marker_color=color(i),
                             text=[text_format.format(v) if v else "" for v in ys], textposition="outside",
                             cliponaxis=False, constraintext="none"))
    fig.update_layout(barmode="group", yaxis_title=y_title, height=340,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_xaxes(tickangle=0, automargin=True)
    fig.update_yaxes(rangemode="tozero", automargin=True)
    return fig


def matrix_heatmap(values: np.ndarray, row_labels: list[str], x_title: str, colorscale=SEQUENTIAL,
                   zmid: float | None = None, height: int = 260) -> go.Figure:
    """Rows of a matrix (one per token) as a heatmap."""
    labels = [f"{i}: {label}" for i, label in enumerate(row_labels)]  # unique, ordered row names
    fig = go.Figure(go.Heatmap(z=values, y=labels, colorscale=colorscale, zmid=zmid,
                               hovertemplate="%{y}<br>column %{x}<br>%{z:.3f}<extra></extra>"))
    fig.update_layout(xaxis_title=x_title, yaxis=dict(autorange="reversed", type="category"), height=height)
    return fig


SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star", "triangle-down", "x")


def readable_labels(xy: np.ndarray, candidates: set[int], highlight: int | None,
                    ranges: tuple[tuple[float, float], tuple[float, float]],
                    gap: tuple[float, float] = (0.09, 0.045)) -> set[int]:
    """The candidates whose text labels do not pile up: nearest to `highlight` first, a label is
    kept only if no kept one lies within `gap` (a share of each axis's range; a label is wider
    than tall). Hover still names every point. Korean labels over 60 crowded points were unreadable."""
    (x0, x1), (y0, y1) = ranges
    scale = np.array([gap[0] * (x1 - x0) or 1.0, gap[1] * (y1 - y0) or 1.0])
    centre = xy[highlight] if highlight is not None else xy[sorted(candidates)].mean(axis=0) if candidates else 0
    order = sorted(candidates, key=lambda i: (i != highlight, float(np.sum((xy[i] - centre) ** 2))))
    kept: list[int] = []
    for i in order:
        if not kept or np.min(np.max(np.abs(xy[kept] - xy[i]) / scale, axis=1)) >= 1.0:
            kept.append(i)
    return set(kept)


def embedding_map(xy: np.ndarray, labels: list[str], group_of: dict[int, str], group_names: dict[str, str],
                  highlight: int | None, ranges: tuple[tuple[float, float], tuple[float, float]],
                  axis_titles: tuple[str, str], other_name: str, labelled: set[int] | None = None) -> go.Figure:
    """The embedding table projected to 2-D: every token a grey dot, group words coloured (and
    labelled when in `labelled`, to keep the picture readable), the query token ringed."""
    fig = go.Figure()
    labelled = readable_labels(xy, labelled if labelled is not None else set(group_of), highlight, ranges)
    others = [i for i in range(len(xy)) if i not in group_of]
    fig.add_trace(go.Scatter(x=xy[others, 0], y=xy[others, 1], mode="markers", name=other_name,
                             marker=dict(color="rgba(120,120,120,0.16)", size=3), text=[labels[i] for i in others],
                             hovertemplate="%{text}<extra></extra>"))
    for g, (key, name) in enumerate(group_names.items()):
        ids = [i for i, k in group_of.items() if k == key]
        if not ids:
            continue
        shown = [labels[i] if i in labelled else "" for i in ids]
        fig.add_trace(go.Scatter(x=xy[ids, 0], y=xy[ids, 1], mode="markers+text", name=name,
                                 text=shown, hovertext=[labels[i] for i in ids], textposition="top center",
                                 marker=dict(color=PALETTE[g % (len(PALETTE) - 1)], size=9,
                                             symbol=SYMBOLS[g % len(SYMBOLS)]),  # not colour alone
                                 hovertemplate="%{hovertext}<extra></extra>"))
    if highlight is not None:
        fig.add_trace(go.Scatter(x=[xy[highlight, 0]], y=[xy[highlight, 1]], mode="markers", showlegend=False,
                                 marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(color="#000", width=2)),
                                 hoverinfo="skip"))
    fig.update_layout(xaxis_title=axis_titles[0], yaxis_title=axis_titles[1], height=560,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_xaxes(range=list(ranges[0]))
    # Headroom above the top points: their labels sit over them, under the legend.
    lo, hi = ranges[1]
    fig.update_yaxes(range=[lo, hi + 0.06 * (hi - lo)])
    return fig


def curves(x: list[float], series: dict[str, list[float]], x_title: str, y_title: str,
           references: dict[str, float] | None = None, marker_x: float | None = None,
           height: int = 300) -> go.Figure:
    """Line chart of a few series over epochs (or temperature), with dotted reference levels."""
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=x, y=ys, mode="lines+markers", name=name, line=dict(color=color(i))))
    for i, (name, value) in enumerate((references or {}).items()):
        fig.add_hline(y=value, line=dict(dash="dot", color=color(len(series) + i), width=1.5),
                      annotation_text=name, annotation_position="top right",
                      annotation_bgcolor="rgba(255,255,255,0.85)")  # readable where the epoch marker crosses it
    if marker_x is not None:
        fig.add_vline(x=marker_x, line=dict(color="#777", dash="dash", width=1))
    # Legend above the plot: below it, it ran into the x-axis title once the type is large.
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, height=height,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def next_token_bars(tokens: list[str], model_probs: list[float], sampling_probs: list[float],
                    model_name: str, sampling_name: str, y_title: str) -> go.Figure:
    """The most likely next tokens: the model's own distribution (T = 1) next to the one the
    sampler draws from after temperature and top-k."""
    labels = [f"{i + 1}. {t}" for i, t in enumerate(tokens)]
    fig = go.Figure([
        go.Bar(y=labels, x=model_probs, name=model_name, orientation="h", marker_color="rgba(120,120,120,0.45)"),
        go.Bar(y=labels, x=sampling_probs, name=sampling_name, orientation="h", marker_color=PALETTE[0],
               text=[f"{p:.2f}" if p >= 0.01 else "" for p in sampling_probs], textposition="outside",
               cliponaxis=False, constraintext="none"),
    ])
    fig.update_layout(barmode="group", xaxis_title=y_title, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      height=120 + 30 * len(tokens), yaxis=dict(autorange="reversed", type="category"), bargap=0.25)
    fig.update_xaxes(range=[0, 1.1])
    fig.update_yaxes(automargin=True)
    return fig


def one_hot_rows(ids: list[int], row_labels: list[str], vocab_size: int, x_title: str,
                 zeros_name: str, one_name: str) -> go.Figure:
    """One-hot vectors drawn to scale: each row is `vocab_size` wide (grey = zeros) with a
    single 1 (black square) at the token's id. A heatmap would make the 1s a pixel wide."""
    labels = [f"{i}: {label}" for i, label in enumerate(row_labels)]
    fig = go.Figure([
        go.Bar(y=labels, x=[vocab_size] * len(ids), orientation="h", marker_color="rgba(150,150,150,0.18)",
               name=zeros_name, hovertemplate="%{y}<br>" + f"{vocab_size - 1:,} × 0<extra></extra>"),
        go.Scatter(y=labels, x=ids, mode="markers+text", name=one_name, text=[f"  {i}" for i in ids],
                   textposition="middle right", marker=dict(symbol="square", color="#000", size=9),
                   hovertemplate="%{y}<br>1 at column %{x}<extra></extra>"),
    ])
    fig.update_layout(xaxis_title=x_title, yaxis=dict(autorange="reversed", type="category"), height=300,
                      bargap=0.35, legend=legend_below())  # at y=-0.35 it covered the axis title
    fig.update_xaxes(range=[0, vocab_size * 1.02])
    return fig
