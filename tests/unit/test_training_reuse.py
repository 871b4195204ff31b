"""The Trainer's compiled sets are reused across runs of one architecture (so a long-running
server does not grow with every traced function) and a reused set trains exactly like a new one."""

import gc

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


def _finished(config):
    trainer = Trainer(config)
    list(trainer.run())
    return trainer


def _released(trainer):
    compiled = trainer._compiled
    del trainer
    gc.collect()
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
    compiled = _released(_finished(first))

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
        trainer = _finished(config.replace(seed=seed, learning_rate=0.01 * (seed + 1)))
        assert compiled is None or trainer._compiled is compiled
        compiled = trainer._compiled
        del trainer
        gc.collect()
    assert compiled.train_chunk_fn.experimental_get_tracing_count() == 1
    assert compiled.evaluate_fn.experimental_get_tracing_count() == 1
    assert compiled.grad_norms_fn.experimental_get_tracing_count() == 1


def test_trainers_alive_at_once_never_share_a_set():
    config = XOR.replace(epochs=3, hidden=(9,))
    a = _finished(config)
    b = _finished(config.replace(seed=4))
    assert a._compiled is not b._compiled
    assert a.model is not b.model
    # Continuing one does not move the other's weights.
    before = [w.copy() for w in b.model.get_weights()]
    list(a.run(3))
    for w, w0 in zip(b.model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, w0)


def test_other_architectures_get_their_own_set():
    base = XOR.replace(epochs=2, hidden=(10,))
    a = _released(_finished(base))
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
