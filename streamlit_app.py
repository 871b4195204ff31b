"""Keras Lens entry point: only wiring. Navigation, the shared sidebar frame and TensorFlow's
background import live in `ui.app`; every lesson lives in pages/."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# NumPy's BLAS on one thread, as TensorFlow's ops (core.runtime): the lessons' products are small,
# and on a busy 2-core server OpenBLAS's spinning threads made them slower, not faster (a 360 x
# 1797 cosine search: 18 ms median with its threads, 2 ms with one; /vector-search's 27 exact
# searches 1.4 s -> 0.22 s). Read when NumPy loads, which is after this line in a server process.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from ui import app  # noqa: E402

app.main()
