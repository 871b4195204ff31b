"""Figures of the Training Lab: curves, decision boundary, projections, gradient norms, runs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import DIVERGING, PALETTE, color
from core.i18n import t

TRAIN_SYMBOL, VAL_SYMBOL = "circle", "diamond"


def _class_colors(n_classes: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(max(n_classes, 2))]


def loss_curves(epochs, train_loss, val_loss, train_metric, val_metric, metric: str,
                log_y: bool = False, lang: str = "en") -> go.Figure:
    """Loss (left) and metric (right), training solid, validation dashed."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("lab.chart.loss", lang),
                                                         t(f"lab.chart.{metric}", lang)))
    fig.update_layout(margin=dict(t=40))
    for col, (train, val) in enumerate(((train_loss, val_loss), (train_metric, val_metric)), start=1):
        fig.add_trace(go.Scatter(x=epochs, y=train, mode="lines", name=t("lab.chart.train", lang),
                                 line=dict(color=PALETTE[0]), legendgroup="train", showlegend=col == 1),
                      row=1, col=col)
        fig.add_trace(go.Scatter(x=epochs, y=val, mode="lines", name=t("lab.chart.val", lang),
                                 line=dict(color=PALETTE[1], dash="dash"), legendgroup="val",
                                 showlegend=col == 1), row=1, col=col)
        fig.update_xaxes(title_text=t("lab.chart.epoch", lang), row=1, col=col)
    if log_y:
        fig.update_yaxes(type="log", row=1, col=1)
    fig.update_layout(legend=dict(orientation="h", y=-0.25), uirevision="curves")
    return fig


def decision_boundary(xs, ys, z, task: str, points, labels, is_val, n_classes: int,
                      confidence=None, lang: str = "en") -> go.Figure:
    """Playground-style: the model's output over the input plane with the data on top."""
    fig = go.Figure()
    if task == "binary":
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=0, zmax=1, colorscale=DIVERGING, opacity=0.75,
                                 colorbar=dict(title="P(1)", thickness=12), hoverinfo="skip"))
    elif task == "multiclass":
        colors = _class_colors(n_classes)
        scale = []
        for k in range(n_classes):
            lo, hi = k / n_classes, (k + 1) / n_classes
            scale += [[lo, colors[k]], [hi, colors[k]]]
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, zmin=-0.5, zmax=n_classes - 0.5, colorscale=scale,
                                 opacity=0.45, showscale=False, hoverinfo="skip"))
    else:
        fig.add_trace(go.Heatmap(x=xs, y=ys, z=z, colorscale="RdBu_r", zmid=0, opacity=0.75,
                                 colorbar=dict(title="ŷ", thickness=12), hoverinfo="skip"))
    fig.add_traces(_point_traces(points, labels, is_val, task, n_classes, lang))
    fig.update_xaxes(title_text="x₁", range=[xs[0], xs[-1]], constrain="domain")
    fig.update_yaxes(title_text="x₂", range=[ys[0], ys[-1]], scaleanchor="x", scaleratio=1)
    fig.update_layout(legend=dict(orientation="h", y=-0.2), uirevision="boundary")
    return fig


def data_points(points, labels, is_val, task: str, n_classes: int, lang: str = "en") -> go.Figure:
    """The data alone, before any model exists (drawn without TensorFlow)."""
    fig = go.Figure(_point_traces(points, labels, is_val, task, n_classes, lang))
    fig.update_xaxes(title_text="x₁", constrain="domain")
    fig.update_yaxes(title_text="x₂", scaleanchor="x", scaleratio=1)
    fig.update_layout(legend=dict(orientation="h", y=-0.2), uirevision="boundary")
    return fig


def _point_traces(points, labels, is_val, task, n_classes, lang) -> list[go.Scatter]:
    traces = []
    for split, mask, symbol in (("train", ~is_val, TRAIN_SYMBOL), ("val", is_val, VAL_SYMBOL)):
        if not mask.any():
            continue
        name = t(f"lab.chart.{split}", lang)
        if task == "regression":
            traces.append(go.Scatter(x=points[mask, 0], y=points[mask, 1], mode="markers", name=name,
                                     marker=dict(color=labels[mask], colorscale="RdBu_r", cmid=0,
                                                 symbol=symbol, line=dict(color="black", width=0.6))))
            continue
        for k in range(n_classes):
            sel = mask & (labels == k)
            traces.append(go.Scatter(x=points[sel, 0], y=points[sel, 1], mode="markers",
                                     name=f"{name} · {k}", legendgroup=f"class{k}",
                                     marker=dict(color=color(k), symbol=symbol,
                                                 line=dict(color="black" if split == "val" else "white",
                                                           width=0.8))))
    return traces


def gradient_norms(epochs, norms: dict[str, list[float]], lang: str = "en") -> go.Figure:
    """One line per layer on a log axis: vanishing gradients sink, exploding ones climb."""
    fig = go.Figure()
    names = list(norms)
    for i, name in enumerate(names):
        shade = i / max(1, len(names) - 1)
        line_color = f"rgb({int(0 + 230 * shade)},{int(114 + 45 * shade)},{int(178 - 178 * shade)})"
        fig.add_trace(go.Scatter(x=epochs, y=np.maximum(norms[name], 1e-12), mode="lines+markers",
                                 name=name, line=dict(color=line_color)))
    fig.update_yaxes(type="log", title_text=t("lab.chart.grad_norm", lang), exponentformat="power")
    fig.update_xaxes(title_text=t("lab.chart.epoch", lang))
    fig.update_layout(uirevision="grads")
    return fig


def gradient_profile(norms: dict[str, float], lang: str = "en") -> go.Figure:
    """Gradient norm per layer at one epoch, input side on the left."""
    fig = go.Figure(go.Bar(x=list(norms), y=[max(v, 1e-12) for v in norms.values()],
                           marker_color=PALETTE[0]))
    fig.update_yaxes(type="log", title_text=t("lab.chart.grad_norm", lang), exponentformat="power")
    return fig


def projections(panels: list[tuple[str, object]], labels, task: str, n_classes: int,
                lang: str = "en") -> go.Figure:
    """One 2-D scatter per layer (input space first), coloured by class or target value.
    Each panel is (title, core.probes.Projection)."""
    cols = min(4, max(1, len(panels)))
    rows = int(np.ceil(len(panels) / cols))
    titles = [f"{title}<br><sup>{proj.total_dims}-d → 2-d · "
              f"{t('lab.chart.explained', lang, pct=round(100 * float(proj.explained.sum())))}</sup>"
              for title, proj in panels]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.04,
                        vertical_spacing=0.14 if rows > 1 else 0.1)
    for i, (_, proj) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        if task == "regression":
            fig.add_trace(go.Scatter(x=proj.coords[:, 0], y=proj.coords[:, 1], mode="markers",
                                     marker=dict(color=labels, colorscale="RdBu_r", size=5),
                                     showlegend=False), row=r, col=c)
        else:
            for k in range(n_classes):
                sel = labels == k
                fig.add_trace(go.Scatter(x=proj.coords[sel, 0], y=proj.coords[sel, 1], mode="markers",
                                         name=str(k), legendgroup=str(k), showlegend=i == 0,
                                         marker=dict(color=color(k), size=5)), row=r, col=c)
        fig.update_xaxes(showticklabels=False, row=r, col=c)
        fig.update_yaxes(showticklabels=False, row=r, col=c)
    fig.update_layout(height=300 * rows + 80, uirevision="projections", margin=dict(t=70),
                      legend=dict(orientation="h", y=-0.05))
    return fig


def projection_3d(proj, labels, task: str, n_classes: int) -> go.Figure:
    fig = go.Figure()
    if task == "regression":
        fig.add_trace(go.Scatter3d(x=proj.coords[:, 0], y=proj.coords[:, 1], z=proj.coords[:, 2],
                                   mode="markers", marker=dict(color=labels, colorscale="RdBu_r", size=3)))
    else:
        for k in range(n_classes):
            sel = labels == k
            fig.add_trace(go.Scatter3d(x=proj.coords[sel, 0], y=proj.coords[sel, 1], z=proj.coords[sel, 2],
                                       mode="markers", name=str(k), marker=dict(color=color(k), size=3)))
    fig.update_layout(height=520, uirevision="projection3d")
    return fig


def side_by_side(left, right, labels, task, n_classes, titles) -> go.Figure:
    """Two 2-D embeddings of the same points (e.g. PCA vs t-SNE)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles)
    for col, coords in enumerate((left, right), start=1):
        if task == "regression":
            fig.add_trace(go.Scatter(x=coords[:, 0], y=coords[:, 1], mode="markers", showlegend=False,
                                     marker=dict(color=labels, colorscale="RdBu_r", size=5)), row=1, col=col)
            continue
        for k in range(n_classes):
            sel = labels == k
            fig.add_trace(go.Scatter(x=coords[sel, 0], y=coords[sel, 1], mode="markers", name=str(k),
                                     legendgroup=str(k), showlegend=col == 1,
                                     marker=dict(color=color(k), size=5)), row=1, col=col)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


def confusion(matrix: np.ndarray, lang: str = "en") -> go.Figure:
    n = matrix.shape[0]
    names = [str(k) for k in range(n)]
    fig = go.Figure(go.Heatmap(z=matrix, x=names, y=names, colorscale="Blues", text=matrix,
                               texttemplate="%{text}", showscale=False))
    fig.update_xaxes(title_text=t("lab.chart.predicted", lang), type="category")
    fig.update_yaxes(title_text=t("lab.chart.actual", lang), type="category", autorange="reversed")
    return fig


def compare_runs(runs: list[dict], log_y: bool = False, lang: str = "en") -> go.Figure:
    """Validation loss of the session's recent runs, overlaid. Each run: label, epochs, val_loss."""
    fig = go.Figure()
    for i, run in enumerate(runs):
        fig.add_trace(go.Scatter(x=run["epochs"], y=run["val_loss"], mode="lines", name=run["label"],
                                 line=dict(color=color(i), dash="solid" if i == len(runs) - 1 else "dot")))
    fig.update_xaxes(title_text=t("lab.chart.epoch", lang))
    fig.update_yaxes(title_text=t("lab.chart.val_loss", lang), type="log" if log_y else "linear")
    return fig
