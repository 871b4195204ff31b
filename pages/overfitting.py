"""Overfitting: fit 100 % first (capacity on clean data), watch the gap open with noise, compare
regularizers, and test "always use BatchNorm" against the batch size; before that, measure what
BatchNorm was made for (faster, steadier training) over five seeds. Every run is live."""

import inspect

import streamlit as st

from core.lessons import overfitting as lesson
from core.charts import overfitting as charts
from ui import frame, navigation, overfitting_sections, shared
from ui.frame import tr

NS = "overfitting"
COMPARED = "overfitting_compared"  # (config, patience) of every regularizer setting trained here


PERSIST = shared.Persist("overfitting", (lesson,), NS)


def ready(job) -> bool:
    """Trained on this server already, or on disk (shipped with the app or cached)."""
    return shared.ready((NS, *job), PERSIST)


def result(job, i: int = 0, n: int = 1) -> lesson.RunResult:
    """One run, once per server; it waits for a free training slot like every other training."""
    config, patience = job
    epoch_of = shared.template("overfitting.epoch_of")
    label = tr("overfitting.progress", i=i + 1, n=n, label=lesson.run_label(config, patience, lang))
    return shared.once((NS, *job), label, lambda progress: lesson.train_run(
        config, patience, lambda epoch, total: progress(epoch / total, f"{label} · " + epoch_of.format(
            epoch=epoch, total=total))), persist=PERSIST)


@st.cache_data(show_spinner=False, max_entries=64)
def chance(config):
    return lesson.chance_accuracy(config)


def first_gradient(config, batch_size: int) -> float:
    """hidden_1's gradient on the untrained model, once per server; shipped for the default
    settings, so a first visit does not wait for TensorFlow's import."""
    return shared.once((NS, "gradient", config, batch_size), tr("app.loading_tf"),  # waits for the import itself
                       lambda progress: lesson.first_layer_gradient(config, batch_size), persist=PERSIST, slot=False)


def train(jobs) -> None:
    """Every job without a result, one after the other, each with its progress bar. A widget
    change interrupts at a progress update; finished runs are already stored."""
    missing = [job for job in dict.fromkeys(jobs) if not ready(job)]
    for i, job in enumerate(missing):
        result(job, i, len(missing))


def section(title: str | None, intro: str | None, jobs, key: str):
    """A section's heading, then its results, trained when its button is pressed (else None)."""
    if title:
        frame.section(title)
        st.markdown(intro)
    if not all(ready(job) for job in jobs):
        n = sum(not ready(job) for job in dict.fromkeys(jobs))
        if not st.button(tr("overfitting.train", n=n), key=key, type="primary"):
            st.info(tr("overfitting.pending"))
            return None
        train(jobs)
    return [result(job) for job in jobs]


frame.header(NS)
lang, state = frame.lang(), st.session_state
left, middle, right = st.columns(3)
dataset = left.selectbox(tr("overfitting.dataset"), lesson.DATASET_CHOICES, key="overfitting_dataset",
                         format_func={n: tr(f"overfitting.data.{n}") for n in lesson.DATASET_CHOICES}.get)
n_samples = middle.select_slider(tr("overfitting.n_samples"), lesson.SAMPLE_CHOICES, value=100,
                                 key="overfitting_n")
seed = int(right.number_input(tr("overfitting.seed"), min_value=0, max_value=9999, value=0,
                              key="overfitting_seed"))
base = lesson.base_config(dataset, n_samples, seed=seed)
st.caption(tr("overfitting.setup", epochs=base.epochs, n_train=base.n_train, n_val=n_samples - base.n_train))

# Step 4's widgets are drawn in step 4; "train everything" reads their last values from the state.
early = state.get("overfitting_early", False)
patience = state.get("overfitting_patience", lesson.PATIENCE_DEFAULT) if early else None
chosen_job = (lesson.regularized_config(dataset, n_samples, seed, state.get("overfitting_dropout", 0.3),
                                        state.get("overfitting_batchnorm", False),
                                        state.get("overfitting_l2", 0.0)), patience)
baseline_job = (lesson.regularized_config(dataset, n_samples, seed), None)
capacity_jobs = [(c, None) for c in lesson.capacity_configs(dataset, n_samples, seed)]
noise_jobs = [(c, None) for c in lesson.noise_configs(dataset, n_samples, seed)]
# The BatchNorm section also trains the noisiest run with BatchNorm alone, to read its gap.
bn_jobs = [(c, None) for c in lesson.batchnorm_configs(dataset, n_samples, seed)] + [
    (lesson.regularized_config(dataset, n_samples, seed, batchnorm=True), None)]
all_jobs = capacity_jobs + noise_jobs + [baseline_job, chosen_job] + bn_jobs
missing = len([job for job in dict.fromkeys(all_jobs) if not ready(job)])
if st.button(tr("overfitting.run_all", n=missing) if missing else tr("overfitting.all_done"),
             key="overfitting_run_all", disabled=not missing):
    train(all_jobs)
    st.rerun()
shared.recompute_button(NS, PERSIST, [(NS, *job) for job in all_jobs])
# 1. Fit 100 % first ----------------------------------------------------------------------------
capacity = section(tr("overfitting.capacity.title"), tr("overfitting.capacity.intro"), capacity_jobs,
                   "overfitting_train_capacity")
if capacity:
    text = lesson.capacity_text(capacity, dataset, lang)
    curves = [(name, r.epochs, r.train_acc) for name, r in zip(text["names"], capacity)]
    frame.plot(charts.capacity_curves(curves, lang), key="overfitting_capacity_chart", height=360)
    frame.notice(f"{NS}.capacity", **text)
    frame.claim_vs_measurement(tr("overfitting.capacity.claim"), text["measured"])

# 2. The gap opens with noise --------------------------------------------------------------------
noisy = section(tr("overfitting.noise.title"), tr("overfitting.noise.intro"), noise_jobs,
                "overfitting_train_noise")
if noisy:
    frame.plot(charts.gap_curves([(tr("overfitting.noise.label", noise=r.config.noise), r.epochs, r.train_acc,
                                   r.val_acc) for r in noisy], lang), key="overfitting_gap_chart", height=380)
    numbers = lesson.noise_numbers(noisy, lang)
    for i, col in enumerate(st.columns(len(noisy))):
        col.metric(tr("overfitting.noise.gap_metric", noise=numbers[f"n{i}"]), numbers[f"g{i}"],
                   help=tr("overfitting.noise.gap_help", epochs=base.epochs))
    frame.notice(f"{NS}.noise", **numbers)

# 3. BatchNorm's first purpose, faster and steadier training; Dropout with it (a seed race) --------
overfitting_sections.batchnorm_race(NS)

# 4. Regularizers ---------------------------------------------------------------------------------
frame.section(tr("overfitting.reg.title"))
st.markdown(tr("overfitting.reg.intro"))
with st.container(border=True):
    left, middle, right = st.columns(3)
    left.select_slider(tr("overfitting.reg.dropout"), lesson.DROPOUT_CHOICES, value=0.3,
                       key="overfitting_dropout")
    middle.select_slider(tr("overfitting.reg.l2"), lesson.L2_CHOICES, value=0.0, key="overfitting_l2",
                         format_func=lambda v: f"{v:g}")
    right.slider(tr("overfitting.reg.patience"), 5, 100, lesson.PATIENCE_DEFAULT, 5,
                 key="overfitting_patience", disabled=not early)
    left, right = st.columns(2)
    left.toggle(tr("overfitting.reg.batchnorm"), value=False, key="overfitting_batchnorm")
    right.toggle(tr("overfitting.reg.early"), value=False, key="overfitting_early")
reg_jobs = [baseline_job, chosen_job]
one_seed = [result(job) for job in reg_jobs] if all(ready(job) for job in reg_jobs) else None
overfitting_sections.regularizer_seeds(NS, dataset, n_samples, chosen_job, one_seed)  # leads: 5 seeds, then 1
reg = section(None, None, reg_jobs, "overfitting_train_reg")
if reg:
    compared = state.setdefault(COMPARED, [])
    for job in (baseline_job, chosen_job):
        if job not in compared:
            compared.append(job)
    (base_run, run), label = reg, lesson.run_label(*chosen_job, lang)
    frame.plot(charts.loss_runs([
        (tr("overfitting.reg.baseline"), base_run.epochs, base_run.train_loss, base_run.val_loss, None),
        (label, run.epochs, run.train_loss, run.val_loss, run.best_epoch)], lang),
        key="overfitting_reg_chart", height=380)
    # The table: every setting compared in this session on the same data as the baseline.
    unregularized = {"dropout": 0.0, "batchnorm": False, "l2": 0.0}
    rows = [(lesson.run_label(*job, lang), result(job)) for job in compared
            if ready(job) and job[0].replace(**unregularized) == baseline_job[0]]
    frame.table(lesson.comparison_table(rows, lang), name="overfitting_compared")
    frame.notice(f"{NS}.reg", **lesson.regularizer_numbers(base_run, run, label, lang))

# 5. BatchNorm against the batch size --------------------------------------------------------------
bn = section(tr("overfitting.bn.title"),
             tr("overfitting.bn.intro", noise=lesson.NOISES[1], epochs=lesson.BN_EPOCHS), bn_jobs,
             "overfitting_train_bn")
if bn:
    guess = chance(bn_jobs[0][0])
    frame.plot(charts.batchnorm_bars(list(lesson.BATCH_SIZES), [r.final_val_acc for r in bn[:-1:2]],
                                     [r.final_val_acc for r in bn[1:-1:2]], guess, lang),
               key="overfitting_bn_chart", height=380)
    # hidden_1's gradient on one example: bn[1] is batch size 1 with BatchNorm, bn[0] without.
    gradients = (first_gradient(bn[1].config, 1), first_gradient(bn[0].config, 1))
    numbers, measured = lesson.batchnorm_text(bn[:-1], bn[-1], result(baseline_job) if ready(baseline_job) else None, guess, gradients,
                                              lang)
    frame.notice(f"{NS}.bn", **numbers)
    frame.claim_vs_measurement(tr("overfitting.bn.claim"), measured)

st.caption(tr("overfitting.code_caption"))
frame.code("\n\n".join(inspect.getsource(f) for f in (lesson.train_run, lesson.EarlyStopping,
                                                        lesson.base_config)))
navigation.link_to_next(NS)
