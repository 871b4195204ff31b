"""Training Lab: pick data, activation, loss, depth, skips and optimizer; watch a real Keras
model learn, live. Controls live in ui.lab_controls, drawing in ui.live_training/ui.lab_tabs."""

import streamlit as st

from core.datasets import get_dataset
from ui import frame, lab_buttons, lab_controls, lab_layout, lab_replay, lab_tabs, navigation
from ui.frame import lang, tr
from ui.fair_training import prepare_ahead
from ui.live_training import LabViews, settle, start_run, train_live

frame.header("lab", intro=False)
for warning in lab_controls.load_url_once():
    st.warning(warning.text(lang()))
lab_controls.apply_pending()
places = lab_layout.places()  # buttons; controls | network | curves and boundary (one screen)
places["intro"].container(key="lab_intro").markdown(tr("lab.intro"))
config, error = lab_controls.controls(places)
with places["buttons"]:
    if note := st.session_state.pop("lab_csv_note", None):
        st.info(note)
    if error:
        st.error(error)
    else:
        lab_controls.write_url(config)

trainer = st.session_state.get(lab_buttons.TRAINER_KEY)
if trainer is not None:
    settle(trainer)  # a run interrupted by this rerun (Stop, a widget change) ends first
with places["buttons"]:
    pressed = lab_buttons.draw(disabled=error is not None)
log_y = pressed.log_y
trainer, epochs, new_run = lab_buttons.decide(pressed, config)
replay_slot = st.container()  # the replay's controls, under the buttons

shown = trainer.config if trainer is not None else config
views = LabViews(is_2d=shown is not None and get_dataset(shown.dataset).is_2d, places=places)
if new_run:  # built under the views, so the status and the data preview stay on screen
    st.session_state[lab_buttons.TRAINER_KEY] = trainer = start_run(config, views)
if trainer is not None and epochs:
    train_live(trainer, epochs, views, log_y)
elif trainer is not None:
    views.draw(trainer, log_y, live=False)
    if trainer.config != config and trainer.status != "running":
        places["status"].caption(tr("lab.status.settings_changed"))
        prepare_ahead(config)
    if pressed.stop:
        st.toast(tr("lab.status.stopped"))
else:
    views.status.info(tr("lab.status.ready"))
    views.preview(config)
    prepare_ahead(config)  # traced in the background while the learner reads the page

if trainer is not None and trainer.history:
    lab_tabs.hidden_tab(trainer, views)
    lab_replay.replay(trainer, views, log_y, replay_slot)
    lab_tabs.gradients_tab(trainer, views)
    lab_tabs.results_tab(trainer, views)
lab_tabs.compare_tab(views, log_y)
lab_tabs.code_tab(config or shown, trainer, views)

frame.notice("lab")
navigation.link_to_next("lab")
