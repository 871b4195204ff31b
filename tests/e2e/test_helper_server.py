"""The helper process (core.training.helper) in a real `streamlit run` server, as the app
starts it by default on a machine like this one (two cores, memory for a second TensorFlow):
a few learners who speak Streamlit's protocol (bench.classroom_load) press Train at once, new
architectures among them, and every run finishes with its first turn, at least, trained in the
helper. Every other test's server runs without it (tests/conftest.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.classroom_load import LOAD_LOG_ENV, classroom, helper_started, load_totals
from scripts.server import free_port, start_server, stop_server, wait_healthy
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

LEARNERS = 6  # learners 1-6 of the mix: the default link, BatchNorm (3) and residual skips (6)
EPOCHS = 60
TIMEOUT_S = 120  # a bound per learner and phase, not the expected time


def test_a_class_trains_new_architectures_in_the_helper_and_every_run_finishes():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = ARTIFACTS / f"helper-server-{port}.log"
    server = start_server(port, log, env={"KERAS_LENS_HELPER": "1", LOAD_LOG_ENV: "1"})
    try:
        wait_healthy(port, timeout=120)
        base = f"http://127.0.0.1:{port}"
        with ThreadPoolExecutor(1) as pool:  # asyncio.run in a thread: Playwright's loop may hold this one
            pool.submit(asyncio.run, classroom(base, 1, 5, TIMEOUT_S, mix=False)).result()  # starts the import
            said = pool.submit(asyncio.run, helper_started(log, timeout=90)).result()
            assert said.startswith("ready after"), said
            learners, _ = pool.submit(asyncio.run, classroom(base, LEARNERS, EPOCHS, TIMEOUT_S, first=1)).result()
    finally:
        stop_server(server)
    assert {learner.link for learner in learners} >= {"default", "batchnorm", "skips"}
    for learner in learners:
        assert not learner.errors, (learner.index, learner.link, learner.errors)
        assert learner.first_epoch_s is not None and learner.finished_s is not None, learner.index
    totals = load_totals(log)
    assert totals.get("helper_turns", 0) >= 1, totals
    text = log.read_text(errors="replace")
    said = [line for line in text.splitlines() if line.startswith("keras-lens helper: ")]
    assert "Traceback" not in text and all(line.startswith("keras-lens helper: ready after") for line in said), said
