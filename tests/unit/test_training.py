"""The Trainer: learns, is deterministic, reports divergence, stops and continues."""

import numpy as np
import pytest

from core.config import ExperimentConfig
from core.training import Trainer

pytest.importorskip("tensorflow")

XOR = ExperimentConfig(dataset="xor", n_samples=600, hidden=(8, 8), activation="relu", epochs=150, seed=1)


def test_learns_xor_to_95_percent():
    trainer = Trainer(XOR)
    records = list(trainer.run())
    assert trainer.status == "finished"
    assert [r.epoch for r in records] == list(range(0, 151))
    assert records[-1].val_metric >= 0.95
    assert records[-1].train_loss < records[0].train_loss / 4


def test_epoch_zero_record_has_a_snapshot_before_training():
    trainer = Trainer(XOR.replace(epochs=10))
    first = next(trainer.run())
    assert first.epoch == 0 and first.snapshot is not None
    assert [h.shape for h in first.snapshot.hidden] == [(500, 8), (500, 8)]
    assert first.snapshot.boundary.shape == (48, 48)
    assert set(first.snapshot.grad_norms) == {"hidden_1", "hidden_2", "output"}


def test_same_seed_same_history():
    def losses(config):
        return [(r.train_loss, r.val_loss) for r in Trainer(config).run()]

    config = XOR.replace(epochs=30, dropout=0.1, batchnorm=True)
    assert losses(config) == losses(config)
    assert losses(config) != losses(config.replace(seed=2))


def test_divergence_is_a_status_not_an_exception():
    config = ExperimentConfig(hidden=(16,) * 6, activation="sigmoid", optimizer="sgd",
                              learning_rate=10.0, loss="mse", epochs=300)
    deep = ExperimentConfig(dataset="diabetes", hidden=(32,) * 6, activation="relu", optimizer="sgd",
                            learning_rate=10.0, loss="mse", epochs=300, n_samples=442)
    for cfg in (config, deep):
        trainer = Trainer(cfg)
        records = list(trainer.run())
        if trainer.status == "diverged":
            assert not records[-1].finite
            assert list(trainer.run()) == []  # a diverged run cannot continue
            return
    pytest.fail("lr=10 SGD never diverged")


def test_stop_ends_at_the_next_chunk_boundary_and_continue_keeps_weights():
    trainer = Trainer(XOR.replace(epochs=100))
    run = trainer.run()
    for record in run:
        if record.epoch == 20:
            trainer.stop()
    # The chunk under way ends (chunks end on snapshot epochs), and its records are all kept:
    # the history says exactly how far the weights have trained.
    assert trainer.status == "stopped" and trainer.stop_reason == "stop"
    assert 20 <= trainer.epoch < 20 + trainer.snapshot_every
    assert trainer.history[-1].epoch == trainer.epoch
    loss_at_stop, at = trainer.history[-1].train_loss, trainer.epoch
    continued = list(trainer.run(10))
    assert [r.epoch for r in continued] == list(range(at + 1, at + 11))  # no second epoch-0 record
    assert continued[0].train_loss < 2 * loss_at_stop  # continues, does not restart
    assert trainer.status == "finished"


def test_closing_the_generator_marks_the_run_stopped():
    trainer = Trainer(XOR.replace(epochs=100))
    run = trainer.run()
    for record in run:
        if record.epoch == 5:
            break
    run.close()
    assert trainer.status == "stopped"


@pytest.mark.parametrize("config", [
    ExperimentConfig(dataset="wine", n_samples=178, hidden=(5,), loss="categorical_crossentropy", epochs=40),
    ExperimentConfig(dataset="wine", n_samples=178, hidden=(5,), loss="mse", epochs=5),
    ExperimentConfig(dataset="digits", n_samples=400, hidden=(16,), epochs=5, batch_size=400,
                     loss="sparse_categorical_crossentropy"),
    ExperimentConfig(dataset="plane", hidden=(4,), loss="huber", epochs=30, skip=True, batchnorm=True),
    ExperimentConfig(dataset="spiral", hidden=(), epochs=3, batch_size=1, n_samples=100),
])
def test_every_task_and_target_format_trains(config):
    trainer = Trainer(config)
    records = list(trainer.run())
    assert trainer.status == "finished" and all(r.finite for r in records)
    if config.task == "regression":
        assert records[-1].val_loss < records[0].val_loss
    elif config.epochs >= 40:
        assert records[-1].val_metric > 0.8


def test_xla_and_plain_graph_agree():
    config = XOR.replace(epochs=5)
    xla = Trainer(config, use_xla=True, reuse=False)
    compiled = xla._compiled
    assert compiled.compile_xla()  # XLA from the first chunk on
    a = [r.train_loss for r in xla.run()]
    assert compiled.chunks_run["plain"] == 0 and compiled.chunks_run["xla"] > 0
    b = [r.train_loss for r in Trainer(config, use_xla=False).run()]
    np.testing.assert_allclose(a, b, rtol=1e-3)


def _weights(trainer):
    return trainer.with_model(lambda m: [v.numpy() for v in m.variables])


def test_a_run_that_switches_to_xla_midway_trains_like_an_all_graph_run():
    config = XOR.replace(epochs=12, hidden=(8, 7), optimizer="momentum")
    switched = Trainer(config, reuse=False)
    for record in switched.run():
        if record.epoch == 4:  # between two chunks: the chunks from here on run with XLA
            assert switched._compiled.compile_xla()
    assert switched._compiled.chunks_run["plain"] == 4 and switched._compiled.chunks_run["xla"] == 8
    graph = Trainer(config, use_xla=False, reuse=False)
    want = [(r.train_loss, r.val_loss) for r in graph.run()]
    got = [(r.train_loss, r.val_loss) for r in switched.history]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    for a, b in zip(_weights(switched), _weights(graph), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_a_long_first_run_compiles_xla_in_the_background_and_switches():
    config = XOR.replace(epochs=2000, hidden=(6, 5), batch_size=4, seed=5)  # seconds of plain-graph work
    trainer = Trainer(config, reuse=False)
    compiled = trainer._compiled
    for record in trainer.run():
        if record.epoch == 0:
            assert trainer.compiling  # the plain graph is still to be traced
        if compiled.xla_compiling:
            compiled._xla_thread.join()  # the plain graph trained meanwhile; wait to see the switch
        if compiled.chunks_run["xla"]:
            trainer.stop()
    assert compiled.chunks_run["plain"] >= 2 and compiled.chunks_run["xla"] >= 1
    assert not trainer.compiling and trainer.status == "stopped"
    assert all(r.finite for r in trainer.history)


def test_a_set_compiles_xla_once_its_runs_together_have_done_enough_plain_graph_work(monkeypatch):
    """XLA pays off over a compiled set's life (every later run of the architecture uses it):
    runs each short of XLA_WORTH_SECONDS compile it once their plain-graph work together passes
    it, not never (nor at whichever run happened to measure slow)."""
    from core.training import loop

    config = XOR.replace(epochs=40, hidden=(7, 3), batch_size=24, seed=4)  # a signature of its own
    monkeypatch.setattr(loop, "XLA_WORTH_SECONDS", 1e9)
    first = Trainer(config)
    list(first.run())
    first._hold()
    compiled = first._compiled
    first.park()
    one_run = compiled.plain_seconds
    assert one_run > 0 and not compiled.xla_ready.is_set() and compiled._xla_thread is None
    monkeypatch.setattr(loop, "XLA_WORTH_SECONDS", 2.5 * one_run)
    runs = 1
    while compiled._xla_thread is None and runs < 8:
        trainer = Trainer(config)
        list(trainer.run())
        assert trainer._lease.token is not None and compiled.loaded is trainer._lease.token  # the same set
        runs += 1
    assert compiled._xla_thread is not None and 2 <= runs <= 6, runs  # ~3: 2.5 runs of work
    compiled._xla_thread.join(120)
    assert compiled.xla_ready.is_set()
