"""Figure of the compile() page: one model's loss across fit, compile() again, fit."""

from __future__ import annotations

import plotly.graph_objects as go

from core.charts import PALETTE, fit, legend_below
from core.i18n import t


def loss_timeline(initial_loss: float, before: list[float], after: list[float],
                  checkpoints: list[tuple[int, float, str]], fresh_loss: float, lang: str) -> go.Figure:
    """fit()'s loss per epoch before and after the second compile(); `checkpoints` are
    (epoch, loss, label) from model.evaluate; a star shows where a fresh model would start."""
    n = len(before)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(range(0, n + 1)), y=[initial_loss] + before, mode="lines",
                             name=t("compile.chart.fit1", lang), line=dict(color=PALETTE[0])))
    fig.add_trace(go.Scatter(x=list(range(n, 2 * n + 1)), y=[before[-1]] + after, mode="lines",
                             name=t("compile.chart.fit2", lang), line=dict(color=PALETTE[2])))
    fig.add_trace(go.Scatter(x=[c[0] for c in checkpoints], y=[c[1] for c in checkpoints], mode="markers",
                             name=t("compile.chart.evaluate", lang), text=[c[2] for c in checkpoints],
                             marker=dict(color="#000000", size=9, symbol="circle-open", line=dict(width=2)),
                             hovertemplate="%{text}<br>loss %{y:.4f}<extra></extra>"))
    # Where the curve would have jumped if compile() had re-initialised the weights.
    fig.add_trace(go.Scatter(x=[n, n], y=[before[-1], fresh_loss], mode="lines+markers",
                             name=t("compile.chart.fresh", lang), line=dict(color=PALETTE[3], dash="dot"),
                             marker=dict(size=[0, 16], symbol="star", color=PALETTE[3]),
                             hovertemplate=t("compile.chart.fresh", lang) + ": %{y:.4f}<extra></extra>"))
    fig.add_vline(x=n, line_dash="dash", line_color="#888")
    fig.add_annotation(x=n, y=0.02, yref="paper", text="model.compile()", showarrow=False, xanchor="left",
                       xshift=6, yanchor="bottom", font=dict(color="#555"))
    fig.add_annotation(x=n, y=fresh_loss, text=f"{fresh_loss:.3f}", showarrow=False, xanchor="left",
                       xshift=12, font=dict(color=PALETTE[3]))
    fig.update_xaxes(title_text=t("compile.chart.epoch", lang))
    # Two lines: the full name is longer than the plot is tall once the legend takes its rows.
    fig.update_yaxes(title_text=fit(t("compile.chart.loss", lang), 13), rangemode="tozero")
    fig.update_layout(legend=legend_below())
    return fig
