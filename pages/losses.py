"""Losses: MSE vs cross-entropy on a sigmoid output, binary = two-column categorical, robust
regression losses with an outlier, and the log scale as microscope, telescope and underflow fix."""

import inspect

import numpy as np
import pandas as pd
import streamlit as st

from core import losses as registry
from core.lessons import losses as lesson
from core.lessons import losses_scale
from core.charts import losses as charts
from ui import frame, navigation, shared, stored
from ui.frame import tr

NS = "losses"
PERSIST = shared.Persist("losses", (lesson, losses_scale, registry), NS)


@stored.function(PERSIST, max_entries=4)
def sweep(y: int):
    return lesson.binary_sweep(y)


@stored.function(PERSIST, max_entries=256)
def point(y: int, p: float):
    return lesson.sigmoid_losses(y, [lesson.logit(p)])


@stored.function(PERSIST, max_entries=128)
def race(y: int, p: float, lr: float):
    return lesson.fix_race(y, p, lr)


@stored.function(PERSIST, max_entries=64)
def tables(seed: int, n_classes: int):
    return lesson.bce_vs_two_column_cce(seed=seed), lesson.sparse_vs_onehot(n_classes=n_classes, seed=seed)


@stored.function(PERSIST, max_entries=256)
def fit(outlier: float):
    return lesson.robust_fit(outlier)


@stored.function(PERSIST, max_entries=2)
def on_line_draws():
    return lesson.on_line_fits()


@stored.function(PERSIST, max_entries=2)
def magnitudes():
    return lesson.magnitudes()


@stored.function(PERSIST, max_entries=128)
def underflow(n: int, p: float):
    return lesson.underflow_runs(n, p)


def g(value: float) -> str:
    return f"{value:.4g}"


def vector(values, fmt: str) -> str:
    return "[" + ", ".join(format(v, fmt) for v in values) + "]"


frame.header(NS)
lang = frame.lang()

# ---- MSE vs binary cross-entropy -----------------------------------------------------------------
frame.section(tr("losses.binary.title"))
c1, c2, c3 = st.columns([1, 3, 2])
y = c1.segmented_control(tr("losses.binary.target"), [1, 0], default=1, key="loss_y", required=True)
p = c2.slider(tr("losses.binary.p"), 0.001, 0.999, 0.01, 0.001, format="%.3f", key="loss_p")
lr = c3.select_slider(tr("losses.binary.lr"), [0.1, 0.3, 1.0, 3.0], 1.0, key="loss_lr")
y = 1 if y is None else int(y)
s = sweep(y)
_, (mse,), (bce,), (g_mse,), (g_bce,) = point(y, p)
frame.plot(charts.binary_figure(s, p, lang, frame.scale()), key="loss_binary_fig")
m = frame.metric_columns(4)
m[0].metric(tr("losses.binary.mse_at"), g(mse))
m[1].metric(tr("losses.binary.bce_at"), g(bce))
m[2].metric(tr("losses.binary.gmse_at"), g(g_mse))
m[3].metric(tr("losses.binary.gbce_at"), g(g_bce))
r = race(y, p, lr)
frame.plot(charts.race_figure(r, lang, frame.scale()), key="loss_race_fig")
steps = {k: (str(v) if v is not None else tr("losses.binary.never", n=len(r.probs[k]) - 1))
         for k, v in r.steps_to_fix.items()}
frame.notice("losses.binary", y=y, p=f"{p:g}", mse=g(mse), bce=g(bce), g_mse=g(g_mse), g_bce=g(g_bce),
             ratio=f"{abs(g_bce) / max(abs(g_mse), 1e-30):.3g}", lr=f"{lr:g}", mse_steps=steps["mse"],
             bce_steps=steps["binary_crossentropy"],
             err=f"{s.closed_form_error:.1e}")

# ---- binary = categorical over two columns ------------------------------------------------------
frame.section(tr("losses.cce.title"))
c1, c2 = st.columns(2)
seed = c1.number_input(tr("losses.cce.seed"), 0, 9999, 0, key="loss_seed")
k = c2.slider(tr("losses.cce.classes"), 3, 8, 4, key="loss_classes")
two, sparse = tables(int(seed), k)
st.markdown(tr("losses.cce.two_columns"))
frame.table(pd.DataFrame({
    "y": two.y.astype(int), "p": [f"{v:.3f}" for v in two.probs],
    "[1−y, y]": [vector((1 - v, v), ".0f") for v in two.y],
    "[1−p, p]": [vector((1 - v, v), ".3f") for v in two.probs],
    "binary_crossentropy": [f"{v:.6f}" for v in two.first],
    "categorical_crossentropy": [f"{v:.6f}" for v in two.second]}), name="losses_two_columns")
st.markdown(tr("losses.cce.sparse", k=k))
frame.table(pd.DataFrame({
    tr("losses.cce.label"): sparse.y,
    tr("losses.cce.onehot"): [vector(np.eye(k)[v], ".0f") for v in sparse.y],
    "p": [vector(row, ".2f") for row in sparse.probs],
    "sparse_categorical_crossentropy": [f"{v:.6f}" for v in sparse.first],
    "categorical_crossentropy": [f"{v:.6f}" for v in sparse.second]}), name="losses_sparse")
frame.claim_vs_measurement(
    tr("losses.claim.cce"),
    tr("losses.measured.cce", diff=f"{two.max_diff:.1e}", bce=f"{two.first_mean:.6f}",
       cce=f"{two.second_mean:.6f}", sparse_diff=f"{sparse.max_diff:.1e}", k=k,
       multi=f"{sparse.bce_on_columns:.4f}", cce_k=f"{sparse.second_mean:.4f}"))

# ---- regression with an outlier -----------------------------------------------------------------
frame.section(tr("losses.regression.title"))
outlier = st.slider(tr("losses.regression.outlier"), -8.0, 12.0, 8.0, 0.5, key="loss_outlier")
f = fit(outlier)
frame.plot(charts.regression_figure(f, lang), key="loss_regression_fig")
def fit_row(label: str, line: tuple[float, float], shift: str, pull: str) -> dict:
    return {tr("losses.regression.loss"): label, tr("losses.regression.slope"): f"{line[0]:.3f}",
            tr("losses.regression.intercept"): f"{line[1]:.3f}", tr("losses.regression.shift"): shift,
            tr("losses.regression.pull"): pull}


frame.table(pd.DataFrame(
    [fit_row(tr(f"losses.name.{n}"), f.lines[n], f"{f.shift(n):+.3f}", f"{f.outlier_pull[n]:.2f}×")
     for n in lesson.REGRESSION_LOSSES] + [fit_row(tr("losses.chart.clean"), f.clean_line, "0", "—")]),
    name="losses_lines")
frame.notice("losses.regression", outlier=f"{outlier:g}", clean=f"{f.clean_line[0]:.3f}",
             **{f"{n}_slope": f"{f.lines[n][0]:.3f}" for n in lesson.REGRESSION_LOSSES},
             **{f"{n}_shift": f"{f.shift(n):+.2f}" for n in lesson.REGRESSION_LOSSES},
             **{f"{n}_pull": f"{f.outlier_pull[n]:.2f}" for n in lesson.REGRESSION_LOSSES},
             on_line=lesson.on_line_sentence(f, lang, on_line_draws()))

# ---- the log scale: microscope and telescope ----------------------------------------------------
frame.section(tr("losses.log.title"))
st.markdown(tr("losses.log.intro"))
zoom = st.slider(tr("losses.log.zoom"), -9, 9, 9, key="loss_zoom", format="1e%d")
points = magnitudes()
upper = 10.0 ** zoom
counts = lesson.zoom_counts([q.value for q in points], upper)
frame.plot(charts.zoom_figure(points, upper, lang), key="loss_zoom_fig")
values = [q.value for q in points]
frame.notice("losses.log", upper=f"{upper:.0e}", **counts, decades=f"{max(values) / min(values):.1e}",
             low=f"{min(values):.1e}", high=f"{max(values):.1e}")

st.markdown(f"**{tr('losses.underflow.title')}**")
c1, c2 = st.columns(2)
n = c1.slider(tr("losses.underflow.n"), 10, 3000, 1000, 10, key="loss_n_probs")
p_typical = c2.slider(tr("losses.underflow.p"), 0.3, 0.99, 0.9, 0.01, key="loss_p_typical")
runs = underflow(n, p_typical)
u = runs[0]  # the chart's draw
frame.plot(charts.underflow_figure(u, lang), key="loss_underflow_fig")
frame.claim_vs_measurement(
    tr("losses.claim.log"),
    tr("losses.measured.log", n=n, underflow=lesson.underflow_sentence(runs, lang),
       sum=f"{float(u.sum_log32[-1]):.2f}", mean=f"{u.mean_nll:.4f}", keras=f"{u.keras_bce:.4f}"))

frame.code("\n\n".join(inspect.getsource(fn) for fn in (
    lesson.sigmoid_losses, lesson.fix_race, lesson.bce_vs_two_column_cce, lesson.sparse_vs_onehot,
    lesson.LineFitter, lesson.robust_fit, lesson.magnitudes, lesson.underflow)))
stored.recompute_button(NS, PERSIST)
navigation.link_to_next(NS)
