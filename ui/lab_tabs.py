"""The Lab's tabs when no run is drawing: scrub snapshots, gradients, run comparison, results,
code and downloads."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from core import code_html, codegen, html_table, probes, runs
from core.charts import lab as charts
from core.datasets import class_names
from ui.frame import lang, plot, tr
from ui.kept_pictures import plot_kept
from ui.live_training import LabViews


@st.cache_data(show_spinner=False, max_entries=8)
def _aligned(run_key: str, _snapshots: tuple, k: int) -> list[list]:
    """Aligned PCA of every snapshot, per layer (cached per run and snapshot count)."""
    layers = len(_snapshots[0].hidden) if _snapshots else 0
    return [probes.aligned_projections([s.hidden[i] for s in _snapshots], k) for i in range(layers)]


def hidden_tab(trainer, views: LabViews) -> None:
    snapshots = tuple(r.snapshot for r in trainer.history if r.snapshot is not None)
    if not snapshots:
        return
    epochs = [s.epoch for s in snapshots]
    with views.tabs[0]:
        cols = st.columns([3, 1])
        epoch = cols[0].select_slider(tr("lab.hidden.epoch"), epochs, value=epochs[-1], key="lab_snapshot_epoch") \
            if len(epochs) > 1 else epochs[0]
        three_d = cols[1].toggle(tr("lab.hidden.three_d"), key="lab_proj_3d")
        st.caption(tr("lab.hidden.caption"))
    k = 3 if three_d else 2
    index = epochs.index(epoch)
    labels, names = trainer.probe_set.labels, class_names(trainer.config.dataset)

    def panels() -> list:
        per_layer = _aligned(f"{trainer.run_id}-{len(snapshots)}-{trainer.epoch}", snapshots, k)
        return ([(tr("lab.chart.input_space"), probes.pca(trainer.probe_set.x, k))]
                + [(tr("lab.chart.layer", n=i + 1), layer[index]) for i, layer in enumerate(per_layer)])

    if three_d:
        shown = panels()
        with views.projections.container():
            choice = st.selectbox(tr("lab.hidden.layer"), range(len(shown)), format_func=lambda i: shown[i][0],
                                  index=len(shown) - 1, key="lab_proj_layer")
            plot(charts.projection_3d(shown[choice][1], labels, trainer.task, trainer.n_classes, names),
                 key="lab_proj3d")
    else:  # kept across reruns (ui.kept_pictures)
        plot_kept(views.projections, trainer, "lab_proj_static", (index,),
                  lambda: charts.projections(panels(), labels, trainer.task, trainer.n_classes, lang(), names))
    if (views.boundary is not None and snapshots[index].boundary is not None
            and views.boundary_epoch != snapshots[index].epoch):  # not already drawn this run
        views.draw_boundary(trainer, snapshots[index])


def gradients_tab(trainer, views: LabViews) -> None:
    views.draw_gradients(trainer)
    with views.tabs[1]:
        st.caption(tr("lab.gradients.caption"))


def compare_tab(views: LabViews, log_y: bool) -> None:
    all_runs = st.session_state.get("lab_runs", [])
    with views.tabs[2]:
        if not all_runs:
            st.caption(tr("lab.compare.empty"))
            return
        plot(charts.compare_runs(all_runs, log_y, lang()), key="lab_compare")
        rows, differing = runs.config_table(all_runs)
        frame = pd.DataFrame(rows).set_index("run")
        st.caption(tr("lab.compare.caption", n=len(all_runs)))
        st.markdown(html_table.render(frame, name="lab_compare_table", index=True, marked=set(differing)),
                    unsafe_allow_html=True)
        if st.button(tr("lab.compare.clear"), key="lab_compare_clear"):
            st.session_state["lab_runs"] = []
            st.rerun()


def results_tab(trainer, views: LabViews) -> None:
    with views.tabs[3]:
        if trainer.status == "running" or not trainer.history:
            return
        data = trainer.data
        predictions = trainer.predict(data.x_val)
        if trainer.task == "regression":
            scores = probes.regression_scores(data.y_val, predictions[:, 0])
            c1, c2 = st.columns(2)
            c1.metric("R²", f"{scores['r2']:.3f}")
            c2.metric("RMSE", f"{scores['rmse']:.3f}")
            st.caption(tr("lab.results.regression_caption"))
        else:
            matrix = probes.confusion_matrix(data.y_val, probes.predicted_classes(predictions, trainer.task),
                                             trainer.n_classes)
            st.markdown(tr("lab.results.confusion", correct=int(matrix.trace()), total=int(matrix.sum())))
            plot(charts.confusion(matrix, lang(), class_names(trainer.config.dataset)), key="lab_confusion",
                 height=360)
        snapshot = next((r.snapshot for r in reversed(trainer.history) if r.snapshot is not None), None)
        if snapshot is not None and snapshot.hidden and st.toggle(tr("lab.results.tsne"), key="lab_tsne"):
            last = snapshot.hidden[-1]
            with st.spinner(tr("lab.results.tsne_running")):
                embedded = _tsne(f"{trainer.run_id}-{snapshot.epoch}", last, trainer.config.seed)
            plot(charts.side_by_side(probes.pca(last).coords, embedded, trainer.probe_set.labels, trainer.task,
                                     trainer.n_classes, ("PCA", "t-SNE"), class_names(trainer.config.dataset)),
                 key="lab_tsne_fig")
            st.caption(tr("lab.results.tsne_caption"))


@st.cache_data(show_spinner=False, max_entries=4)
def _tsne(run_key: str, _activations, seed: int):
    return probes.tsne(_activations, seed)


def code_tab(config, trainer, views: LabViews) -> None:
    with views.tabs[4]:
        source_config = trainer.config if trainer is not None else config
        if source_config is None:
            return
        script = codegen.generate_script(source_config)
        st.caption(tr("lab.code.caption"))
        cols = st.columns(3)
        cols[0].download_button(tr("lab.code.script"), script, file_name="keras_lens_experiment.py",
                                mime="text/x-python", key="lab_dl_script", on_click="ignore")
        if trainer is not None and trainer.history and trainer.status != "running":
            cols[1].download_button(tr("lab.code.model"), partial(trainer.with_model, partial(
                                        runs.model_bytes, config=trainer.config)),
                                    file_name="keras_lens_model.keras", mime="application/octet-stream",
                                    key="lab_dl_model", on_click="ignore")
            cols[2].download_button(tr("lab.code.history"), lambda: runs.history_csv(trainer),
                                    file_name="keras_lens_history.csv", mime="text/csv", key="lab_dl_history",
                                    on_click="ignore")
        st.caption(tr("lab.code.no_upload"))
        # Highlighted on the server (core.code_html): st.code made the Lab's first visitors'
        # browsers load a 1.5 MB highlighter before the page was complete (the tab is drawn hidden).
        st.markdown(code_html.python_html(script), unsafe_allow_html=True)
