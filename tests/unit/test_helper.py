"""The helper process (core.training.helper): a crowded server's first turns of runs it has no
free set for, trained in a second interpreter. A real child process, real TensorFlow in both;
the oracle is the same run trained in this process alone."""

from __future__ import annotations

import time

import numpy as np
import pytest

from core.config import ExperimentConfig
from core.training.scheduler import Scheduler

XOR = ExperimentConfig(dataset="xor", n_samples=300, hidden=(8, 8), epochs=12)


def _history(trainer):
    return np.array([[r.train_loss, r.val_loss, r.train_metric, r.val_metric] for r in trainer.history])


def _started():
    from core.training import helper as module

    made = module.Helper()
    made.start()
    deadline = time.monotonic() + 120
    while not made.ready() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert made.ready(), "the helper process did not start"
    return made


@pytest.fixture(scope="module")
def shared_helper():
    """One child process for this file's tests (each start imports TensorFlow: ~5 s)."""
    pytest.importorskip("tensorflow")
    made = _started()
    yield made
    made.stop()


@pytest.fixture
def helper(shared_helper, monkeypatch):
    """A started helper in place of the app's (none runs in tests: tests/conftest.py), on a
    crowded server; `served` counts this test's first turns."""
    from core.training import helper as module
    from core.training.pool import _BUILDS

    shared_helper.served = 0
    monkeypatch.setattr(module, "HELPER", shared_helper)
    monkeypatch.setattr(_BUILDS, "crowded", lambda: True)  # other sessions train
    return shared_helper


def _scheduled_run(config):
    from core.training import Trainer

    trainer = Trainer(config, hold=False)
    trainer.scheduled = Scheduler(2).join()
    records = list(trainer.run())
    trainer.scheduled.leave()
    return trainer, records


@pytest.mark.parametrize("config", [XOR.replace(hidden=(5, 5, 5), activation="sigmoid", seed=3),
                                    XOR.replace(hidden=(6,), batchnorm=True, seed=4)],
                         ids=["deep-sigmoid", "batchnorm"])
def test_a_crowded_runs_first_turn_comes_from_the_helper_and_the_run_learns_exactly_as_alone(helper, config):
    from core.training import Trainer

    alone = Trainer(config, reuse=False)
    list(alone.run())

    trainer, records = _scheduled_run(config)
    assert helper.served == 1, "the first turn was not trained in the helper"
    assert trainer.status == "finished" and trainer.epoch == config.epochs
    assert [r.epoch for r in records] == list(range(config.epochs + 1)), "an epoch missing or twice"
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)
    # The helper's snapshots are the look inside the same network: epoch 0's boundary.
    np.testing.assert_allclose(records[0].snapshot.boundary, alone.history[0].snapshot.boundary, rtol=1e-5, atol=1e-6)
    assert trainer.scheduled.turns >= 1 and trainer.scheduled.first_trained
    trainer.park()


def test_an_uploaded_data_set_goes_to_the_helper_with_the_run(helper):
    """The helper has no registry of uploads: the run sends the data set along (it pickles)."""
    from core.datasets_csv import register_csv
    from core.training import Trainer

    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [f"{x:.3f},{y:.3f},{int(x + y > 0)}" for x, y in rng.normal(size=(120, 2))]
    name, _ = register_csv(("\n".join(rows) + "\n").encode(), "label")
    config = XOR.replace(dataset=name, n_samples=120, hidden=(3, 4), seed=5, epochs=6)
    alone = Trainer(config, reuse=False)
    list(alone.run())

    trainer, _ = _scheduled_run(config)
    assert helper.served == 1
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)
    trainer.park()


def test_a_run_alone_or_with_a_free_set_trains_its_first_turn_itself(helper, monkeypatch):
    from core.training.pool import _BUILDS

    monkeypatch.setattr(_BUILDS, "crowded", lambda: False)
    config = XOR.replace(hidden=(7, 3), seed=6, epochs=4)
    trainer, _ = _scheduled_run(config)  # alone: the server's own handover is quicker
    assert helper.served == 0 and trainer.status == "finished"
    trainer.park()  # its set is free in the pool now
    monkeypatch.setattr(_BUILDS, "crowded", lambda: True)
    again, _ = _scheduled_run(config.replace(seed=7))
    assert helper.served == 0 and again.status == "finished"
    again.park()


def test_a_helper_that_is_gone_leaves_the_run_to_the_server(monkeypatch):
    pytest.importorskip("tensorflow")
    from core.training import Trainer
    from core.training import helper as module
    from core.training.pool import _BUILDS

    helper = _started()  # its own: this one is killed
    monkeypatch.setattr(module, "HELPER", helper)
    monkeypatch.setattr(_BUILDS, "crowded", lambda: True)
    helper._proc.kill()
    assert helper._gone.wait(30) and not helper.ready()
    config = XOR.replace(hidden=(4, 4, 4), seed=9, epochs=5)
    started = time.perf_counter()
    assert helper.first_turn(config, Trainer(config, hold=False).data, {}, 5) is None
    assert time.perf_counter() - started < 1.0
    trainer, _ = _scheduled_run(config)
    assert trainer.status == "finished" and helper.served == 0
    trainer.park()
    helper.stop()


def test_a_stopped_run_does_not_wait_for_the_helpers_reply(helper):
    from core.training import Trainer

    config = XOR.replace(hidden=(9, 2), seed=10)
    data = Trainer(config, hold=False).data
    started = time.perf_counter()
    assert helper.first_turn(config, data, {}, 12, stopped=lambda: True) is None
    assert time.perf_counter() - started < 0.5
    # The reply that comes later is dropped; the next request gets its own.
    got = helper.first_turn(config, data, {}, 12)
    assert got is not None and [r.epoch for r in got[0]] == [0, 1]


def test_the_helper_starts_only_when_asked_and_where_it_can_help(monkeypatch):
    from core.training import helper as module

    started = []
    monkeypatch.setattr(module.HELPER, "start", lambda: started.append(True))
    monkeypatch.setattr(module, "memory_limit", lambda: 8 * 2**30)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _: {0, 1})
    for unasked in ("0", None):
        if unasked is None:
            monkeypatch.delenv(module.HELPER_ENV, raising=False)
        else:
            monkeypatch.setenv(module.HELPER_ENV, unasked)
        assert not module.start_if_useful()
    monkeypatch.setenv(module.HELPER_ENV, "1")
    monkeypatch.setattr(module, "memory_limit", lambda: 2 * 2**30)  # a 2 GB cloud instance
    assert not module.start_if_useful()
    monkeypatch.setattr(module, "memory_limit", lambda: 8 * 2**30)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _: {0})  # one core
    assert not module.start_if_useful()
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _: {0, 1})
    assert module.start_if_useful() and started == [True]
