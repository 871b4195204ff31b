"""Sections of the overfitting page, kept here so the page stays a short view: BatchNorm's
first purpose, faster and steadier training, and Dropout with BatchNorm (a seed race); and the
regularizer comparison over five seeds."""

from __future__ import annotations

import inspect

import streamlit as st

from core.lessons import batchnorm_race as lesson
from core.lessons import overfitting
from core.lessons import overfitting_seeds as seeds_lesson
from core.lessons import seed_race
from ui import frame, seed_race as race_view, shared
from ui.frame import tr

RACE_PERSIST = shared.Persist("overfitting", (lesson, seed_race), "overfitting")  # the page's Persist page


def race_key(ns: str) -> tuple:
    return (ns, "bnrace")


def batchnorm_race(ns: str) -> None:
    """Plain, BatchNorm, Dropout and both over five seeds; shipped, or trained on request."""
    frame.section(tr("overfitting.bnrace.title"))
    key = race_key(ns)
    intro = dict(hidden="-".join(str(w) for w in lesson.HIDDEN), epochs=lesson.EPOCHS, rate=lesson.DROPOUT)
    st.markdown(tr("overfitting.bnrace.intro", **intro))
    if not shared.ready(key, RACE_PERSIST):
        n = len(lesson.CONTENDERS) * len(seed_race.SEEDS)
        if not st.button(tr("overfitting.bnrace.train", n=n), key=f"{ns}_train_bnrace", type="primary"):
            st.info(tr("overfitting.pending"))
            return
    race = shared.once(key, tr("overfitting.bnrace.training"),
                       lambda progress: lesson.batchnorm_race(progress=progress), persist=RACE_PERSIST)
    lang = frame.lang()
    numbers = lesson.race_numbers(race, lang)
    st.markdown(tr("overfitting.bnrace.measure", **numbers))
    labels = {name: tr(f"overfitting.bnrace.short.{name}") for name in lesson.CONTENDERS}  # BN: BatchNorm
    race_view.show(race, labels, key=f"{ns}_bnrace_chart", measure="fit_loss",
                   titles={"curves": tr("overfitting.bnrace.curves", n=len(race.seeds)),
                           "train_loss": tr("overfitting.bnrace.train_loss")},
                   table=lesson.table(race, lang))
    frame.notice(f"{ns}.bnrace", **numbers)
    st.markdown(tr("overfitting.bnrace.together", **numbers))
    frame.code("\n\n".join(inspect.getsource(f) for f in (lesson.race_configs, seed_race.race, seed_race.run_one)))


SEEDS_PERSIST = shared.Persist("overfitting", (seeds_lesson, overfitting), "overfitting")


def regularizer_seeds(ns: str, dataset: str, n_samples: int, chosen_job, one_seed) -> None:
    """The regularizer section's comparison over seeds 0–4, shown before the one-seed detail:
    a table of mean (min–max) and the seed count. Shipped for the defaults, else trained on
    request. `one_seed`: (baseline, chosen) RunResults of the page's seed, or None."""
    config, patience = chosen_job
    lang, label = frame.lang(), overfitting.run_label(config, patience, frame.lang())
    key = seeds_lesson.job_key(dataset, n_samples, config.dropout, config.batchnorm, config.l2, patience)
    st.markdown(f"**{tr('overfitting.regseeds.title')}**")
    st.markdown(tr("overfitting.regseeds.intro", label=label, n_val=config.n_samples - config.n_train))
    if not shared.ready(key, SEEDS_PERSIST):
        n = 2 * len(seed_race.SEEDS)
        if not st.button(tr("overfitting.regseeds.train", n=n), key=f"{ns}_train_regseeds",
                         type="primary"):
            st.info(tr("overfitting.pending"))
            return
    comparison = shared.once(key, tr("overfitting.regseeds.training"), lambda progress: seeds_lesson.compare_key(
        key, progress), persist=SEEDS_PERSIST)
    frame.table(seeds_lesson.table(comparison, label, lang), name=f"{ns}_regseeds")
    said = seeds_lesson.sentence(comparison, label, lang)
    st.markdown(said["text"])
    if one_seed is not None:
        warning = seeds_lesson.contradiction(seeds_lesson.one_seed_outcome(*one_seed), said["outcome"], lang)
        if warning:
            st.warning(warning)
    st.caption(tr("overfitting.regseeds.one_seed"))
