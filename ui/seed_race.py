"""A seed race on a page (core.lessons.seed_race): the figure (loss bands over seeds, one dot per
seed) and a table of every contender's final numbers as mean (min–max) over the seeds."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts.seed_race import race_figure
from ui import frame
from ui.frame import tr


def show(race, labels: dict[str, str], key: str, measure: str = "train_loss", titles: dict | None = None,
         table: list[dict] | None = None) -> None:
    """Figure and table for `race`; `labels` names each contender in the learner's language.
    `measure` is the curve on the left (core.charts.seed_race), `titles` overrides the figure's
    words, `table` replaces the default table's rows."""
    frame.plot(race_figure(race, labels, {
        "curves": tr("seed_race.curves", n=len(race.seeds)), "final": tr("seed_race.final"),
        "epoch": tr("seed_race.epoch"), "train_loss": tr("seed_race.train_loss"),
        "val_loss": tr("seed_race.val_loss"), "seed": tr("seed_race.seed"), **(titles or {}),
    }, scale=frame.scale(), measure=measure), key=key, height=360)
    frame.table(pd.DataFrame(table or [{
        tr("seed_race.col.model"): labels[name],
        tr("seed_race.col.params"): race.runs[name, race.seeds[0]].params,
        tr("seed_race.col.train_loss"): race.spread(name, "train_loss").text(),
        tr("seed_race.col.val_loss"): race.spread(name, "val_loss").text(),
        tr("seed_race.col.val_acc"): race.spread(name, "val_metric").text(),
    } for name in race.names]), name=f"{key}_table")
    st.caption(tr("seed_race.caption", n=len(race.seeds), seeds=", ".join(str(s) for s in race.seeds),
                  seconds=f"{race.seconds:.1f}"))
