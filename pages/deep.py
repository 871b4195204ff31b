"""Deep networks are hard to train: depth x {plain, +BatchNorm, +skips, +both}, gradients per layer
at initialisation, and the fewest layers reaching the best accuracy. The default grid opens with
its cells read from files shipped with the app (scripts/precompute.py), with "recompute live";
any other grid is trained live with the button."""

import inspect
import time
from dataclasses import replace

import streamlit as st

from core.lessons import deep as lesson
from core.activations import ACTIVATIONS
from core.charts import deep as charts
from ui import frame, navigation, shared, warmup
from ui.frame import tr

NS = "deep"
RUNNING = "deep_running"   # the SweepSettings this session is sweeping; None when idle
SECONDS = "deep_seconds"   # {SweepSettings: wall-clock seconds of the sweep that completed it}
PARTIAL = "deep_partial"   # {cell key: CellResult} trained by this session, kept when cut short


PERSIST = shared.Persist("deep", (lesson,), NS)


def once_key(settings: lesson.SweepSettings, depth: int, variant: str) -> tuple:
    """The shared.once key of one cell, as this session's results store it ("live" marked)."""
    key = (NS, settings.cell_key(depth, variant))
    return (*key, "live") if shared.live(NS) else key


def results_of(settings: lesson.SweepSettings, kept: dict) -> dict:
    """The grid's trained cells: from this server's shared results, else this session's own
    copy ({once key: result}, which outlives an entry the shared store dropped), else a
    finished result on disk (shipped with the app for the default grid, or cached), read
    without asking: a page opens with the results it has."""
    found = {}
    for depth, variant in settings.cells():
        key = once_key(settings, depth, variant)
        result = shared.peek(key) or kept.get(key)
        if result is None and shared.ready(key[:2], PERSIST):
            result = kept[key] = shared.once(key[:2], tr("shared.starting"), lambda progress, d=depth, v=variant:
                                             lesson.train_cell(settings, d, v), persist=PERSIST)
        if result is not None:
            found[(depth, variant)] = result
    return found


@st.cache_data(show_spinner=False, max_entries=64)
def init_profile(settings: lesson.SweepSettings, depth: int):
    return lesson.init_profile(settings, depth)


def gradients_at_init(settings: lesson.SweepSettings, depth: int, results: dict) -> dict:
    """Every variant's gradient norms at initialisation at one depth: measured by each trained
    cell before its first step (the same seeded model, the same batch), else measured now."""
    if all((depth, v) in results for v in lesson.VARIANTS):
        return {v: results[(depth, v)].grad_norms for v in lesson.VARIANTS}
    with st.spinner(tr("app.loading_tf")):
        warmup.wait()
    return init_profile(settings, depth)


@st.cache_data(show_spinner=False, max_entries=64)
def _baseline(settings: lesson.SweepSettings):
    return lesson.baseline(settings)


def baseline(settings: lesson.SweepSettings) -> tuple[float, float]:
    """What guessing scores. Two class counts, but they need scikit-learn's split, an import
    of seconds on a fresh server: the default grid's is shipped with its cells."""
    key = (NS, "baseline", replace(settings, depths=()))
    if shared.ready(key, PERSIST):
        return shared.once(key, tr("shared.starting"), lambda progress: lesson.baseline(settings),
                           persist=PERSIST, slot=False)
    return _baseline(settings)


frame.header(NS)
lang = frame.lang()
state = st.session_state

with st.container(border=True):
    left, middle, right = st.columns(3)
    names = list(ACTIVATIONS)
    activation = left.selectbox(tr("deep.activation"), names, index=names.index("sigmoid"),
                                format_func=lambda n: ACTIVATIONS[n].label, key="deep_activation")
    dataset = middle.selectbox(tr("deep.dataset"), lesson.DATASET_CHOICES, key="deep_dataset",
                               format_func={n: tr(f"deep.data.{n}") for n in lesson.DATASET_CHOICES}.get)
    epochs = right.select_slider(tr("deep.epochs"), lesson.EPOCH_CHOICES, value=30, key="deep_epochs")
    left, right = st.columns([4, 1])
    depths = left.multiselect(tr("deep.depths"), lesson.DEPTH_CHOICES, default=list(lesson.DEFAULT_DEPTHS),
                              help=tr("deep.depths_help"), key="deep_depths")
    seed = right.number_input(tr("deep.seed"), min_value=0, max_value=9999, value=0, key="deep_seed")
if not depths:
    st.warning(tr("deep.no_depths"))
    depths = list(lesson.DEFAULT_DEPTHS)
settings = lesson.SweepSettings(activation, dataset, tuple(sorted(depths)), epochs=int(epochs),
                                seed=int(seed))
config = settings.config(1, "plain")
steps = settings.epochs * -(-config.n_train // settings.batch_size)
st.caption(tr("deep.setup", width=settings.width, act=ACTIVATIONS[activation].label,
              lr=settings.learning_rate, batch=settings.batch_size, n_train=config.n_train,
              n_val=settings.n_samples - config.n_train, seed=settings.seed, epochs=settings.epochs,
              steps=steps))

# Results: every cell trained on this server, or kept by this session when it was cut short.
partial = state.setdefault(PARTIAL, {})
results = results_of(settings, partial)
n_cells = len(settings.cells())
missing = [cell for cell in settings.cells() if cell not in results]
if state.get(RUNNING) not in (None, settings):
    state[RUNNING] = None  # a setting changed: that sweep is cancelled, its cells are kept
# In presentation mode one column each: a third of the width cut the button's label short.
button_col, status_col = st.columns([1, 2]) if not frame.presenting() else (st.container(), st.container())
busy = state.get(RUNNING) == settings and bool(missing)  # a sweep of this grid is under way
label = (tr("deep.running") if busy else tr("deep.run", n=len(missing)) if missing
         else tr("deep.all_done", n=n_cells))
if button_col.button(label, type="primary", disabled=busy or not missing, key="deep_run"):
    state[RUNNING] = settings
sweeping = state.get(RUNNING) == settings and bool(missing)
status = status_col.empty()
if missing and not sweeping:
    status.info(tr("deep.interrupted" if results else "deep.not_started", done=len(results), n=n_cells))
elif settings in state.get(SECONDS, {}):
    status.success(tr("deep.swept", n=n_cells, seconds=f"{state[SECONDS][settings]:.0f}"))
progress = st.empty()

shared.recompute_button(NS, PERSIST, [(NS, settings.cell_key(*cell)) for cell in settings.cells()])
chance, guessing_loss = baseline(settings)

frame.section(tr("deep.heat_title"))
metric = st.radio(tr("deep.metric.label"), lesson.METRICS, horizontal=True, key="deep_metric",
                  format_func={m: tr(f"deep.metric.{m}") for m in lesson.METRICS}.get)
heat_slot = st.empty()


def draw_heatmap() -> None:
    values = {cell: lesson.metric_value(result, metric) for cell, result in results.items()}
    figure = charts.sweep_heatmap(list(settings.depths), list(lesson.VARIANTS), values, metric, chance, lang)
    with heat_slot.container():  # a new key per redraw: one script run may draw it many times
        frame.plot(figure, key=f"deep_heat_{len(results)}", height=120 + 70 * len(settings.depths))


draw_heatmap()
st.caption(tr("deep.bn_note", steps=steps))

frame.section(tr("deep.focus"))
if state.get("deep_focus") not in settings.depths:
    state["deep_focus"] = max(settings.depths)
focus = st.select_slider(tr("deep.chart.depth"), settings.depths, key="deep_focus")
left, right = st.columns(2)
with left:
    st.markdown(f"**{tr('deep.grad_title')}**")
    frame.plot(charts.gradient_profiles(gradients_at_init(settings, focus, results), lang), key="deep_grads",
               height=380)
    st.caption(tr("deep.grad_caption", depth=focus, n=min(lesson.GRAD_PROBE_SIZE, config.n_train)))
with right:
    st.markdown(f"**{tr('deep.curves_title')}**")
    curves = {v: results[(focus, v)].loss_curve for v in lesson.VARIANTS if (focus, v) in results}
    if curves:
        frame.plot(charts.loss_curves(curves, guessing_loss, lang), key="deep_curves", height=380)
    else:
        st.info(tr("deep.curves_empty", depth=focus))

readout = lesson.read_out(settings, results)
if readout is None:
    frame.notice(f"{NS}.pending")
else:
    numbers = lesson.lesson_text(settings, results, readout, chance, lang)
    first_grad = f"{readout.plain_first_grad:.1e}".replace("0.0e+00", "0")
    cols = st.columns(4)
    cols[0].metric(tr("deep.readout.plain", depth=readout.deepest), numbers["plain_acc"],
                   help=tr("deep.readout.vs_chance", chance=numbers["chance"]))
    cols[1].metric(tr("deep.readout.both", depth=readout.deepest), numbers["both_acc"])
    cols[2].metric(tr("deep.readout.grad"), first_grad, help=tr("deep.readout.grad_help"))
    cols[3].metric(tr("deep.readout.fewest"), readout.fewest_depth, help=tr("deep.readout.fewest_help"))
    frame.notice(NS, **numbers)
    measured = "deep.measured_fails" if numbers["fails"] else "deep.measured_trains"
    frame.claim_vs_measurement(tr("deep.claim"), tr(measured, **numbers))

st.caption(tr("deep.code_caption"))
frame.code("\n\n".join(inspect.getsource(f) for f in (lesson.train_cell, lesson.init_gradient_norms,
                                                        lesson.FusedAdam, lesson.set_batchnorm_momentum)))
navigation.link_to_next(NS)

# The sweep runs last, so the whole page is on screen while it trains. Every progress update is a
# point where Streamlit may stop it (a widget change): shared.once gives back the claim, and every
# finished cell is already stored.
if sweeping:
    with st.spinner(tr("app.loading_tf")):
        warmup.wait()
    started = time.perf_counter()
    epoch_of = shared.template("deep.epoch_of")
    # Count over the whole grid, so the numbers carry on across reruns (a view change).
    for i, (depth, variant) in enumerate(missing, start=n_cells - len(missing)):
        key = once_key(settings, depth, variant)
        label = tr("deep.progress", depth=depth, variant=charts.variant_label(variant, lang), i=i + 1,
                   n=n_cells)

        def train(progress, depth=depth, variant=variant, label=label):
            return lesson.train_cell(settings, depth, variant, on_epoch=lambda epoch, total: progress(
                epoch / total, label + epoch_of.format(epoch=epoch, total=total,
                                                       seconds=f"{time.perf_counter() - started:.0f}")))

        with progress.container():
            result = shared.once(key[:2], label, train, persist=PERSIST)
        partial[key] = results[(depth, variant)] = result
        draw_heatmap()
    state.setdefault(SECONDS, {})[settings] = time.perf_counter() - started
    state[RUNNING] = None
    st.rerun()
