"""Figures of the overfitting page: capacity curves, the train/validation gap, regularizer runs,
and BatchNorm against batch size."""

from __future__ import annotations

import plotly.graph_objects as go

from core.charts import PALETTE
from core.i18n import t


def capacity_curves(runs: list[tuple[str, list[int], list[float]]], lang: str) -> go.Figure:
    """Training accuracy per epoch, one line per capacity; the dotted line is 100 %."""
    fig = go.Figure()
    for i, (label, epochs, acc) in enumerate(runs):
        fig.add_trace(go.Scatter(x=epochs, y=acc, mode="lines", name=label, line=dict(color=PALETTE[i])))
    fig.add_hline(y=1.0, line_dash="dot", line_color="#888")
    fig.update_yaxes(title_text=t("overfitting.chart.train_acc", lang), tickformat=".0%", range=[0.4, 1.03])
    fig.update_xaxes(title_text=t("overfitting.chart.epoch", lang))
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def gap_curves(runs: list[tuple[str, list[int], list[float], list[float]]], lang: str) -> go.Figure:
    """Training (solid) and validation (dashed) accuracy per epoch, one colour per run."""
    fig = go.Figure()
    for i, (label, epochs, train, val) in enumerate(runs):
        fig.add_trace(go.Scatter(x=epochs, y=train, mode="lines", legendgroup=label,
                                 line=dict(color=PALETTE[i]),
                                 name=f"{label} · {t('overfitting.chart.train', lang)}"))
        fig.add_trace(go.Scatter(x=epochs, y=val, mode="lines", legendgroup=label,
                                 line=dict(color=PALETTE[i], dash="dash"),
                                 name=f"{label} · {t('overfitting.chart.val', lang)}"))
    fig.update_yaxes(title_text=t("overfitting.chart.accuracy", lang), tickformat=".0%", range=[0.4, 1.03])
    fig.update_xaxes(title_text=t("overfitting.chart.epoch", lang))
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def loss_runs(runs: list[tuple[str, list[int], list[float], list[float], int | None]],
              lang: str) -> go.Figure:
    """Validation loss (solid) and training loss (dotted) per epoch for each run, log scale;
    a diamond marks the epoch early stopping kept."""
    fig = go.Figure()
    for i, (label, epochs, train, val, best) in enumerate(runs):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=epochs, y=val, mode="lines", legendgroup=label, line=dict(color=color),
                                 name=f"{label} · {t('overfitting.chart.val', lang)}"))
        fig.add_trace(go.Scatter(x=epochs, y=train, mode="lines", legendgroup=label,
                                 line=dict(color=color, dash="dot"),
                                 name=f"{label} · {t('overfitting.chart.train', lang)}"))
        if best is not None:
            fig.add_trace(go.Scatter(x=[best], y=[val[epochs.index(best)]], mode="markers", legendgroup=label,
                                     showlegend=False, marker=dict(symbol="diamond", size=12, color=color),
                                     hovertemplate=t("overfitting.chart.kept", lang) + "<extra></extra>"))
    fig.update_yaxes(title_text=t("overfitting.chart.loss", lang), type="log", exponentformat="power")
    fig.update_xaxes(title_text=t("overfitting.chart.epoch", lang))
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def batchnorm_bars(batch_sizes: list[int], without: list[float], with_bn: list[float], chance: float,
                   lang: str) -> go.Figure:
    """Validation accuracy by batch size, without and with BatchNormalization."""
    x = [str(b) for b in batch_sizes]
    fig = go.Figure([
        go.Bar(x=x, y=without, name=t("overfitting.chart.without_bn", lang), marker_color=PALETTE[0],
               text=[f"{v:.0%}" for v in without], textposition="outside"),
        go.Bar(x=x, y=with_bn, name=t("overfitting.chart.with_bn", lang), marker_color=PALETTE[1],
               text=[f"{v:.0%}" for v in with_bn], textposition="outside"),
    ])
    fig.add_hline(y=chance, line_dash="dash", line_color="#888")
    # A legend entry for the dashed line (a label on the line itself would sit on a bar).
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color="#888", dash="dash"),
                             name=f"{t('overfitting.chart.guessing', lang)} ({chance:.0%})"))
    fig.update_yaxes(title_text=t("overfitting.chart.val_acc", lang), tickformat=".0%", range=[0, 1.12])
    fig.update_xaxes(title_text=t("overfitting.chart.batch_size", lang), type="category")
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.25))
    return fig
