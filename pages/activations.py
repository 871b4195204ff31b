"""Activations and softmax: f and f' (TensorFlow autodiff beside the formula), ReLU's kink and dead
units, and softmax built stage by stage with temperature and the overflow fix."""

import inspect
import math

import numpy as np
import pandas as pd
import streamlit as st

from core import activations as registry
from core.lessons import activation_race, seed_race
from core.lessons import activations as lesson
from core.activations import ACTIVATIONS
from core.charts import activations as charts
from ui import frame, navigation, seed_race as race_view, shared, stored
from ui.frame import tr

NS = "activations"
ALWAYS = ("relu", "swish", "gelu")  # measured even when not plotted: the notice talks about them
DEFAULT_LOGITS = (2.0, 1.0, -1.0, -3.0, 0.5, -0.5)
RACE_PERSIST = shared.Persist("activations", (activation_race, seed_race), NS)
PERSIST = shared.Persist("activations", (lesson, registry), NS)  # the untrained demos below
BIASES = tuple(b / 4 for b in range(-12, 5))  # -3.0 ... 1.0 in steps of 0.25, the slider's grid


@stored.function(PERSIST, max_entries=64)
def curves(names: tuple[str, ...], lo: float, hi: float):
    return lesson.activation_curves(names, lo, hi)


@stored.function(PERSIST, max_entries=32)
def dead_sweep(names: tuple[str, ...]):
    return lesson.dead_units_sweep(names, BIASES)


@stored.function(PERSIST, max_entries=128)
def stages(logits: tuple[float, ...], temperature: float):
    return lesson.softmax_stages(logits, temperature)


@stored.function(PERSIST, max_entries=64)
def overflow(logits: tuple[float, ...], temperature: float):
    return lesson.overflow_demo(logits, temperature=temperature)


def flip_huge() -> None:
    st.session_state["act_huge_on"] = not st.session_state.get("act_huge_on", False)


def pct(share: float) -> str:
    return f"{100 * share:.0f}%"


frame.header(NS)
lang = frame.lang()

# ---- f and f' --------------------------------------------------------------------------------
frame.section(tr("activations.curves.title"))
left, right = st.columns([3, 2])
names = left.multiselect(tr("activations.curves.names"), list(ACTIVATIONS), default=list(ALWAYS),
                         format_func=lambda n: ACTIVATIONS[n].label, key="act_names")
lo, hi = right.slider(tr("activations.curves.range"), -20.0, 20.0, (-6.0, 6.0), 0.5, key="act_range")
if not names:
    st.warning(tr("activations.curves.pick_one"))
    names = ["relu"]
if hi - lo < 1.0:
    st.warning(tr("activations.curves.narrow"))
    lo, hi = min(lo, hi - 1.0), max(hi, lo + 1.0)
measured = tuple(dict.fromkeys([*names, *ALWAYS]))
data = curves(measured, lo, hi)
frame.plot(charts.curves_figure(data, names, lang), key="act_curves_fig")

frame.table(pd.DataFrame([{
    tr("activations.col.name"): ACTIVATIONS[n].label,
    tr("activations.col.grad_error"): f"{data.facts[n].max_grad_error:.1e}",
    tr("activations.col.left"): f"{data.facts[n].slope_left:.4f}",
    tr("activations.col.right"): f"{data.facts[n].slope_right:.4f}",
    tr("activations.col.at_zero"): f"{data.facts[n].grad_at_zero:.4g}",
    tr("activations.col.zero_share"): pct(data.facts[n].zero_grad_share),
    tr("activations.col.small_share"): pct(data.facts[n].small_grad_share),
    tr("activations.col.gap"): f"{data.facts[n].gap_to_relu:.3f}",
} for n in names]), name="activations_facts")

st.markdown(f"**{tr('activations.dead.title')}**")
left, right = st.columns([2, 3]) if not frame.presenting() else (st.container(), st.container())
bias = left.select_slider(tr("activations.dead.bias"), BIASES, -1.5, format_func=lambda b: f"{b:+.2f}",
                          key="act_bias")
left.caption(tr("activations.dead.bias_help", units=lesson.DEAD_UNITS, samples=lesson.DEAD_SAMPLES))
sweep = dead_sweep(measured)
units = {n: float(sweep[BIASES.index(bias), i]) for i, n in enumerate(measured)}
with right:
    frame.plot(charts.dead_units_figure(np.array(BIASES), sweep[:, [measured.index(n) for n in names]],
                                        names, bias, lang), key="act_dead_fig")

relu, swish, gelu = (data.facts[n] for n in ALWAYS)
frame.notice("activations.curves", units=lesson.DEAD_UNITS, samples=lesson.DEAD_SAMPLES, left=f"{relu.slope_left:g}", right=f"{relu.slope_right:g}",
             zero=f"{relu.grad_at_zero:g}", zero_share=pct(relu.zero_grad_share), bias=f"{bias:+.2f}",
             dead=pct(units["relu"]), smooth=lesson.smoothness_sentence(data.facts, lang), swish_gap=f"{swish.gap_to_relu:.3f}",
             gelu_gap=f"{gelu.gap_to_relu:.3f}", swish_dead=pct(units["swish"]),
             gelu_dead=pct(units["gelu"]), swish_min=f"{swish.min_value:.3f}",
             swish_argmin=f"{swish.argmin:.2f}",
             err=f"{max(data.facts[n].max_grad_error for n in names):.1e}")
n_negative = int((data.x < 0).sum())
frame.claim_vs_measurement(
    tr("activations.claim.relu"),
    tr("activations.measured.relu", n_negative=n_negative, left=f"{relu.slope_left:g}",
       right=f"{relu.slope_right:g}", zero=f"{relu.grad_at_zero:g}", bias=f"{bias:+.2f}",
       dead=pct(units["relu"])))

# ---- relu vs swish vs gelu, trained ----------------------------------------------------------
frame.section(tr("activations.race.title"))
task = st.radio(tr("activations.race.task"), tuple(activation_race.TASKS), key="act_race_task", horizontal=True,
                format_func=frame.words("activations.race.tasks", tuple(activation_race.TASKS)).get)
race = shared.once((NS, "race", task), tr("activations.race.training"),
                   lambda progress: activation_race.activation_race(task, progress=progress), persist=RACE_PERSIST)
numbers = activation_race.race_numbers(race, lang)
st.markdown(tr("activations.race.intro", **numbers))
shared.recompute_button(f"{NS}_race", RACE_PERSIST, [(NS, "race", task)])
race_view.show(race, {n: tr(f"activations.race.names.{n}") for n in activation_race.CONTENDERS}, key="act_race_fig")
frame.notice("activations.race", **numbers)
frame.claim_vs_measurement(tr("activations.race.claim"), tr("activations.race.measured", **numbers))
frame.code("\n\n".join(inspect.getsource(f) for f in (activation_race.race_configs, seed_race.race, seed_race.run_one)))

# ---- softmax ---------------------------------------------------------------------------------
frame.section(tr("activations.softmax.title"))
st.markdown(tr("activations.softmax.intro"))
c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
k = c1.slider(tr("activations.softmax.n_logits"), 3, 6, 4, key="act_n_logits")
temperature = c2.slider(tr("activations.softmax.temperature"), 0.1, 5.0, 1.0, 0.05, key="act_temperature",
                        help=tr("activations.softmax.temperature_help"))
huge = st.session_state.get("act_huge_on", False)
c3.button(tr("activations.softmax.huge_off" if huge else "activations.softmax.huge_on"), key="act_huge",
          on_click=flip_huge, type="primary" if not huge else "secondary")
columns = st.columns(k)
logits = tuple(columns[i].slider(f"z{charts.subscript(i + 1)}", -10.0, 10.0, DEFAULT_LOGITS[i], 0.1,
                                 key=f"act_logit_{i}") for i in range(k))
s = stages(logits, temperature)
frame.plot(charts.softmax_stages_figure(s, lang), key="act_softmax_fig")
frame.table(pd.DataFrame({
    tr("activations.col.logit"): [f"z{charts.subscript(i + 1)}" for i in range(k)],
    "z / T": [f"{v:.4g}" for v in s.scaled],
    "(z / T)²": [f"{v:.4g}" for v in s.squares],
    "exp(z / T)": [f"{v:.5g}" for v in s.exps],
    "p": [f"{v:.5f}" for v in s.probs],
    "keras.activations.softmax": [f"{v:.5f}" for v in s.keras_probs],
}), name="activations_softmax")

if huge:
    o = overflow(logits, temperature)
    with st.container(border=True):
        st.markdown(tr("activations.overflow.text", offset=f"{lesson.HUGE_OFFSET:g}",
                       limit=f"{o.exp_limit:.2f}", total=f"{o.naive_total}", T=f"{temperature:g}",
                       error=f"{o.shift_error:.1e}"))
        frame.table(pd.DataFrame({
            "(z + c) / T": [f"{v:g}" for v in o.logits],
            tr("activations.overflow.naive_exp"): [f"{v}" for v in o.naive_exps],
            tr("activations.overflow.naive_p"): [f"{v}" for v in o.naive_probs],
            "z − max(z)": [f"{v:g}" for v in o.shifted],
            "exp(z − max)": [f"{v:.5g}" for v in o.shifted_exps],
            tr("activations.overflow.fixed_p"): [f"{v:.5f}" for v in o.fixed_probs],
            "keras.activations.softmax": [f"{v:.5f}" for v in o.keras_probs],
        }), name="activations_overflow")

temps, sweep = lesson.temperature_sweep(logits)
# Side by side on a screen; one under the other in presentation mode, where type is larger.
left, right = st.columns(2) if not frame.presenting() else (st.container(), st.container())
with left:
    frame.plot(charts.temperature_figure(temps, sweep, temperature, lang), key="act_temperature_fig")
with right:
    frame.plot(charts.jacobian_figure(s, lang), key="act_jacobian_fig")

kept = {True: tr("activations.kept"), False: tr("activations.broken")}
frame.notice("activations.softmax", k=k, min_exp=f"{s.exps.min():.3g}", order=kept[s.order_kept],
             squares=kept[s.squares_order_kept], T=f"{temperature:g}", top=f"{s.probs.max():.3f}",
             entropy=f"{s.entropy_bits:.2f}", max_bits=f"{math.log2(k):.2f}",
             keras=f"{s.keras_max_diff:.1e}")
frame.claim_vs_measurement(
    tr("activations.claim.exp"),
    tr("activations.measured.exp", exp_err=f"{s.exp_grad_error:.1e}", ratio=f"{s.base2_grad_ratio:.4f}",
       base2=f"{s.base2_vs_temperature:.1e}", jac=f"{s.jac_max_diff:.1e}"))

frame.code("\n\n".join(inspect.getsource(f) for f in (
    lesson.autodiff_derivative, lesson.dead_units_sweep, lesson.softmax_stages, registry.softmax,
    registry.softmax_jacobian, lesson.overflow_demo)))
stored.recompute_button(NS, PERSIST)
navigation.link_to_next(NS)
