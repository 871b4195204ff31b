import os

# Quiet TensorFlow's C++ start-up banners in test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# No helper process (core.training.helper) beside every app test's and test server's TensorFlow,
# even where the environment asks for one: tests/unit/test_helper.py starts its own.
os.environ["KERAS_LENS_HELPER"] = "0"

# Results computed by the pages during tests go to a throw-away cache, never the user's own
# (core.result_files): a test that trains must train, not find last run's file.
import tempfile  # noqa: E402

os.environ.setdefault("KERAS_LENS_CACHE", tempfile.mkdtemp(prefix="keras-lens-test-cache-"))
