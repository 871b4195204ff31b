"""The Trainer's compiled sets are reused across runs of one architecture (so a long-running
server does not grow with every traced function), a reused set trains exactly like a new one,
and a Trainer that parked its set between runs continues exactly as if it had kept it."""

import numpy as np
import pytest

from core.config import ExperimentConfig
from core.training import Trainer, _Pool

pytest.importorskip("tensorflow")

XOR = ExperimentConfig(dataset="xor", n_samples=300, hidden=(8, 8), epochs=12)
CONFIGS = {
    "adam": XOR,
    "dropout+batchnorm+momentum": XOR.replace(dropout=0.2, batchnorm=True, optimizer="momentum"),
    "adagrad+l2+skip": XOR.replace(optimizer="adagrad", l2=0.01, skip=True, hidden=(6, 8)),
    "multiclass one-hot": ExperimentConfig(dataset="wine", hidden=(5,), loss="categorical_crossentropy",
                                           epochs=12, n_samples=178),
    "regression": ExperimentConfig(dataset="diabetes", hidden=(8,), loss="mse", epochs=8, n_samples=442),
}

@pytest.fixture(autouse=True)
def own_pool():
    """Each test starts with an empty pool and no preparations: other files of this process
    (the Lab's AppTests) prepare architectures ahead in the background (core.training.ahead)."""
    import time

    from core.training import ahead
    from core.training.pool import _POOL

    deadline = time.monotonic() + 120
    while ahead.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    saved, ahead._prepared[:] = list(ahead._prepared), [0]
    with _POOL._lock:
        _POOL._free.clear()
        _POOL._count.clear()
    yield
    ahead._prepared[:] = saved


def _finished(config):
    trainer = Trainer(config)
    list(trainer.run())
    return trainer

def _set_of_a_finished_run(config):
    """Train a run to the end; the set it trained with (now parked in the pool)."""
    trainer = Trainer(config)
    compiled = trainer._compiled  # held from construction until the run ends
    list(trainer.run())
    assert trainer._compiled is None, "a finished run keeps its set"
    return compiled

def _everything(trainer):
    records = list(trainer.run())
    last = records[-1].snapshot
    return {
        "losses": [(r.train_loss, r.val_loss, r.train_metric, r.val_metric) for r in records],
        "grad_norms": list(last.grad_norms.values()),
        "hidden": last.hidden,
        "boundary": last.boundary,
        "predictions": trainer.predict(trainer.data.x_val),
    }

@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_reused_set_trains_exactly_like_a_new_one(name):
    first = CONFIGS[name].replace(seed=1, learning_rate=0.05)
    second = first.replace(seed=2, learning_rate=0.01, noise=0.1)
    compiled = _set_of_a_finished_run(first)

    reused = Trainer(second)
    assert reused._compiled is compiled, "the freed set was not reused"
    fresh = Trainer(second, reuse=False)
    assert fresh._compiled is not compiled
    got, want = _everything(reused), _everything(fresh)
    np.testing.assert_allclose(got["losses"], want["losses"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got["grad_norms"], want["grad_norms"], rtol=1e-4, atol=1e-7)
    for a, b in zip(got["hidden"], want["hidden"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got["predictions"], want["predictions"], rtol=1e-4, atol=1e-6)
    if want["boundary"] is not None:
        np.testing.assert_allclose(got["boundary"], want["boundary"], rtol=1e-4, atol=1e-6)

def test_many_runs_trace_the_training_loop_once():
    config = XOR.replace(epochs=5, hidden=(7, 7))
    compiled = None
    for seed in range(5):
        got = _set_of_a_finished_run(config.replace(seed=seed, learning_rate=0.01 * (seed + 1)))
        assert compiled is None or got is compiled
        compiled = got
    # Runs this short train with the plain graph (XLA would not pay off: core.training.loop).
    assert compiled.train_chunk_plain.experimental_get_tracing_count() == 1
    assert compiled.train_chunk_fn.experimental_get_tracing_count() <= 1
    assert compiled.evaluate_fn.experimental_get_tracing_count() == 1
    assert compiled.grad_norms_fn.experimental_get_tracing_count() == 1

def test_trainers_running_at_once_never_share_a_set():
    config = XOR.replace(epochs=6, hidden=(9,))
    a, b = Trainer(config), Trainer(config.replace(seed=4))
    runs = [a.run(), b.run()]
    for _ in range(3):  # interleaved, as two sessions' script threads would be
        for run in runs:
            next(run)
    assert a._compiled is not None and b._compiled is not None
    assert a._compiled is not b._compiled
    for run in runs:
        run.close()

@pytest.mark.parametrize("name", ["adam", "dropout+batchnorm+momentum", "multiclass one-hot"])
def test_continue_after_another_trainer_used_the_parked_set(name):
    """Continue keeps the weights and the optimizer state, even when another session's run
    took the set meanwhile; the oracle keeps a private set all along."""
    config = CONFIGS[name].replace(epochs=5, seed=3)
    a = Trainer(config)
    a_set = a._compiled
    list(a.run())
    other = Trainer(config.replace(seed=9, learning_rate=0.2))
    assert other._compiled is a_set, "the parked set was not reused"
    list(other.run())  # trains on a's old set: moves its weights and moments
    resumed = [(r.train_loss, r.val_loss, r.train_metric, r.val_metric) for r in a.run(4)]

    oracle = Trainer(config, reuse=False)
    list(oracle.run())
    want = [(r.train_loss, r.val_loss, r.train_metric, r.val_metric) for r in oracle.run(4)]
    np.testing.assert_allclose(resumed, want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a.predict(a.data.x_val), oracle.predict(oracle.data.x_val), rtol=1e-4, atol=1e-6)
    assert a.history[-1].snapshot.grad_norms == pytest.approx(oracle.history[-1].snapshot.grad_norms, rel=1e-4)

def test_predict_and_model_after_a_run():
    """predict borrows the set for the call only; asking for the model keeps it."""
    config = XOR.replace(epochs=3, hidden=(5, 4))
    a = _finished(config)
    before = a.predict(a.data.x_val)
    assert a._compiled is None
    other = _finished(config.replace(seed=8))  # may take a's set and change its weights
    np.testing.assert_array_equal(a.predict(a.data.x_val), before)
    model = a.model
    assert a._compiled is not None and a._compiled.model is model
    del other
    np.testing.assert_allclose(model.predict(a.data.x_val, verbose=0), before, rtol=1e-5, atol=1e-6)
    list(a.run(1))
    assert a._compiled is not None, "a Trainer whose model was handed out keeps its set"

def test_other_architectures_get_their_own_set():
    base = XOR.replace(epochs=2, hidden=(10,))
    a = _set_of_a_finished_run(base)
    for change in ({"hidden": (11,)}, {"batch_size": 16}, {"activation": "tanh"}, {"loss": "mse"}):
        trainer = Trainer(base.replace(**change))
        assert trainer._compiled is not a, change

def test_the_pool_keeps_a_bounded_number_of_free_sets():
    pool = _Pool(max_free=2)
    for i in range(3):
        pool.release(("sig", i), object())
    assert len(pool) == 2
    assert pool.acquire(("sig", 0)) is None  # the oldest went first
    assert pool.acquire(("sig", 2)) is not None
    assert pool.acquire(("sig", 2)) is None  # taken sets are not handed out twice


def test_a_prepared_architecture_starts_traced_and_trains_exactly_like_a_new_set():
    """core.training.prepare builds and traces an architecture in the background before Train;
    a run that starts meanwhile waits for that set instead of tracing a second one."""
    import time

    from core.training import ahead, prepare
    from core.training.pool import _POOL

    config = XOR.replace(hidden=(5, 3), batchnorm=True, seed=3, epochs=6)
    assert prepare(config, use_xla=False)
    assert not prepare(config, use_xla=False), "queued twice"
    deadline = time.monotonic() + 60
    while not _POOL._preparing and ahead.pending() and time.monotonic() < deadline:
        time.sleep(0.001)  # until the worker has claimed it (or finished)
    trainer = Trainer(config, use_xla=False)  # at once: waits for the preparation
    compiled = trainer._compiled
    assert compiled.has_run and compiled.train_chunk_plain.experimental_get_tracing_count() == 1
    assert compiled.evaluate_fn.experimental_get_tracing_count() == 1
    got, want = _everything(trainer), _everything(Trainer(config, use_xla=False, reuse=False))
    np.testing.assert_allclose(got["losses"], want["losses"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got["predictions"], want["predictions"], rtol=1e-4, atol=1e-6)
    assert compiled.train_chunk_plain.experimental_get_tracing_count() == 1, "traced again for the run"
    assert trainer.compile_seconds is None  # no chunk of this run paid for a trace
    assert not prepare(config, use_xla=False), "a traced set is free in the pool already"


def test_queued_preparations_run_one_after_another_and_wait_behind_the_runs_builds(monkeypatch):
    """Requests queue one per architecture and are prepared one after another. With runs in
    line a request is not dropped: it waits for a place behind the runs' own builds (measured
    in a class of 30: requests dropped at the first Train left their learners ~10 s of tracing),
    and a run of the same architecture then finds its set traced."""
    import threading
    import time

    from core.training import ahead, prepare
    from core.training.pool import _BUILDS, _POOL

    configs = [XOR.replace(hidden=(h, 2), seed=6, epochs=3) for h in (3, 4)]
    assert all(prepare(c, use_xla=False) for c in configs)  # a classroom opens several links at once
    assert not prepare(configs[0].replace(seed=9), use_xla=False), "one request per architecture"
    deadline = time.monotonic() + 120
    while ahead.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    for config in configs:
        trainer = Trainer(config, use_xla=False)
        assert trainer._compiled.has_run, f"{config.hidden} was not prepared"
        trainer.park()
    monkeypatch.setattr(ahead, "width", lambda: 1)
    busy = XOR.replace(hidden=(2, 5), seed=6, epochs=3)
    building, release = threading.Event(), threading.Event()

    def run_build():  # a run's own build outside the turns holds the only place
        with _BUILDS.place(1, poll=0.01):
            building.set()
            release.wait(60)

    thread = threading.Thread(target=run_build)
    thread.start()
    assert building.wait(10)
    assert prepare(busy, use_xla=False)
    time.sleep(0.5)
    assert ahead.pending() and not _POOL._preparing, "prepared before the run's build"
    release.set()
    thread.join(10)
    while ahead.pending() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert Trainer(busy, use_xla=False)._compiled.has_run, "a busy server dropped the request"


def test_preparations_are_bounded_per_server(monkeypatch):
    """Each traced architecture keeps some memory in TensorFlow: a server prepares a bounded
    number of them ahead (core.training.ahead.MAX_PREPARATIONS); runs still trace their own."""
    from core.training import ahead, prepare

    monkeypatch.setattr(ahead, "_prepared", [ahead.MAX_PREPARATIONS])
    config = XOR.replace(hidden=(4, 6), seed=5, epochs=3)
    assert not prepare(config, use_xla=False)
    trainer = Trainer(config, use_xla=False)
    list(trainer.run())
    assert trainer.compile_seconds is not None and trainer.status == "finished"
