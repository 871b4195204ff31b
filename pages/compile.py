"""What model.compile() really resets: one Keras model trained, compiled again and trained on, with
a fingerprint of its weights after every line; then what does give fresh weights."""

import inspect

import pandas as pd
import streamlit as st

from core.lessons import compile as lesson
from core.lessons import compile_seeds
from core.charts import compile as charts
from ui import frame, navigation, shared
from ui.frame import tr

NS = "compile"


PERSIST = shared.Persist("compile", (lesson,), NS)
SEEDS_PERSIST = shared.Persist("compile", (compile_seeds, lesson), NS)  # one "recompute live" flag


def experiment(epochs: int, recompile: str, seed: int) -> lesson.CompileExperiment:
    """Once per setting for the whole server; nothing is stored until the run is complete."""
    running = shared.template("compile.running")

    def compute(progress):
        return lesson.compile_experiment(epochs, recompile, seed, lambda done, total: progress(
            done / total, running.format(done=done, total=total)))

    return shared.once((NS, epochs, recompile, seed), tr("compile.running", done=0, total=2 * epochs),
                       compute, persist=PERSIST)


def seed_comparison(epochs: int) -> compile_seeds.SeedComparison:
    """Continue vs compile again over every seed: once per epoch count for the whole server."""
    running = shared.template("compile.seeds.running")
    total = len(compile_seeds.SEEDS) * len(compile_seeds.BRANCHES)
    return shared.once((NS, "seeds", epochs), tr("compile.seeds.running", done=0, total=total),
                       lambda progress: compile_seeds.compare(epochs, progress=lambda done, total: progress(
                           done / total, running.format(done=done, total=total))), persist=SEEDS_PERSIST)


def change(before, after, fmt: str = "{}") -> str:
    return f"{fmt.format(before)} → {fmt.format(after)}"


frame.header(NS)
lang = frame.lang()
left, middle, right = st.columns([2, 3, 1])
epochs = left.select_slider(tr("compile.epochs"), lesson.EPOCH_CHOICES, value=20, key="compile_epochs")
choices = {c: tr(f"compile.recompile_choice.{c}") for c in lesson.RECOMPILE_CHOICES}
recompile = middle.radio(tr("compile.recompile"), lesson.RECOMPILE_CHOICES, horizontal=True,
                         key="compile_recompile", format_func=choices.get)
seed = int(right.number_input(tr("compile.seed"), min_value=0, max_value=9999, value=0, key="compile_seed"))
st.caption(tr("compile.setup", n_train=lesson.lesson_config(seed).n_train))

run = experiment(epochs, recompile, seed)
shared.recompute_button(NS, PERSIST, [(NS, epochs, recompile, seed)])
built, compiled, fitted, recompiled, refitted, clone, fresh, other = run.steps

quiet = dict(delta_color="off", delta_arrow="off")
cols = frame.metric_columns(4)
same = recompiled.fingerprint == fitted.fingerprint
cols[0].metric(tr("compile.metric.weights"), tr(f"compile.metric.{'unchanged' if same else 'changed'}"),
               change(fitted.fingerprint, recompiled.fingerprint), **quiet)
cols[1].metric(tr("compile.metric.loss"), f"{recompiled.loss:.3f}",
               change(fitted.loss, recompiled.loss, "{:.3f}"),
               help=tr("compile.metric.loss_help", initial=f"{run.initial_loss:.3f}"), **quiet)
cols[2].metric(tr("compile.metric.iterations"), recompiled.iterations,
               change(fitted.iterations, recompiled.iterations), **quiet)
cols[3].metric(tr("compile.metric.tracker"), f"{recompiled.tracker[1]:.0f}",
               change(fitted.tracker[1], recompiled.tracker[1], "{:.0f}"), **quiet)

frame.section(tr("compile.chart_title"))
n = len(run.history_before)
checkpoints = [(0, compiled.loss, compiled.code), (n, fitted.loss, fitted.code),
               (n, recompiled.loss, recompiled.code), (2 * n, refitted.loss, refitted.code)]
frame.plot(charts.loss_timeline(run.initial_loss, run.history_before, run.history_after, checkpoints,
                                fresh.loss, lang), key="compile_timeline", height=400)

frame.section(tr("compile.table_title"))
first_seen: dict[str, int] = {}
fingerprints = []
for number, step in enumerate(run.steps, start=1):
    seen = first_seen.setdefault(step.fingerprint, number)
    same_as = "" if seen == number else " " + tr("compile.same_as_first", line=seen)
    fingerprints.append(f"`{step.fingerprint}`{same_as}")
dash = tr("compile.no_optimizer")
frame.table(pd.DataFrame({
    tr("compile.col.line"): range(1, len(run.steps) + 1),
    tr("compile.col.code"): [f"`{s.code}`" for s in run.steps],
    tr("compile.col.fingerprint"): fingerprints,
    tr("compile.col.weight_sum"): [f"{s.weight_sum:.2f}" for s in run.steps],
    tr("compile.col.loss"): [f"{s.loss:.4f}" for s in run.steps],
    tr("compile.col.iterations"): [dash if s.iterations is None else str(s.iterations) for s in run.steps],
    tr("compile.col.tracker"): [dash if s.tracker is None else f"{s.tracker[0]:.1f} / {s.tracker[1]:.0f}"
                                for s in run.steps],
}), name="compile_lines")

frame.section(tr("compile.seeds.title", n=len(compile_seeds.SEEDS)))
st.markdown(tr("compile.seeds.intro", epochs=epochs))
seeds = seed_comparison(epochs)
shared.recompute_button(f"{NS}_seeds", SEEDS_PERSIST, [(NS, "seeds", epochs)])
frame.table(pd.DataFrame(compile_seeds.table_rows(seeds, lang)), name="compile_seeds")
optimizer_text = compile_seeds.optimizer_sentence(run, seeds, recompile, lang)
clone_compiled = "" if clone.iterations is None else tr("compile.clone_compiled", clone_it=clone.iterations)
frame.notice(NS, h_fit=fitted.fingerprint, h_comp=recompiled.fingerprint, ws=f"{recompiled.weight_sum:.2f}",
             loss_fit=f"{fitted.loss:.4f}", loss_comp=f"{recompiled.loss:.4f}",
             first_after=f"{run.history_after[0]:.3f}", initial=f"{run.initial_loss:.3f}",
             optimizer_text=optimizer_text, tr_total=f"{fitted.tracker[0]:.1f}",
             tr_count=f"{fitted.tracker[1]:.0f}", h_clone=clone.fingerprint, h_fresh=fresh.fingerprint,
             h0=built.fingerprint, h_other=other.fingerprint, clone_compiled=clone_compiled)
frame.claim_vs_measurement(tr("compile.claim"), tr(
    "compile.measured", version=run.keras_version, h_fit=fitted.fingerprint, h_comp=recompiled.fingerprint,
    loss_comp=f"{recompiled.loss:.4f}", reset=tr(f"compile.reset_{recompile}")))

st.caption(tr("compile.code_caption"))
frame.code("\n\n".join(inspect.getsource(f) for f in (lesson.compile_experiment, lesson._compile,
                                                        lesson.fingerprint)))
navigation.link_to_next(NS)
