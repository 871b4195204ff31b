"""A section of the overfitting page, kept here so the page stays a short view: BatchNorm's
first purpose, faster and steadier training, and Dropout with BatchNorm (a seed race)."""

from __future__ import annotations

import inspect

import streamlit as st

from core.lessons import batchnorm_race as lesson
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
