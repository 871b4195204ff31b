"""The helper process (core.training.helper): a crowded server's first turns of runs it has no
free set for, trained in a second interpreter. A real child process, real TensorFlow in both;
the oracle is the same run trained in this process alone."""

from __future__ import annotations

import time

import numpy as np
import pytest

from core.config import ExperimentConfig
from core.training.pool import _POOL
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

    shared_helper.served = shared_helper.later_served = 0
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
    # Its later turns too: the server never built (traced) a set of this architecture.
    assert helper.later_served >= 1 and _POOL.sets(trainer._lease.signature) == 0
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


def test_the_helper_starts_by_default_where_it_can_help_and_never_when_turned_off(monkeypatch, tmp_path):
    from core.training import helper as module

    started = []
    monkeypatch.setattr(module.HELPER, "start", lambda: started.append(True))
    monkeypatch.setattr(module, "memory_limit", lambda: 8 * 2**30)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.setattr(module, "CPU_QUOTA_FILES", ())
    monkeypatch.setenv(module.HELPER_ENV, "0")
    assert not module.start_if_useful() and not started
    monkeypatch.setattr(module, "memory_limit", lambda: 2 * 2**30)  # a 2 GB cloud instance
    for asked in ("1", None):
        if asked is None:
            monkeypatch.delenv(module.HELPER_ENV, raising=False)
        else:
            monkeypatch.setenv(module.HELPER_ENV, asked)
        assert not module.start_if_useful()
    monkeypatch.setattr(module, "memory_limit", lambda: 8 * 2**30)
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _: {0})  # one core
    assert not module.start_if_useful()
    monkeypatch.setattr(module.os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    # A container's CPU quota, as cgroup v2 and v1 write it: four cores visible, half of one to use.
    v2, quota, period = tmp_path / "cpu.max", tmp_path / "quota", tmp_path / "period"
    v2.write_text("50000 100000\n")
    quota.write_text("50000\n")
    period.write_text("100000\n")
    for files in (((str(v2),),), ((str(quota), str(period)),)):
        monkeypatch.setattr(module, "CPU_QUOTA_FILES", files)
        assert module.cpu_limit() == 0.5 and not module.start_if_useful()
    v2.write_text("max 100000\n")  # no quota
    monkeypatch.setattr(module, "CPU_QUOTA_FILES", ((str(v2),),))
    assert module.cpu_limit() == 4
    assert module.start_if_useful() and started == [True]  # unset: on


def test_a_helper_that_is_gone_mid_run_leaves_the_rest_to_the_server_from_the_last_state(monkeypatch):
    """The helper trains the first and later turns; killed after the first, the run goes on in
    this process from the state the helper last sent, and learns exactly as alone."""
    pytest.importorskip("tensorflow")
    from core.training import Trainer
    from core.training import helper as module
    from core.training.pool import _BUILDS

    helper = _started()  # its own: this one is killed
    monkeypatch.setattr(module, "HELPER", helper)
    monkeypatch.setattr(_BUILDS, "crowded", lambda: True)
    config = XOR.replace(hidden=(5, 3), activation="tanh", seed=11, epochs=40)
    alone = Trainer(config, reuse=False)
    list(alone.run())

    trainer = Trainer(config, hold=False)
    trainer.scheduled = Scheduler(2).join()
    records = []
    for record in trainer.run():
        records.append(record)
        if record.epoch >= 1 and helper.ready():
            helper._proc.kill()
            assert helper._gone.wait(30)
    trainer.scheduled.leave()
    assert helper.served == 1 and trainer.status == "finished"
    assert [r.epoch for r in records] == list(range(config.epochs + 1))
    assert _POOL.sets(trainer._lease.signature) >= 1, "the server did not take the run over"
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)
    trainer.park()
    helper.stop()


def test_a_live_change_reaches_the_turns_trained_in_the_helper(helper):
    """The learning rate changed during a run whose turns the helper trains: the run learns as
    one alone that changed it at the same epoch (not as one that kept the old rate)."""
    from core.training import Trainer

    config = XOR.replace(hidden=(6, 6), seed=12, epochs=60, learning_rate=0.05)
    faster = config.replace(learning_rate=0.5)
    trainer = Trainer(config, hold=False)
    trainer.scheduled = Scheduler(2).join()
    changed_at = None
    for record in trainer.run():
        if changed_at is None and record.epoch >= 1:
            trainer.retune(faster)
            changed_at = trainer.epoch  # the turn that trained up to here sent all its records at once
    trainer.scheduled.leave()
    assert helper.served == 1 and helper.later_served >= 1 and trainer.status == "finished"
    assert trainer.changes == [(changed_at, {"learning_rate": (0.05, 0.5)})]

    alone = Trainer(config, reuse=False)
    list(alone.run(changed_at))
    alone.retune(faster)
    list(alone.run(config.epochs - changed_at))
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)
    kept = Trainer(config, reuse=False)
    list(kept.run())
    assert not np.allclose(_history(trainer), _history(kept), rtol=1e-3), "the helper trained on with the old rate"
    trainer.park()


def test_the_helpers_first_turns_go_before_later_turns_it_was_asked_for_earlier():
    """A learner who has seen no epoch first: the child's inbox hands out first turns (and
    preparations) before later turns, each kind in the order it came."""
    import os

    from core.training.helper import _Inbox, _send

    read, write = os.pipe()
    with os.fdopen(write, "wb") as stream:
        for rid, kind in enumerate(("later", "later", "first", "prepare", "later"), start=1):
            _send(stream, (rid, (kind, None)))
    inbox = _Inbox(os.fdopen(read, "rb"))
    deadline = time.monotonic() + 10
    while not inbox._closed and time.monotonic() < deadline:  # all of them read first
        time.sleep(0.01)
    order = []
    while (message := inbox.next()) is not None:
        order.append(message[0])
    assert order == [3, 4, 1, 2, 5]
