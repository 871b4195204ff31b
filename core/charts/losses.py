"""Figures of the losses page. Each function returns a Plotly figure and shows nothing."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import color, fit, legend_below
from core.i18n import t
from core.lessons.losses import (REGRESSION_LOSSES, BinarySweep, FixRace, Magnitude, RobustFit, Underflow,
                                loss_of_residual)

LOSS_COLORS = {"mse": color(0), "binary_crossentropy": color(1), "mae": color(2), "huber": color(3)}
GROUPS = ("probability", "tolerance", "learning_rate", "loss", "parameters")


def _name(loss: str, lang: str) -> str:
    return t(f"losses.name.{loss}", lang)


def binary_figure(sweep: BinarySweep, p_point: float, lang: str, scale: float = 1.0) -> go.Figure:
    """Loss against the predicted probability (left) and its gradient in the logit (right).
    `scale` is the chart scale (core.charts.theme): subplot titles wrap to fit half the width."""
    titles = [fit(t("losses.chart.loss_vs_p", lang, y=sweep.y_true), 24 / scale),
              fit(t("losses.chart.grad_vs_p", lang), 24 / scale)]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=titles)
    every = max(1, len(sweep.probs) // 35)
    for loss, values, grads, closed in (
            ("mse", sweep.mse, sweep.grad_mse, sweep.closed_grad_mse),
            ("binary_crossentropy", sweep.bce, sweep.grad_bce, sweep.closed_grad_bce)):
        c = LOSS_COLORS[loss]
        fig.add_trace(go.Scatter(x=sweep.probs, y=values, mode="lines", name=_name(loss, lang),
                                 legendgroup=loss, line=dict(color=c)), row=1, col=1)
        fig.add_trace(go.Scatter(x=sweep.probs, y=grads, mode="lines", name=_name(loss, lang),
                                 legendgroup=loss, showlegend=False, line=dict(color=c),
                                 hovertemplate="p=%{x:.4f}<br>autodiff ∂L/∂z=%{y:.4f}<extra></extra>"),
                      row=1, col=2)
        fig.add_trace(go.Scatter(x=sweep.probs[::every], y=closed[::every], mode="markers",
                                 name=t("losses.chart.closed_form", lang), legendgroup="closed",
                                 showlegend=loss == "mse", marker=dict(color=c),
                                 hovertemplate="p=%{x:.4f}<br>closed form=%{y:.4f}<extra></extra>"),
                      row=1, col=2)
    fig.add_vline(x=p_point, line_dash="dash", line_color="#555")
    wrong = (0, 0.5) if sweep.y_true == 1 else (0.5, 1)
    fig.add_vrect(x0=wrong[0], x1=wrong[1], fillcolor="rgba(213, 94, 0, 0.07)", line_width=0)
    fig.update_xaxes(title_text=t("losses.chart.p_axis", lang), range=[0, 1])
    fig.update_yaxes(range=[0, min(6.0, float(sweep.bce.max()) * 1.05)], row=1, col=1)
    lines = max(title.count("<br>") + 1 for title in titles)
    fig.update_layout(height=420 + 20 * (lines - 1), legend=legend_below(), margin=dict(t=20 + 20 * lines))
    return fig


def race_figure(race: FixRace, lang: str, scale: float = 1.0) -> go.Figure:
    """p over SGD steps for each loss. `scale` as in `binary_figure`: the title wraps to the width."""
    fig = go.Figure()
    for loss, probs in race.probs.items():
        fig.add_trace(go.Scatter(x=np.arange(len(probs)), y=probs, mode="lines", name=_name(loss, lang),
                                 line=dict(color=LOSS_COLORS[loss])))
    fig.add_hline(y=0.5, line_dash="dot", line_color="#555")
    fig.update_xaxes(title_text=t("losses.chart.sgd_steps", lang))
    fig.update_yaxes(title_text=fit(t("losses.chart.p_axis", lang), 11), range=[0, 1])
    title = fit(t("losses.chart.race_title", lang, p=f"{race.p_start:g}", y=race.y_true,
                  lr=f"{race.learning_rate:g}"), 38 / scale)
    # automargin: the top margin grows to the title's lines instead of cutting them off.
    fig.update_layout(height=330 + 25 * title.count("<br>"), legend=legend_below(),
                      title=dict(text=title, automargin=True, x=0, xanchor="left", xref="paper",
                                 y=1, yanchor="bottom", yref="paper", pad=dict(b=8)))
    return fig


def regression_figure(fit: RobustFit, lang: str) -> go.Figure:
    """The data with each loss's fitted line (left); each loss as a function of one residual (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, column_widths=[0.55, 0.45],
                        subplot_titles=(t("losses.chart.fits", lang),
                                        t("losses.chart.loss_of_residual", lang)))
    fig.add_trace(go.Scatter(x=fit.x[:-1], y=fit.y[:-1], mode="markers", name=t("losses.chart.data", lang),
                             marker=dict(color="#777")), row=1, col=1)
    fig.add_trace(go.Scatter(x=fit.x[-1:], y=fit.y[-1:], mode="markers", name=t("losses.chart.outlier", lang),
                             marker=dict(color="#D55E00", size=14, symbol="star")), row=1, col=1)
    grid = np.array([fit.x.min() - 0.2, fit.x.max() + 0.2])
    w0, b0 = fit.clean_line
    fig.add_trace(go.Scatter(x=grid, y=w0 * grid + b0, mode="lines", name=t("losses.chart.clean", lang),
                             line=dict(color="#000", dash="dot")), row=1, col=1)
    for loss in REGRESSION_LOSSES:
        w, b = fit.lines[loss]
        fig.add_trace(go.Scatter(x=grid, y=w * grid + b, mode="lines", name=_name(loss, lang),
                                 legendgroup=loss,
                                 line=dict(color=LOSS_COLORS[loss])), row=1, col=1)
    reach = max(3.0, abs(fit.outlier_y - (w0 * fit.x[-1] + b0)) * 1.15)
    r = np.linspace(-reach, reach, 301)
    curves = loss_of_residual(r)
    for loss in REGRESSION_LOSSES:
        w, b = fit.lines[loss]
        resid = fit.y[-1] - (w * fit.x[-1] + b)
        fig.add_trace(go.Scatter(x=r, y=curves[loss], mode="lines", legendgroup=loss, showlegend=False,
                                 line=dict(color=LOSS_COLORS[loss])), row=1, col=2)
        fig.add_trace(go.Scatter(x=[resid], y=loss_of_residual(np.array([resid]))[loss], mode="markers+text",
                                 legendgroup=loss, showlegend=False, text=[""],
                                 marker=dict(color=LOSS_COLORS[loss], size=12, symbol="star",
                                             line=dict(color="#D55E00", width=1))), row=1, col=2)
    fig.update_xaxes(title_text="x", row=1, col=1)
    fig.update_xaxes(title_text=t("losses.chart.residual", lang), row=1, col=2)
    fig.update_yaxes(type="log", range=[-3, np.log10(max(curves["mse"].max(), 10))], row=1, col=2)
    fig.update_layout(height=460, legend=dict(orientation="h", y=-0.18, x=0))
    return fig


def zoom_figure(points: list[Magnitude], upper: float, lang: str) -> go.Figure:
    """The same numbers on a linear axis [0, upper] (left) and on a log axis (right)."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=(t("losses.chart.linear", lang, upper=f"{upper:.0e}"),
                                        t("losses.chart.log", lang)))
    rows = {g: t(f"losses.group.{g}", lang) for g in GROUPS}
    for gi, group in enumerate(GROUPS):
        members = [p for p in points if p.group == group]
        # Spread members of a row a little vertically so equal values stay readable.
        offsets = np.linspace(-0.25, 0.25, len(members)) if len(members) > 1 else np.zeros(1)
        ys = [gi + o for o in offsets]
        values = np.array([p.value for p in members])
        labels = [p.label for p in members]
        hover = "%{text}: %{x:.3g}<extra></extra>"
        inside = values <= upper
        fig.add_trace(go.Scatter(x=values[inside], y=np.array(ys)[inside], mode="markers",
                                 text=np.array(labels)[inside], hovertemplate=hover, name=rows[group],
                                 marker=dict(color=color(gi)), showlegend=False), row=1, col=1)
        # Points beyond the linear window: an arrow at the right edge says "off the chart".
        if (~inside).any():
            fig.add_trace(go.Scatter(x=[upper] * int((~inside).sum()), y=np.array(ys)[~inside],
                                     mode="markers+text", text=["→"] * int((~inside).sum()),
                                     hovertext=np.array(labels)[~inside], hoverinfo="text",
                                     marker=dict(color=color(gi), symbol="triangle-right", size=11),
                                     showlegend=False), row=1, col=1)
        # Rows whose values crowd together (learning rates, tolerances) keep their names in the hover.
        crowded = group in ("learning_rate", "tolerance")
        fig.add_trace(go.Scatter(x=values, y=ys, mode="markers+text",
                                 text=[""] * len(labels) if crowded else labels,
                                 customdata=labels, textposition="top center", textfont=dict(size=10),
                                 hovertemplate="%{customdata}: %{x:.3g}<extra></extra>", showlegend=False,
                                 marker=dict(color=color(gi), size=9)), row=1, col=2)
    lowest = min(p.value for p in points)
    fig.add_vrect(x0=lowest / 3, x1=upper, fillcolor="rgba(0, 114, 178, 0.08)", line_width=0, row=1, col=2)
    fig.update_xaxes(range=[0, upper * 1.04], row=1, col=1, exponentformat="e")
    highest = max(p.value for p in points)
    fig.update_xaxes(type="log", row=1, col=2, dtick=3, exponentformat="e",
                     range=[np.log10(lowest) - 0.8, np.log10(highest) + 1.2])
    fig.update_yaxes(tickvals=list(range(len(GROUPS))), ticktext=[rows[g] for g in GROUPS],
                     range=[-0.6, len(GROUPS) - 0.4])
    fig.update_layout(height=420)
    return fig


def underflow_figure(u: Underflow, lang: str) -> go.Figure:
    """log10 of the running product (float32 hits 0) against the running sum of logs (finite)."""
    n = np.arange(1, len(u.probs) + 1)
    with np.errstate(divide="ignore"):
        log_product = np.log10(u.product32.astype(np.float64))
    log_product[~np.isfinite(log_product)] = np.nan  # 0 has no logarithm: the line just stops
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=n, y=u.sum_log64 / np.log(10), mode="lines",
                             name=t("losses.chart.sum_logs", lang),
                             line=dict(color=color(2))))
    fig.add_trace(go.Scatter(x=n, y=log_product, mode="lines", name=t("losses.chart.product32", lang),
                             line=dict(color=color(3), dash="dash")))
    tiny = np.log10(np.finfo(np.float32).tiny)
    fig.add_hrect(y0=min(tiny, float(np.nanmin(u.sum_log64 / np.log(10)))) - 5, y1=tiny,
                  fillcolor="rgba(213, 94, 0, 0.07)", line_width=0)
    fig.add_hline(y=tiny, line_dash="dot", line_color="#D55E00",
                  annotation_text=t("losses.chart.float32_floor", lang), annotation_position="bottom left")
    if u.zero_at is not None:
        fig.add_vline(x=u.zero_at, line_dash="dot", line_color="#555",
                      annotation_text=t("losses.chart.zero_at", lang, n=u.zero_at), annotation_position="top")
    fig.update_xaxes(title_text=t("losses.chart.n_samples", lang))
    fig.update_yaxes(title_text=t("losses.chart.log10", lang))
    fig.update_layout(height=380, legend=dict(orientation="h", y=-0.22))
    return fig
