"""Optimizers: real keras.optimizers stepping a 2-D tf.Variable over loss surfaces (a step is a
vector in weight space), then epoch vs mini-batch vs SGD on scikit-learn's diabetes data."""

import inspect

import pandas as pd
import streamlit as st

from core import charts as theme
from core import optimizers as registry
from core.lessons import batch_spread
from core.lessons import optimizers as lesson
from core.charts import optimizers as charts
from core.optimizers import OPTIMIZERS
from ui import frame, navigation, optimizers_sections, shared, stored
from ui.frame import tr

NS = "optimizers"
PERSIST = shared.Persist("optimizers", (lesson, batch_spread, registry), NS)  # the live demos
RATES = (0.0001, 0.0003, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2, 0.3, 0.5,
         1.0)
DEFAULTS = {"opt_names": ["sgd", "momentum", "rmsprop", "adam"], "opt_momentum": 0.9,
            "opt_batch_size": 32, "opt_epochs": 5, "opt_batch_lr": 0.01}


def surface_defaults() -> None:
    """A new surface brings its own learning rate, number of steps and start point."""
    s = lesson.SURFACES[st.session_state["opt_surface"]]
    st.session_state.update(opt_lr=s.default_lr, opt_steps=s.default_steps, opt_step=10,
                            opt_start_x=s.start[0], opt_start_y=s.start[1])


def clicked() -> None:
    """A click on the contour (st.plotly_chart's point selection) sets the start point."""
    event = st.session_state.get("opt_surface_fig")
    points = event.selection.points if event else []
    if points:
        s = lesson.SURFACES[st.session_state["opt_surface"]]
        for key, value, (lo, hi) in (("opt_start_x", points[0]["x"], s.x_range),
                                     ("opt_start_y", points[0]["y"], s.y_range)):
            st.session_state[key] = round(min(max(float(value), lo), hi), 2)


@stored.function(PERSIST, max_entries=512)
def trajectory(surface: str, name: str, lr: float, steps: int, start: tuple, momentum: float):
    return lesson.run_trajectory(surface, name, lr, steps, start, momentum)


@stored.function(PERSIST, max_entries=16)
def contour(surface: str):
    return lesson.grid(surface), lesson.lowest_value(surface)


@stored.function(PERSIST, max_entries=128)
def batches(batch_size: int, epochs: int, lr: float):
    return batch_spread.compare_batches(batch_size, epochs, lr)


@stored.function(PERSIST, max_entries=2)
def data_shape() -> tuple[int, int]:
    return lesson.diabetes()[0].shape  # (patients, features)


frame.header(NS)
lang = frame.lang()
if "opt_surface" not in st.session_state:
    st.session_state["opt_surface"] = "bowl"
    surface_defaults()
for key, value in DEFAULTS.items():
    st.session_state.setdefault(key, value)

# ---- loss surfaces ---------------------------------------------------------------------------------
frame.section(tr("optimizers.surface.title"))
# Presentation mode: the optimizer chips get the full width (in two thirds the last one scrolls
# out of view), and the five sliders two rows.
c1, c2 = st.columns([1, 2]) if not frame.presenting() else (st.container(), st.container())
surface_names = {n: tr(f"optimizers.surfaces.{n}") for n in lesson.SURFACES}
name = c1.selectbox(tr("optimizers.surface.choose"), list(lesson.SURFACES), key="opt_surface",
                    format_func=surface_names.get, on_change=surface_defaults)
names = c2.multiselect(tr("optimizers.surface.optimizers"), list(OPTIMIZERS), key="opt_names",
                       format_func=lambda n: OPTIMIZERS[n].label)
surface = lesson.SURFACES[name]
c1, c2, c3, c4, c5 = st.columns(5) if not frame.presenting() else [*st.columns(3), *st.columns(3)[:2]]
lr = c1.select_slider(tr("optimizers.surface.lr"), RATES, key="opt_lr")
momentum = c2.slider(tr("optimizers.surface.momentum"), 0.0, 0.99, step=0.01, key="opt_momentum",
                     help=tr("optimizers.surface.momentum_help"))
steps = c3.slider(tr("optimizers.surface.steps"), 10, lesson.MAX_STEPS, step=10, key="opt_steps")
x0 = c4.slider("w₁ " + tr("optimizers.surface.start"), *surface.x_range, step=0.01, key="opt_start_x")
y0 = c5.slider("w₂ " + tr("optimizers.surface.start"), *surface.y_range, step=0.01, key="opt_start_y")
st.caption(tr(f"optimizers.hint.{name}", ratio=lesson.BOWL_CURVATURES[1] / lesson.BOWL_CURVATURES[0],
              batch=lesson.NOISY_BATCH, points=lesson.NOISY_POINTS)
           + (" " + tr("optimizers.surface.click") if frame.interactive() else ""))
if not names:
    st.warning(tr("optimizers.surface.pick_one"))
    names = ["sgd"]
runs = [trajectory(name, n, lr, steps, (x0, y0), momentum) for n in names]
(grid, floor) = contour(name)
st.session_state["opt_step"] = min(st.session_state.get("opt_step", 10), steps)
step = st.slider(tr("optimizers.surface.step"), 1, steps, key="opt_step") - 1
figure = charts.surface_figure(name, grid, runs, step + 1, (x0, y0), lang, momentum)
if frame.interactive():  # st.plotly_chart directly (not frame.plot) to receive clicks: on_select sets the start
    st.plotly_chart(theme.theme(figure, frame.scale()), key="opt_surface_fig", theme=None, on_select=clicked,
                    selection_mode="points", width="stretch", config={"displaylogo": False})
    frame.chart_numbers(figure)
else:  # a picture: the step slider and the start sliders move it
    frame.plot(figure, key="opt_surface_fig")
left, right = st.columns(2) if not frame.presenting() else (st.container(), st.container())
with left:
    frame.plot(charts.compass_figure(runs, step, lang, momentum), key="opt_compass_fig")
with right:
    frame.plot(charts.loss_figure(runs, step + 1, floor, lang, momentum), key="opt_loss_fig")
def step_row(run) -> dict:
    """One row of the step table: step `step` of `run` as a vector, and where the run ended."""
    s = run.step(step) if len(run.grads) else None
    cell = lambda fmt, key: format(s[key], fmt) if s else "—"  # noqa: E731
    return {tr("optimizers.col.optimizer"): charts.label(run.optimizer, momentum),
            "Δw₁": cell("+.4g", "dw1"), "Δw₂": cell("+.4g", "dw2"), "|Δw|": cell(".4g", "length"),
            tr("optimizers.col.angle"): cell(".1f", "angle") + ("°" if s else ""),
            tr("optimizers.col.distance"): f"{lesson.distance_to_minimum(name, run.points[-1]):.3f}",
            tr("optimizers.col.diverged"): "—" if run.diverged_at is None else str(run.diverged_at)}


def compared(run) -> str:
    """How step `step` of `run` differs from plain gradient descent's -lr·g, in words."""
    s = run.step(step)
    return tr("optimizers.surface.item", name=charts.label(run.optimizer, momentum),
              angle=f"{s['angle']:.0f}",
              ratio=f"{s['length'] / max(s['plain_length'], 1e-30):.2g}")


frame.table(pd.DataFrame([step_row(run) for run in runs]), name="optimizers_steps")
ranked = sorted(runs, key=lambda r: (r.diverged_at is not None,
                                     lesson.distance_to_minimum(name, r.points[-1])))
others = "; ".join(compared(run) for run in runs if len(run.grads))
diverged = [charts.label(r.optimizer, momentum) for r in runs if r.diverged_at is not None]
frame.notice("optimizers.surface", steps=steps, lr=f"{lr:g}", t=step + 1, others=others,
             best=charts.label(ranked[0].optimizer, momentum),
             worst=charts.label(ranked[-1].optimizer, momentum),
             best_dist=f"{lesson.distance_to_minimum(name, ranked[0].points[-1]):.3f}",
             worst_dist=f"{lesson.distance_to_minimum(name, ranked[-1].points[-1]):.3g}",
             diverged=", ".join(diverged) if diverged else tr("optimizers.surface.none"))
frame.claim_vs_measurement(tr("optimizers.claim.step"),
                           tr("optimizers.measured.step", t=step + 1, others=others))

# ---- epoch vs mini-batch vs SGD ----------------------------------------------------------------------
frame.section(tr("optimizers.batch.title"))
n_data, n_features = data_shape()
st.markdown(tr("optimizers.batch.intro", n=n_data, features=n_features))
c1, c2, c3 = st.columns(3)
bs = c1.select_slider(tr("optimizers.batch.batch_size"), (1, 2, 4, 8, 16, 32, 64, 128, 256, n_data),
                      key="opt_batch_size")
epochs = c2.slider(tr("optimizers.batch.epochs"), 1, 20, key="opt_epochs")
batch_lr = c3.select_slider(tr("optimizers.batch.lr"), (0.001, 0.003, 0.01, 0.03, 0.1), key="opt_batch_lr")
compared = batches(bs, epochs, batch_lr)
full, mid, sgd = compared.full, compared.mid[0], compared.sgd[0]  # the curves: seed 0
least = lesson.least_squares_loss()
shown = [run for run in (full, mid, sgd) if run is mid or run.batch_size != mid.batch_size]
frame.plot(charts.batch_figure(shown, least, n_data, lang), key="opt_batch_fig")
numbers = batch_spread.batch_numbers(compared, least, lang)
st.caption(tr("optimizers.batch.spread", n_seeds=numbers["n_seeds"]))
frame.notice("optimizers.batch", **numbers)
frame.claim_vs_measurement(tr("optimizers.claim.batch"), tr("optimizers.measured.batch", **numbers))

# The code that ran: this surface's formula, the optimizer runner and the batch-size runner.
frame.code("\n\n".join(inspect.getsource(obj) for obj in (
    surface.fn, lesson.TrajectoryRunner, lesson.run_trajectory, lesson.BatchRunner,
    batch_spread.compare_batches)))

stored.recompute_button(NS, PERSIST)

optimizers_sections.lr_sweep_section()
navigation.link_to_next(NS)
