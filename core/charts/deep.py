"""Figures of the deep-networks page: the sweep heatmap, gradient norms per layer at
initialisation, and training-loss curves at one depth."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from core.charts import PALETTE, SEQUENTIAL
from core.i18n import t

# A gradient whose entries are all exactly 0.0 cannot sit on a log axis: it is drawn on this
# floor line, below float32's smallest positive number (1.4e-45), so no real norm (computed
# without underflow, core.models.scaled_norm) can be mistaken for it.
GRAD_FLOOR = 1e-46
VARIANT_COLORS = {"plain": PALETTE[3], "batchnorm": PALETTE[0], "skip": PALETTE[1], "both": PALETTE[2]}


def variant_label(variant: str, lang: str) -> str:
    return t(f"deep.variant.{variant}", lang)


def _format(metric: str, value: float) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if metric == "val_accuracy":
        return f"{100 * value:.0f} %"
    if metric == "first_grad":
        return "0" if value == 0 else f"{value:.0e}"
    return f"{value:.3f}"


def sweep_heatmap(depths: list[int], variants: list[str], values: dict[tuple[int, str], float],
                  metric: str, chance: float, lang: str) -> go.Figure:
    """Depth down the rows (deeper is lower), variants across; a missing cell is blank.

    `metric` is "val_accuracy" (colour from chance to 100 %), "train_loss" (low is bright) or
    "first_grad" (log10 of hidden_1's gradient norm at initialisation)."""
    z, text = [], []
    for depth in depths:
        row_z, row_text = [], []
        for variant in variants:
            value = values.get((depth, variant))
            row_text.append(_format(metric, value) if value is not None else "")
            if value is None or not math.isfinite(value):
                row_z.append(None)
            elif metric == "first_grad":
                row_z.append(math.log10(max(value, GRAD_FLOOR)))
            else:
                row_z.append(value)
        z.append(row_z)
        text.append(row_text)
    scale = dict(val_accuracy=dict(zmin=chance, zmax=1.0, colorscale=SEQUENTIAL),
                 train_loss=dict(zmin=0.0, zmax=0.75, colorscale=SEQUENTIAL, reversescale=True),
                 first_grad=dict(zmin=-24, zmax=1, colorscale=SEQUENTIAL))[metric]
    colorbar = dict(title=t(f"deep.metric.{metric}", lang), thickness=14)
    if metric == "val_accuracy":
        colorbar.update(tickformat=".0%")
    if metric == "first_grad":
        colorbar.update(tickvals=[-24, -18, -12, -6, 0], ticktext=["1e-24", "1e-18", "1e-12", "1e-6", "1"])
    x_labels, y_labels = [variant_label(v, lang) for v in variants], [str(d) for d in depths]
    # A grey layer under the data, so that cells not trained yet show as empty tiles.
    fig = go.Figure(go.Heatmap(
        x=x_labels, y=y_labels, z=[[0] * len(variants) for _ in depths], showscale=False,
        colorscale=[[0, "#eeeeee"], [1, "#eeeeee"]], xgap=3, ygap=3, hoverinfo="skip",
        text=[["…" if v == "" else "" for v in row] for row in text], texttemplate="%{text}",
        textfont=dict(size=15, color="#999999")))
    fig.add_trace(go.Heatmap(
        x=x_labels, y=y_labels, z=z, text=text,
        texttemplate="%{text}", textfont=dict(size=15), colorbar=colorbar, xgap=3, ygap=3,
        hovertemplate=t("deep.chart.heat_hover", lang) + "<extra></extra>", **scale))
    fig.update_yaxes(title_text=t("deep.chart.depth", lang), type="category", autorange="reversed")
    fig.update_xaxes(side="top", type="category")
    return fig


def gradient_profiles(profiles: dict[str, dict[str, float]], lang: str) -> go.Figure:
    """|d loss / d kernel| per layer at initialisation, one line per variant, log scale.
    x is the layer number (1 = next to the input); the output layer comes last."""
    fig = go.Figure()
    any_zero = False
    depth = 0
    for variant, norms in profiles.items():
        names = list(norms)
        depth = len(names) - 1
        values = np.array([norms[n] for n in names], dtype=float)
        zero = values <= 0
        any_zero = any_zero or bool(zero.any())
        fig.add_trace(go.Scatter(
            x=list(range(1, len(names) + 1)), y=np.where(zero, GRAD_FLOOR, values), mode="lines+markers",
            name=variant_label(variant, lang), line=dict(color=VARIANT_COLORS[variant]),
            marker=dict(symbol=["x" if z else "circle" for z in zero]),
            customdata=[[n, t("deep.chart.underflow", lang) if z else f"{v:.2e}"]
                        for n, z, v in zip(names, zero, values)],
            hovertemplate="%{customdata[0]}: %{customdata[1]}<extra>" + variant_label(variant, lang)
            + "</extra>"))
    if any_zero:
        # Annotations on a log axis take log10 of the position (add_hline's would not).
        fig.add_hline(y=GRAD_FLOOR, line_dash="dot", line_color="#888")
        fig.add_annotation(x=0, xref="paper", y=math.log10(GRAD_FLOOR), yref="y", yshift=10,
                           text=t("deep.chart.underflow", lang), showarrow=False, xanchor="left",
                           font=dict(color="#666"))
    step = max(2, depth // 8)
    # Every step-th layer, leaving room before the output layer's label.
    ticks = list(range(1, depth + 1)) if depth <= 10 else sorted(
        {1, *(v for v in range(step, depth + 1, step) if v <= depth + 1 - step)})
    fig.update_xaxes(title_text=t("deep.chart.layer", lang), tickvals=ticks + [depth + 1],
                     ticktext=[str(v) for v in ticks] + [t("deep.chart.output", lang)])
    fig.update_yaxes(type="log", title_text=t("deep.chart.grad_norm", lang), exponentformat="power")
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def loss_curves(curves: dict[str, list[float]], chance_loss: float, lang: str) -> go.Figure:
    """Training loss per epoch for each variant; the dashed line is the loss of guessing."""
    fig = go.Figure()
    for variant, curve in curves.items():
        fig.add_trace(go.Scatter(x=list(range(len(curve))), y=curve, mode="lines",
                                 name=variant_label(variant, lang),
                                 line=dict(color=VARIANT_COLORS[variant])))
    fig.add_hline(y=chance_loss, line_dash="dash", line_color="#888")
    fig.add_annotation(x=1, xref="paper", y=math.log10(chance_loss), yref="y", yshift=10,
                       text=t("deep.chart.guessing", lang), showarrow=False, xanchor="right",
                       font=dict(color="#666"))
    fig.update_xaxes(title_text=t("deep.chart.epoch", lang))
    fig.update_yaxes(title_text=t("deep.chart.train_loss", lang), type="log")
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig
