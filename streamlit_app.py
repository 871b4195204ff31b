"""Keras Lens entry point: only wiring. Navigation, the shared sidebar frame and TensorFlow's
background import live in `ui.app`; every lesson lives in pages/."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ui import app  # noqa: E402

app.main()
