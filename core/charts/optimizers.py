"""Figures of the optimizers page. Each function returns a Plotly figure and shows nothing."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import color
from core.i18n import t
from core.lessons.optimizers import SURFACES, BatchRun, Trajectory
from core.optimizers import OPTIMIZERS

MAX_FRAMES = 60
CLICK_GRID = 31  # invisible points a click on the contour can select (the new start)


def label(name: str, momentum: float | None = None) -> str:
    """The registry label, with the momentum the learner set (labels quote Keras' 0.9 otherwise)."""
    spec = OPTIMIZERS[name]
    if momentum is not None and "momentum" in spec.defaults and momentum != spec.defaults["momentum"]:
        return spec.label.replace(f"({spec.defaults['momentum']:g})", f"({momentum:g})")
    return spec.label


def surface_figure(surface_name: str, contour: tuple[np.ndarray, np.ndarray, np.ndarray],
                   runs: list[Trajectory], step: int, start: tuple[float, float], lang: str,
                   momentum: float | None = None) -> go.Figure:
    """Contour of the loss, each optimizer's path up to `step` (whole path faint), a Play button
    that animates the current positions, and an invisible grid of points to click a new start."""
    surface = SURFACES[surface_name]
    xs, ys, zz = contour
    z_show = np.log10(1.0 + zz - zz.min()) if surface.log_contours else zz
    fig = go.Figure()
    fig.add_trace(go.Contour(x=xs, y=ys, z=z_show, ncontours=28, colorscale=[[0, "#ffffff"], [1, "#9ecae1"]],
                             showscale=False, line=dict(width=0.6, color="rgba(0,0,0,0.22)"),
                             hoverinfo="skip"))
    gx, gy = np.meshgrid(np.linspace(*surface.x_range, CLICK_GRID), np.linspace(*surface.y_range, CLICK_GRID))
    fig.add_trace(go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers+text", text=[""] * gx.size,
                             marker=dict(size=14, opacity=0.0), showlegend=False, name="click",
                             hovertemplate=t("optimizers.chart.click", lang)
                             + " (%{x:.2f}, %{y:.2f})<extra></extra>"))
    mx, my = zip(*surface.minima)
    fig.add_trace(go.Scatter(x=mx, y=my, mode="markers+text", text=[""] * len(mx),
                             name=t("optimizers.chart.minimum", lang),
                             marker=dict(symbol="star", size=16, color="white",
                                         line=dict(color="#000", width=1))))
    fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers+text", text=[""],
                             name=t("optimizers.chart.start", lang),
                             marker=dict(symbol="x", size=12, color="#000")))
    moving = []
    for i, run in enumerate(runs):
        k = min(step, len(run.points) - 1)
        c = color(i)
        fig.add_trace(go.Scatter(x=run.points[:, 0], y=run.points[:, 1], mode="lines", showlegend=False,
                                 line=dict(color=c, width=1), opacity=0.35, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=run.points[: k + 1, 0], y=run.points[: k + 1, 1], mode="lines+markers",
                                 name=label(run.optimizer, momentum), line=dict(color=c), marker=dict(size=4),
                                 hovertemplate="step %{pointNumber}: (%{x:.3f}, %{y:.3f})<extra>"
                                 + label(run.optimizer, momentum) + "</extra>"))
        moving.append(len(fig.data))
        fig.add_trace(go.Scatter(x=[run.points[k, 0]], y=[run.points[k, 1]], mode="markers+text", text=[""],
                                 showlegend=False, hoverinfo="skip",
                                 marker=dict(size=13, color=c, line=dict(color="white", width=2))))
    longest = max((len(r.points) for r in runs), default=1)
    ticks = np.unique(np.linspace(0, longest - 1, min(MAX_FRAMES, longest)).astype(int))
    fig.frames = [go.Frame(name=str(k), traces=moving, data=[
        go.Scatter(x=[r.points[min(k, len(r.points) - 1), 0]], y=[r.points[min(k, len(r.points) - 1), 1]])
        for r in runs]) for k in ticks]
    fig.update_layout(
        height=580, legend=dict(orientation="h", y=-0.17, x=0), clickmode="event+select", dragmode=False,
        xaxis=dict(range=list(surface.x_range), title="w₁", constrain="domain"),
        yaxis=dict(range=list(surface.y_range), title="w₂", scaleanchor="x", scaleratio=1),
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=1.08, xanchor="left", showactive=False,
                          buttons=[dict(label="▶ " + t("optimizers.chart.play", lang), method="animate",
                                        args=[None, dict(frame=dict(duration=60, redraw=False),
                                                         fromcurrent=False,
                                                         transition=dict(duration=0))]),
                                   dict(label="■ " + t("optimizers.chart.pause", lang), method="animate",
                                        args=[[None], dict(mode="immediate", frame=dict(duration=0))])])])
    return fig


def compass_figure(runs: list[Trajectory], step: int, lang: str, momentum: float | None = None) -> go.Figure:
    """Step `step` of every optimizer as an arrow Δw from the origin, beside plain GD's -lr·g (dashed)."""
    fig = go.Figure()
    reach = 1e-12
    for i, run in enumerate(runs):
        if len(run.grads) == 0:
            continue
        s = run.step(step)
        c = color(i)
        plain = -run.learning_rate * run.grads[s["t"]]
        fig.add_trace(go.Scatter(x=[0, plain[0]], y=[0, plain[1]], mode="lines", showlegend=False,
                                 line=dict(color=c, dash="dot"), hoverinfo="skip"))
        fig.add_annotation(x=s["dw1"], y=s["dw2"], ax=0, ay=0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowwidth=2.5, arrowcolor=c, text="")
        fig.add_trace(go.Scatter(x=[s["dw1"]], y=[s["dw2"]], mode="markers+text", text=[""],
                                 name=label(run.optimizer, momentum), marker=dict(color=c, size=6),
                                 hovertemplate=f"Δw = (%{{x:.4g}}, %{{y:.4g}})<br>|Δw| = {s['length']:.4g}"
                                 f"<br>|lr·g| = {s['plain_length']:.4g}<br>∠ = {s['angle']:.1f}°<extra>"
                                 + label(run.optimizer, momentum) + "</extra>"))
        reach = max(reach, abs(s["dw1"]), abs(s["dw2"]), *np.abs(plain))
    reach = 1.15 * reach if np.isfinite(reach) else 1.0
    fig.update_xaxes(range=[-reach, reach], title="Δw₁", zeroline=True, zerolinecolor="#bbb")
    fig.update_yaxes(range=[-reach, reach], title="Δw₂", zeroline=True, zerolinecolor="#bbb",
                     scaleanchor="x", scaleratio=1)
    fig.update_layout(height=400, title=t("optimizers.chart.compass", lang, step=step + 1), showlegend=False)
    return fig


def loss_figure(runs: list[Trajectory], step: int, floor: float, lang: str,
                momentum: float | None = None) -> go.Figure:
    """Full loss after each step (log scale, measured above the surface's lowest value)."""
    fig = go.Figure()
    for i, run in enumerate(runs):
        gap = np.maximum(run.losses - floor, 1e-12)
        fig.add_trace(go.Scatter(x=np.arange(len(gap)), y=gap, mode="lines",
                                 name=label(run.optimizer, momentum),
                                 line=dict(color=color(i))))
    fig.add_vline(x=step, line_dash="dash", line_color="#555")
    fig.update_xaxes(title=t("optimizers.chart.step", lang))
    fig.update_yaxes(type="log", title=t("optimizers.chart.loss_gap", lang), exponentformat="e")
    fig.update_layout(height=400, showlegend=False, title=t("optimizers.chart.loss_title", lang))
    return fig


def batch_figure(runs: list[BatchRun], floor: float, n_data: int, lang: str) -> go.Figure:
    """The same runs against epochs (left) and against steps (right, log scale)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, shared_yaxes=True,
                        subplot_titles=(t("optimizers.chart.per_epoch", lang),
                                        t("optimizers.chart.per_step", lang)))
    for i, run in enumerate(runs):
        name = t("optimizers.chart.batch_label", lang, bs=run.batch_size, per_epoch=run.steps_per_epoch)
        c = color(i)
        mode = "lines+markers" if run.steps <= 60 else "lines"
        fig.add_trace(go.Scatter(x=run.epoch_at, y=run.losses, mode=mode, name=name, legendgroup=name,
                                 line=dict(color=c)), row=1, col=1)
        # A log axis has no 0: the right panel starts with the loss after step 1.
        fig.add_trace(go.Scatter(x=np.arange(1, run.steps + 1), y=run.losses[1:], mode=mode, name=name,
                                 legendgroup=name, showlegend=False, line=dict(color=c)), row=1, col=2)
    for col in (1, 2):
        fig.add_hline(y=floor, line_dash="dot", line_color="#555", row=1, col=col)
    fig.add_annotation(x=0.99, y=floor, xref="x2 domain", yref="y", text=t("optimizers.chart.floor", lang),
                       showarrow=False, yanchor="top", xanchor="right", font=dict(color="#555"))
    fig.update_xaxes(title=t("optimizers.chart.epochs", lang), row=1, col=1)
    fig.update_xaxes(title=t("optimizers.chart.steps_log", lang), type="log", row=1, col=2)
    fig.update_yaxes(title=t("optimizers.chart.mse", lang, n=n_data), row=1, col=1)
    fig.update_layout(height=420, legend=dict(orientation="h", y=-0.2))
    return fig


def lr_sweep_figure(sweep, titles: dict) -> go.Figure:
    """Final loss against the learning rate, one line per batch size: the mean over seeds, the
    min–max as error bars; a run that diverged (or ended above the starting loss) is an ×."""
    from core.lessons.lr_sweep import START_LOSS

    fig = go.Figure()
    lrs = np.array(sweep.learning_rates)
    for i, bs in enumerate(sweep.batch_sizes):
        values = sweep.final[i]  # (learning rates, seeds)
        ok = np.isfinite(values).all(axis=1) & (values.max(axis=1) < START_LOSS * 10)
        mean = np.where(ok, np.where(np.isfinite(values), values, 0).mean(axis=1), np.nan)
        lo, hi = np.where(ok, values.min(axis=1), np.nan), np.where(ok, values.max(axis=1), np.nan)
        name = titles["batch"].format(bs=bs)
        fig.add_trace(go.Scatter(x=lrs, y=mean, name=name, mode="lines+markers", line=dict(color=color(i)),
                                 error_y=dict(type="data", symmetric=False, array=hi - mean, arrayminus=mean - lo),
                                 hovertemplate=f"{name}<br>lr %{{x:g}}: %{{y:.3f}}<extra></extra>"))
        if (~ok).any():
            # One row of crosses per batch size, so crosses at the same learning rate do not hide each other.
            fig.add_trace(go.Scatter(x=lrs[~ok], y=[START_LOSS * 1.5 * 1.3 ** i] * int((~ok).sum()), mode="markers",
                                     marker=dict(symbol="x", size=12, color=color(i)), showlegend=False,
                                     hovertemplate=f"{name}<br>lr %{{x:g}}: {titles['diverged']}<extra></extra>"))
    fig.add_hline(y=START_LOSS, line=dict(color="#888", dash="dot"), annotation_text=titles["start"],
                  annotation_position="bottom right")
    fig.update_xaxes(type="log", title_text=titles["lr"], tickvals=list(lrs), ticktext=[f"{v:g}" for v in lrs])
    fig.update_yaxes(type="log", title_text=titles["loss"], dtick=1)  # one label a decade
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), margin=dict(t=50))
    return fig
