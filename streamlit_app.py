"""Keras Lens entry point: only wiring. Navigation, the shared sidebar frame, and TensorFlow's
background import; every lesson lives in pages/."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import streamlit as st  # noqa: E402

from ui import classroom, frame, navigation, warmup  # noqa: E402

st.set_page_config(page_title="Keras Lens", page_icon=":material/biotech:", layout="wide")
warmup.start()
page = navigation.navigation()
frame.sidebar_frame()
classroom.apply()
info = navigation.by_url(page.url_path)
navigation.warn_unused_params(info)
page.run()
if info is not None:
    classroom.builder(info.prefix)
