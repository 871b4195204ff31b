"""Figures of the activations page. Each function returns a Plotly figure and shows nothing."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.activations import ACTIVATIONS
from core.charts import color, wrap
from core.i18n import t
from core.lessons.activations import ActivationCurves, SoftmaxStages

DEAD_FILL = "rgba(213, 94, 0, 0.10)"  # vermilion, faint: "no gradient here"
TEMPERATURE_TICKS = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10)


def curves_figure(curves: ActivationCurves, names: list[str], lang: str) -> go.Figure:
    """f(x) on the left, f'(x) on the right: autodiff as lines, the analytic formula as dots."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=(t("activations.chart.fx", lang), t("activations.chart.dfx", lang)))
    x = curves.x
    every = max(1, len(x) // 40)  # about 40 dots: enough to see the formula lie on the line
    for i, name in enumerate(names):
        label = ACTIVATIONS[name].label
        fig.add_trace(go.Scatter(x=x, y=curves.values[name], mode="lines", name=label,
                                 legendgroup=name, line=dict(color=color(i))), row=1, col=1)
        fig.add_trace(go.Scatter(x=x, y=curves.autodiff[name], mode="lines", name=label,
                                 legendgroup=name, showlegend=False, line=dict(color=color(i)),
                                 hovertemplate="x=%{x:.3f}<br>autodiff f'=%{y:.5f}"
                                 f"<extra>{label}</extra>"),
                      row=1, col=2)
        fig.add_trace(go.Scatter(x=x[::every], y=curves.analytic[name][::every], mode="markers",
                                 name=t("activations.chart.analytic", lang), legendgroup="analytic",
                                 showlegend=i == 0,
                                 # theme() gives markers a white rim: filled dots sit on the line.
                                 marker=dict(color=color(i)),
                                 hovertemplate="x=%{x:.3f}<br>formula f'=%{y:.5f}"
                                 f"<extra>{label}</extra>"),
                      row=1, col=2)
    lo, hi = float(x[0]), float(x[-1])
    if "relu" in names and lo < 0 < hi:
        # ReLU's two lessons: a kink at 0 and a flat, gradient-free half-line.
        fig.add_vrect(x0=lo, x1=0, fillcolor=DEAD_FILL, line_width=0, row=1, col=2)
        # In the zone's top-left corner, on two lines: every derivative is near 0 there, and
        # centred on one line the label was wider than the zone at projector sizes and ran over
        # the y ticks and the subplot title.
        fig.add_annotation(x=lo, y=0.98, yref="y2 domain", xanchor="left", yanchor="top", xshift=4,
                           text=wrap(t("activations.chart.dead_zone", lang), 14), showarrow=False,
                           align="left", font=dict(color="#D55E00"), row=1, col=2)
        fig.add_annotation(x=0, y=0, text=t("activations.chart.kink", lang), showarrow=True,
                           ax=-55, ay=-60, arrowhead=2, arrowwidth=1.5, arrowcolor="#D55E00",
                           font=dict(color="#D55E00"), row=1, col=1)
        # The jump in ReLU's derivative: open circle = the limit from one side, filled = the value.
        # ("markers+text" keeps theme() from restyling these two markers.)
        fig.add_trace(go.Scatter(x=[0, 0], y=[0, 1], mode="markers+text", showlegend=False,
                                 hoverinfo="skip", text=["", ""],
                                 marker=dict(size=11, color=["#D55E00", "white"],
                                             line=dict(color="#D55E00", width=2))), row=1, col=2)
    fig.update_xaxes(title_text="x", range=[lo, hi])
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0), height=420)
    return fig


def dead_units_figure(biases: np.ndarray, shares: np.ndarray, names: list[str], bias: float,
                      lang: str) -> go.Figure:
    """Share of dead units against the bias, one line per activation; the current bias marked."""
    fig = go.Figure()
    for i, name in enumerate(names):
        fig.add_trace(go.Scatter(x=biases, y=100 * shares[:, i], mode="lines+markers",
                                 name=ACTIVATIONS[name].label, line=dict(color=color(i)),
                                 hovertemplate="b=%{x:+.2f}: %{y:.0f}%<extra>" + ACTIVATIONS[name].label
                                 + "</extra>"))
    fig.add_vline(x=bias, line_dash="dash", line_color="#555")
    fig.update_xaxes(title_text=t("activations.chart.bias_axis", lang))
    fig.update_yaxes(title_text=t("activations.chart.dead_axis", lang), range=[-3, 103])
    fig.update_layout(height=330, legend=dict(orientation="h", y=1.12, x=0))
    return fig


def softmax_stages_figure(stages: SoftmaxStages, lang: str) -> go.Figure:
    """Three bar panels: z/T (any sign) -> exp(z/T) (all positive) -> probabilities (sum 1)."""
    k = len(stages.logits)
    names = [f"z{subscript(i + 1)}" for i in range(k)]
    titles = (t("activations.chart.stage_logits", lang, T=f"{stages.temperature:g}"),
              t("activations.chart.stage_exp", lang, total=f"{stages.total:.4g}"),
              t("activations.chart.stage_probs", lang))
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.07)
    colors = [color(i) for i in range(k)]
    for col, values, fmt in ((1, stages.scaled, ".3g"), (2, stages.exps, ".4g"), (3, stages.probs, ".3f")):
        fig.add_trace(go.Bar(x=names, y=values, marker_color=colors, showlegend=False,
                             text=[format(v, fmt) for v in values], textposition="outside",
                             cliponaxis=False, hovertemplate="%{x}: %{y:.6g}<extra></extra>"),
                      row=1, col=col)
    top = float(np.max(stages.exps))
    fig.update_yaxes(range=[0, top * 1.18], row=1, col=2)
    fig.update_yaxes(range=[0, 1.12], row=1, col=3)
    fig.update_layout(height=340, bargap=0.25)
    return fig


def temperature_figure(temps: np.ndarray, probs: np.ndarray, current: float, lang: str) -> go.Figure:
    """Each logit's probability as the temperature sweeps; the current temperature marked."""
    fig = go.Figure()
    for i in range(probs.shape[1]):
        fig.add_trace(go.Scatter(x=temps, y=probs[:, i], mode="lines", name=f"p{subscript(i + 1)}",
                                 line=dict(color=color(i))))
    fig.add_vline(x=current, line_dash="dash", line_color="#555",
                  annotation_text=f"T = {current:g}", annotation_position="bottom right")
    fig.update_xaxes(type="log", title_text=t("activations.chart.temperature", lang),
                     tickvals=TEMPERATURE_TICKS, ticktext=[f"{v:g}" for v in TEMPERATURE_TICKS])
    fig.update_yaxes(title_text=t("activations.chart.probability", lang), range=[0, 1.02])
    fig.update_layout(title=t("activations.chart.temperature_title", lang), height=360,
                      legend=dict(orientation="h", y=-0.25))
    return fig


def jacobian_cell(value: float) -> str:
    """Three decimals, or scientific notation for entries that would read "0.000" (at a low
    temperature every entry is tiny but not zero)."""
    if value == 0 or abs(value) >= 5e-4:
        return f"{value:.3f}"
    return f"{value:.1e}"


def jacobian_figure(stages: SoftmaxStages, lang: str) -> go.Figure:
    """d p_i / d z_j from the closed form beside TensorFlow's autodiff Jacobian."""
    k = len(stages.logits)
    ticks = [f"z{subscript(j + 1)}" for j in range(k)]
    rows = [f"p{subscript(i + 1)}" for i in range(k)]
    bound = float(np.max(np.abs(stages.jac_closed))) or 1.0
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=(t("activations.chart.jac_closed", lang),
                                        t("activations.chart.jac_autodiff", lang)))
    for col, matrix in ((1, stages.jac_closed), (2, stages.jac_autodiff)):
        fig.add_trace(go.Heatmap(z=matrix, x=ticks, y=rows, zmin=-bound, zmax=bound, zmid=0,
                                 colorscale="RdBu_r", showscale=col == 2,
                                 text=np.vectorize(jacobian_cell)(matrix), texttemplate="%{text}",
                                 textfont=dict(size=11),
                                 hovertemplate="∂%{y}/∂%{x} = %{z:.6g}<extra></extra>"),
                      row=1, col=col)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=380, title=t("activations.chart.jac_title", lang))
    return fig


def subscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
