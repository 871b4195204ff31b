"""The learning-rate sweep of the optimizers page, kept here so the page stays a short view:
which learning rate works at which batch size, over five shuffling seeds (shipped default)."""

from __future__ import annotations

import inspect

import pandas as pd
import streamlit as st

from core.charts import optimizers as charts
from core.lessons import lr_sweep, optimizers as lesson
from ui import frame, shared
from ui.frame import tr

PERSIST = shared.Persist("optimizers", (lr_sweep, lesson), "optimizers")
KEY = ("optimizers", "lr_sweep")


def lr_sweep_section() -> None:
    frame.section(tr("optimizers.lr_sweep.title"))
    sweep = shared.once(KEY, tr("optimizers.lr_sweep.training"),
                        lambda progress: lr_sweep.lr_sweep(progress=progress), persist=PERSIST)
    numbers = lr_sweep.sweep_numbers(sweep, frame.lang())
    st.markdown(tr("optimizers.lr_sweep.intro", **numbers))
    shared.recompute_button("optimizers_lr_sweep", PERSIST, [KEY])
    frame.plot(charts.lr_sweep_figure(sweep, {
        "batch": tr("optimizers.lr_sweep.batch"), "diverged": tr("optimizers.lr_sweep.diverged"),
        "start": tr("optimizers.lr_sweep.start"), "lr": tr("optimizers.lr_sweep.lr"),
        "loss": tr("optimizers.lr_sweep.loss", epochs=sweep.epochs)}), key="opt_lr_sweep_fig", height=380)
    best, stable = sweep.best_lr(), sweep.largest_stable_lr()
    frame.table(pd.DataFrame([{
        tr("optimizers.lr_sweep.col.batch"): bs, tr("optimizers.lr_sweep.col.steps"): numbers[f"{name}_steps"],
        tr("optimizers.lr_sweep.col.seconds"): numbers[f"{name}_seconds"],
        tr("optimizers.lr_sweep.col.best"): f"{b:g}", tr("optimizers.lr_sweep.col.stable"): f"{s:g}" if s else "–",
    } for name, bs, b, s in zip(("sgd", "mid", "full"), sweep.batch_sizes, best, stable)]),
        name="optimizers_lr_sweep")
    frame.notice("optimizers.lr_sweep", **numbers)
    frame.code(inspect.getsource(lr_sweep.lr_sweep))
