"""Figures for a seed race (core.lessons.seed_race): each contender's training loss per epoch as
the mean over seeds inside its min-max band, and the final validation loss of every seed as a
dot, the dots of one seed joined across contenders (who beat whom, seed by seed)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import PALETTE


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def race_figure(race, labels: dict[str, str], titles: dict, scale: float = 1.0,
                measure: str = "train_loss") -> go.Figure:
    """Left: a training loss vs epoch (mean line, min-max band over seeds; log scale): `measure`
    "train_loss" (inference mode) or "fit_loss" (training mode, from epoch 1). Right: the final
    validation loss, one dot per seed and contender, a grey line joining each seed."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38], horizontal_spacing=0.1,
                        subplot_titles=[titles["curves"], titles["final"]])
    fig.update_annotations(font_size=round(13 * scale))
    for i, name in enumerate(race.names):
        color = PALETTE[i % len(PALETTE)]
        mean, lo, hi = race.curve_band(name, measure)
        epochs = np.arange(len(mean))
        keep = np.isfinite(mean)  # the training-mode loss has none at epoch 0
        mean, lo, hi, epochs = mean[keep], lo[keep], hi[keep], epochs[keep]
        fig.add_trace(go.Scatter(x=np.concatenate([epochs, epochs[::-1]]), y=np.concatenate([hi, lo[::-1]]),
                                 fill="toself", fillcolor=_rgba(color, 0.18), line=dict(width=0),
                                 hoverinfo="skip", showlegend=False), row=1, col=1)
        fig.add_trace(go.Scatter(x=epochs, y=mean, name=labels[name], line=dict(color=color),
                                 legendgroup=name,
                                 hovertemplate=f"{labels[name]}<br>%{{x}}: %{{y:.4f}}<extra></extra>"),
                      row=1, col=1)
    xs = {name: i for i, name in enumerate(race.names)}
    for seed in race.seeds:
        values = [race.runs[name, seed].final["val_loss"] for name in race.names]
        fig.add_trace(go.Scatter(x=list(xs.values()), y=values, mode="lines", line=dict(color="#bbbbbb", width=1),
                                 hoverinfo="skip", showlegend=False), row=1, col=2)
    symbols = ["circle", "diamond", "square", "triangle-up"]
    for i, name in enumerate(race.names):
        values = [race.runs[name, s].final["val_loss"] for s in race.seeds]
        fig.add_trace(go.Scatter(x=[i] * len(values), y=values, mode="markers", showlegend=False,
                                 legendgroup=name, customdata=list(race.seeds),
                                 marker=dict(color=PALETTE[i % len(PALETTE)], size=9 * scale,
                                             symbol=symbols[i % len(symbols)], line=dict(color="white", width=1)),
                                 hovertemplate=f"{labels[name]}, {titles['seed']} %{{customdata}}: "
                                               f"%{{y:.4f}}<extra></extra>"), row=1, col=2)
        fig.add_trace(go.Scatter(x=[i - 0.25, i + 0.25], y=[float(np.mean(values))] * 2, mode="lines",
                                 line=dict(color=PALETTE[i % len(PALETTE)], width=3), hoverinfo="skip",
                                 showlegend=False), row=1, col=2)
    fig.update_xaxes(title_text=titles["epoch"], row=1, col=1)
    fig.update_yaxes(title_text=titles["train_loss"], type="log", dtick=1, row=1, col=1)  # one label a decade
    fig.update_xaxes(tickvals=list(xs.values()), ticktext=[labels[n] for n in race.names],
                     range=[-0.5, len(race.names) - 0.5], row=1, col=2)
    fig.update_yaxes(title_text=titles["val_loss"], row=1, col=2)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.12, x=0), margin=dict(t=70))
    return fig  # frame.plot themes it (presentation scale included)
