"""Figures of the Training Lab: curves, decision boundary, projections, gradient norms, runs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import DIVERGING, PALETTE, color, marks
from core.i18n import t

TRAIN_SYMBOL = "circle"  # a regression's points, and the legend's marks for the two splits
LEGEND_GREY = "#777777"  # the training/validation marks in legends: shape, not class colour
# Where an all-zero gradient is drawn on the log axis: below float32's smallest positive number,
# so every real norm (down to ~1e-45, computed without underflow) is drawn where it is.
GRAD_FLOOR = 1e-46


def class_label(k: int, class_names=()) -> str:
    """Class k as the learner knows it: an uploaded file's own name for it, else its number."""
    return str(class_names[k]) if k < len(class_names) else str(k)


def _class_colors(n_classes: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(max(n_classes, 2))]


def loss_curves(epochs, train_loss, val_loss, train_metric, val_metric, metric: str,
                log_y: bool = False, lang: str = "en", *, fit_loss=None, earlier=(), marks=()) -> go.Figure:
    """Loss (left) and metric (right), training solid, validation dashed.

    Optional: `fit_loss`, the training-mode loss (dotted); `earlier`, other runs as
    (label, epochs, training loss), faint behind, so that hovering an epoch shows every run's
    value there; `marks`, (epoch, text) where a setting changed during the run.
    Built as one figure with two x-domains rather than with make_subplots: this chart is
    redrawn up to ten times a second while training, so every millisecond counts."""
    train, val = t("lab.chart.train", lang), t("lab.chart.val", lang)
    data = [go.Scatter(x=list(run_epochs), y=list(values), mode="lines", name=f"{label}: {train}",
                       legendgroup="earlier", showlegend=True, opacity=0.55,
                       line=dict(color="#b0b0b0", width=1.5)) for label, run_epochs, values in earlier]
    if fit_loss is not None:
        data.append(go.Scatter(x=epochs, y=fit_loss, mode="lines", name=t("lab.chart.fit_loss", lang),
                               line=dict(color=PALETTE[2], dash="dot")))
    for axis, (y_train, y_val) in (("", (train_loss, val_loss)), ("2", (train_metric, val_metric))):
        first = axis == ""
        data.append(go.Scatter(x=epochs, y=y_train, mode="lines", name=train, legendgroup="train",
                               showlegend=first, line=dict(color=PALETTE[0]), xaxis=f"x{axis}", yaxis=f"y{axis}"))
        data.append(go.Scatter(x=epochs, y=y_val, mode="lines", name=val, legendgroup="val", showlegend=first,
                               line=dict(color=PALETTE[1], dash="dash"), xaxis=f"x{axis}", yaxis=f"y{axis}"))
    epoch = t("lab.chart.epoch", lang)
    title = dict(xref="paper", yref="paper", y=1.0, yanchor="bottom", showarrow=False, font=dict(size=15))
    figure = go.Figure(data=data, layout=dict(
        # A wide gap and few ticks: "1000" at the end of the loss axis ran into the metric's "0".
        xaxis=dict(domain=[0, 0.42], title=dict(text=epoch), nticks=5),
        xaxis2=dict(domain=[0.58, 1], title=dict(text=epoch), anchor="y2", nticks=5),
        yaxis=dict(type="log" if log_y else "linear", exponentformat="power"),
        # Accuracy lives in [0, 1]: a fixed axis (autorange put a flat 0.5 on -0.5…1.5).
        yaxis2=dict(anchor="x2", **({"range": [-0.02, 1.02]} if metric == "accuracy" else {})),
        annotations=[dict(title, x=0.21, text=t("lab.chart.loss", lang), xanchor="center"),
                     dict(title, x=0.79, text=t(f"lab.chart.{metric}", lang), xanchor="center")],
        shapes=[dict(type="line", xref="x", yref="paper", x0=e, x1=e, y0=0, y1=1,
                     line=dict(color="#7f7f7f", dash="dot", width=1)) for e, _ in marks],
        hovermode="x", legend=dict(orientation="h", y=-0.25), uirevision="curves", margin=dict(t=40)))
    for e, text in marks:
        figure.add_annotation(x=e, y=0.02, xref="x", yref="paper", text=text, showarrow=False, textangle=-90,
                              xanchor="left", yanchor="bottom", font=dict(size=11, color="#555555"))
    return figure


def decision_boundary(xs, ys, z, task: str, points, labels, is_val, n_classes: int,
                      confidence=None, lang: str = "en", class_names=()) -> go.Figure:
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
    fig.add_traces(_point_traces(points, labels, is_val, task, n_classes, lang, class_names))
    fig.update_xaxes(title_text="x₁", range=[xs[0], xs[-1]], constrain="domain")
    # Both axes shrink their domain to keep x and y at one scale: otherwise the y range grows
    # past the data and the map sits in a corner of a mostly empty plot.
    fig.update_yaxes(title_text="x₂", range=[ys[0], ys[-1]], scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_layout(legend=dict(orientation="h", y=-0.32, yanchor="top"), uirevision="boundary")
    return fig



def _point_traces(points, labels, is_val, task, n_classes, lang, class_names=()) -> list[dict]:
    """One trace per data split (cheap to rebuild on every live redraw): each point coloured
    by class through a stepped scale and shaped by class (core.charts.marks), so colour is not
    the only cue; validation points are larger, with a black outline. Plain trace dicts: the
    figure validates them once (a trace object is validated again when added to a figure, and
    its per-point symbols are most of the cost)."""
    traces = []
    if task == "regression":
        colour = dict(colorscale="RdBu_r", cmid=0)
    else:
        colour = dict(colorscale=_class_scale(n_classes), cmin=0, cmax=n_classes)
    for split, mask, size, edge in (("train", ~is_val, 7, "white"), ("val", is_val, 9, "black")):
        if mask.any():
            name = t(f"lab.chart.{split}_points", lang)  # the data split, not a loss's mode
            symbol = TRAIN_SYMBOL if task == "regression" else [marks.class_symbol(k) for k in labels[mask]]
            traces.append(dict(type="scatter", x=points[mask, 0], y=points[mask, 1], mode="markers", name=name,
                               showlegend=False, legendgroup=split,
                               marker=dict(color=labels[mask], symbol=symbol, size=size,
                                           line=dict(color=edge, width=0.8 if split == "train" else 1.5),
                                           **colour)))
            # The legend's mark is grey: Plotly would colour it like the first point, so on
            # circle runs "training" looked like a class of its own.
            traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=name, legendgroup=split,
                               marker=dict(color=LEGEND_GREY, symbol=TRAIN_SYMBOL, size=size + 1,
                                           line=dict(color=edge, width=0.8 if split == "train" else 1.5))))
    if task != "regression":
        traces += [dict(type="scatter", x=[None], y=[None], mode="markers", name=class_label(k, class_names),
                        marker=dict(color=color(k), size=9, symbol=marks.class_symbol(k)))
                   for k in range(n_classes)]
    return traces


def layer_colour(i: int, n: int) -> str:
    """Layer i of n: input side blue to output side orange."""
    shade = i / max(1, n - 1)
    return f"rgb({int(230 * shade)},{int(114 + 45 * shade)},{int(178 - 178 * shade)})"


def gradient_norms(epochs, norms: dict[str, list[float]], lang: str = "en") -> go.Figure:
    """One line per layer on a log axis: vanishing gradients sink, exploding ones climb."""
    fig = go.Figure()
    names = list(norms)
    for i, name in enumerate(names):
        fig.add_trace(go.Scatter(x=epochs, y=np.maximum(norms[name], GRAD_FLOOR), mode="lines+markers",
                                 name=name, line=dict(color=layer_colour(i, len(names)))))
    fig.update_yaxes(type="log", title_text=t("lab.chart.grad_norm", lang), exponentformat="power")
    fig.update_xaxes(title_text=t("lab.chart.epoch", lang))
    fig.update_layout(uirevision="grads")
    return fig



def _class_scale(n_classes: int) -> list:
    """A stepped colour scale so that integer class k gets palette colour k."""
    scale = []
    for k in range(n_classes):
        scale += [[k / n_classes, color(k)], [(k + 1) / n_classes, color(k)]]
    return scale


def projections(panels: list[tuple[str, object]], labels, task: str, n_classes: int,
                lang: str = "en", class_names=()) -> go.Figure:
    """One 2-D scatter per layer (input space first), coloured by class or target value.
    Each panel is (title, core.probes.Projection). One trace per panel (colours from a
    stepped scale) keeps this live-redrawn figure cheap to build."""
    cols = min(4, max(1, len(panels)))
    rows = int(np.ceil(len(panels) / cols))
    gap_x, gap_y = 0.04, 0.14 if rows > 1 else 0.0
    width = (1 - gap_x * (cols - 1)) / cols
    height = (1 - gap_y * (rows - 1)) / rows
    if task == "regression":
        marker = dict(color=labels, colorscale="RdBu_r", size=5)
    else:
        marker = dict(color=labels, colorscale=_class_scale(n_classes), cmin=0, cmax=n_classes, size=5,
                      symbol=[marks.class_symbol(k) for k in labels])
    data, layout = [], {}
    annotations = []
    for i, (title, proj) in enumerate(panels):
        r, c = i // cols, i % cols
        n = "" if i == 0 else str(i + 1)
        x0 = c * (width + gap_x)
        y1 = 1 - r * (height + gap_y)
        layout[f"xaxis{n}"] = dict(domain=[max(0.0, x0), min(1.0, x0 + width)], showticklabels=False,
                                   anchor=f"y{n}")
        layout[f"yaxis{n}"] = dict(domain=[max(0.0, y1 - height), min(1.0, y1)], showticklabels=False,
                                   anchor=f"x{n}")
        # A plain dict, validated once by the figure (the per-point symbols are the cost).
        data.append(dict(type="scatter", x=proj.coords[:, 0], y=proj.coords[:, 1], mode="markers", marker=marker,
                         showlegend=False, xaxis=f"x{n}", yaxis=f"y{n}", hoverinfo="skip"))
        pct = t("lab.chart.explained", lang, pct=round(100 * float(proj.explained.sum())))
        annotations.append(dict(text=f"{title}<br><sup>{proj.total_dims}-d → 2-d · {pct}</sup>",
                                x=x0 + width / 2, y=y1, xref="paper", yref="paper", xanchor="center",
                                yanchor="bottom", showarrow=False))
    if task != "regression":  # a legend: one invisible point per class
        data += [dict(type="scatter", x=[None], y=[None], mode="markers", name=class_label(k, class_names),
                      marker=dict(color=color(k), size=8, symbol=marks.class_symbol(k))) for k in range(n_classes)]
    return go.Figure(data=data, layout=dict(layout, annotations=annotations, height=300 * rows + 80,
                                            uirevision="projections", margin=dict(t=70),
                                            legend=dict(orientation="h", y=-0.05)))


SYMBOLS_3D = ("circle", "square", "diamond", "cross", "x", "circle-open", "square-open", "diamond-open")


def projection_3d(proj, labels, task: str, n_classes: int, class_names=()) -> go.Figure:
    fig = go.Figure()
    if task == "regression":
        fig.add_trace(go.Scatter3d(x=proj.coords[:, 0], y=proj.coords[:, 1], z=proj.coords[:, 2],
                                   mode="markers", marker=dict(color=labels, colorscale="RdBu_r", size=3)))
    else:
        for k in range(n_classes):
            sel = labels == k
            fig.add_trace(go.Scatter3d(x=proj.coords[sel, 0], y=proj.coords[sel, 1], z=proj.coords[sel, 2],
                                       mode="markers", name=class_label(k, class_names),
                                       # Scatter3d draws only these shapes: each class its own
                                       marker=dict(color=color(k), size=3,
                                                   symbol=SYMBOLS_3D[k % len(SYMBOLS_3D)])))
    fig.update_layout(height=520, uirevision="projection3d")
    return fig


def side_by_side(left, right, labels, task, n_classes, titles, class_names=()) -> go.Figure:
    """Two 2-D embeddings of the same points (e.g. PCA vs t-SNE)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles)
    for col, coords in enumerate((left, right), start=1):
        if task == "regression":
            fig.add_trace(go.Scatter(x=coords[:, 0], y=coords[:, 1], mode="markers", showlegend=False,
                                     marker=dict(color=labels, colorscale="RdBu_r", size=5)), row=1, col=col)
            continue
        for k in range(n_classes):
            sel = labels == k
            fig.add_trace(go.Scatter(x=coords[sel, 0], y=coords[sel, 1], mode="markers",
                                     name=class_label(k, class_names),
                                     legendgroup=str(k), showlegend=col == 1,
                                     marker=dict(color=color(k), size=5, symbol=marks.class_symbol(k))), row=1, col=col)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


def confusion(matrix: np.ndarray, lang: str = "en", class_names=()) -> go.Figure:
    n = matrix.shape[0]
    names = [class_label(k, class_names) for k in range(n)]
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
