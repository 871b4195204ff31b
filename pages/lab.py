"""Training Lab: pick data, activation, loss, depth, skips and optimizer; watch a real Keras
model learn, live. Controls live in ui.lab_controls, drawing in ui.live_training/ui.lab_tabs."""

import streamlit as st

from core.datasets import get_dataset
from ui import frame, lab_controls, lab_tabs, navigation
from ui.frame import lang, tr
from ui.live_training import LabViews, settle, start_run, train_live

frame.header("lab")
for warning in lab_controls.load_url_once():
    st.warning(warning.text(lang()))
lab_controls.apply_pending()
config, error = lab_controls.controls()
if note := st.session_state.pop("lab_csv_note", None):
    st.info(note)
if error:
    st.error(error)
else:
    lab_controls.write_url(config)

s = st.session_state
trainer = s.get("lab_trainer")
if trainer is not None:
    settle(trainer)  # a run interrupted by this rerun (Stop, a widget change) ends first
# A horizontal row sizes each button to its label, so none is cut short in presentation mode.
row = st.container(horizontal=True, vertical_alignment="center")
train = row.button(tr("lab.buttons.train"), type="primary", key="lab_train", disabled=error is not None,
                 icon=":material/play_arrow:")
step = row.button(tr("lab.buttons.step"), key="lab_step", disabled=error is not None,
                icon=":material/skip_next:")
stop = row.button(tr("lab.buttons.stop"), key="lab_stop", icon=":material/stop:")
resume = row.button(tr("lab.buttons.continue"), key="lab_continue", icon=":material/fast_forward:")
reset = row.button(tr("lab.buttons.reset"), key="lab_reset", icon=":material/restart_alt:")
log_y = row.toggle(tr("lab.buttons.log_y"), key="lab_log_y")

if reset:
    s["lab_trainer"] = trainer = None
needs_new = trainer is None or trainer.config != config or trainer.status == "diverged"
epochs = None
new_run = train or (step and needs_new)
if new_run:
    # Let go of the old run first: its model and compiled functions then go back to a pool
    # and this run reuses them if the architecture is the same (no new tracing, no new memory).
    s["lab_trainer"] = trainer = None
    epochs = 1 if step else config.epochs
elif resume and (trainer is None or trainer.status == "diverged"):
    st.info(tr("lab.status.nothing_to_continue"))
elif step or resume:
    epochs = 1 if step else (config.epochs if config is not None else trainer.config.epochs)
    if resume and trainer.config != config:
        st.info(tr("lab.status.continue_old"))

shown = trainer.config if trainer is not None else config
views = LabViews(is_2d=shown is not None and get_dataset(shown.dataset).is_2d)
if new_run:  # built under the views, so the status and the data preview stay on screen
    s["lab_trainer"] = trainer = start_run(config, views)
if trainer is not None and epochs:
    train_live(trainer, epochs, views, log_y)
elif trainer is not None:
    views.draw(trainer, log_y, live=False)
    if trainer.config != config and trainer.status != "running":
        st.caption(tr("lab.status.settings_changed"))
    if stop:
        st.toast(tr("lab.status.stopped"))
else:
    views.status.info(tr("lab.status.ready"))
    views.preview(config)

if trainer is not None and trainer.history:
    lab_tabs.hidden_tab(trainer, views)
    lab_tabs.gradients_tab(trainer, views)
    lab_tabs.results_tab(trainer, views)
lab_tabs.compare_tab(views, log_y)
lab_tabs.code_tab(config or shown, trainer, views)

frame.notice("lab")
navigation.link_to_next("lab")
