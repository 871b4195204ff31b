"""The Lab's training engine features (issue #14): watch pacing, settings changed during a run,
learning-rate schedules, early stopping, Stop at a chunk boundary, the same initial weights
for the same seed. Oracles: Keras' own schedules, EarlyStopping callback and L2 regularizer."""

import math

import numpy as np
import pytest

from core import schedules
from core.config import LIVE_FIELDS, ExperimentConfig, live_changes

pytest.importorskip("tensorflow")

XOR = ExperimentConfig(dataset="xor", n_samples=300, hidden=(8, 8), epochs=40, seed=2)


def _trainer(config, **kwargs):
    from core.training import Trainer

    return Trainer(config, **kwargs)


def _weights(trainer) -> list[np.ndarray]:
    return trainer.with_model(lambda model: [w.copy() for w in model.get_weights()])


# ---- config ---------------------------------------------------------------------------------
def test_live_changes_names_only_the_live_fields():
    assert set(LIVE_FIELDS) == {"learning_rate", "l2", "patience", "target_loss", "watch"}
    assert live_changes(XOR, XOR) == {}
    assert live_changes(XOR, XOR.replace(learning_rate=0.1, l2=1e-3)) == {"learning_rate": (0.01, 0.1),
                                                                          "l2": (0.0, 1e-3)}
    assert live_changes(XOR, XOR.replace(hidden=(4,))) is None
    assert live_changes(XOR, XOR.replace(learning_rate=0.1, lr_schedule="cosine")) is None


def test_new_fields_round_trip_through_a_link():
    config = XOR.replace(lr_schedule="cosine", patience=20, target_loss=0.01, watch=True)
    again, warnings = ExperimentConfig.from_query_params(config.to_query_params())
    assert again == config and not warnings
    bad, warnings = ExperimentConfig.from_query_params({"sched": "linear", "pat": "-3"})
    assert bad.lr_schedule == "none" and bad.patience == 0 and len(warnings) == 2


# ---- schedules: ours equal Keras' own -------------------------------------------------------
@pytest.mark.parametrize("kind", ["step", "exponential", "cosine"])
def test_schedule_factor_equals_the_keras_schedule(kind):
    import tensorflow as tf

    lr, decay = 0.03, schedules.decay_steps(kind, 40, 7)
    keras_schedule = schedules.keras_schedule(kind, lr, decay)
    for step in (0, 1, 69, 70, 71, 139, 140, 279, 280, 400):
        ours = lr * float(schedules.factor(kind, tf.constant(step), float(decay)))
        assert ours == pytest.approx(float(keras_schedule(step)), rel=1e-5), step


def test_the_trainer_steps_with_the_scheduled_rate():
    """After k epochs of s steps, the optimizer's rate is base * factor(k * s - 1) (the rate of
    the last step taken, assigned before it)."""
    config = XOR.replace(lr_schedule="exponential", optimizer="sgd", learning_rate=0.1, epochs=10)
    trainer = _trainer(config)
    for record in trainer.run():  # read while the run holds its compiled set
        if record.epoch == 10:
            rate = float(trainer._compiled.optimizer.learning_rate)
            iterations = int(trainer._compiled.optimizer.iterations)
    steps = schedules.steps_per_epoch(config.n_train, config.batch_size)
    assert iterations == 10 * steps
    expected = schedules.keras_schedule("exponential", 0.1, schedules.decay_steps("exponential", 10, steps))
    assert rate == pytest.approx(float(expected(10 * steps - 1)), rel=1e-5)


# ---- live changes -----------------------------------------------------------------------------
def test_the_l2_penalty_equals_keras_regularizers():
    """The compiled step's penalty (a variable times the sum of squared kernels) is the loss
    Keras' L2 regularizers add to a model built with that factor."""
    import tensorflow as tf

    from core.models import build_model
    from core.training.compiled import forward

    config = XOR.replace(l2=1e-2, skip=True, hidden=(8, 4))
    keras_model = build_model(config)
    trainer = _trainer(config.replace(l2=0.0))
    x = trainer.data.x_train[:64].astype("float32")
    y = trainer._arrays["y_train"][:64]

    def ours(model):
        model.set_weights(keras_model.get_weights())
        kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
        return float(forward(model, trainer._compiled.loss_fn, x, y, tf.constant(1e-2), kernels))

    # Dropout and BatchNorm are off: the training-mode forward pass is deterministic.
    expected = float(forward(keras_model, trainer._compiled.loss_fn, x, y))
    assert trainer.with_model(ours) == pytest.approx(expected, rel=1e-6)


def test_retune_applies_at_the_next_chunk_and_is_marked():
    config = XOR.replace(optimizer="sgd", learning_rate=0.01, epochs=20)
    changed, steady = _trainer(config), _trainer(config)
    list(changed.run(10))
    list(steady.run(10))
    for a, b in zip(_weights(changed), _weights(steady)):
        np.testing.assert_array_equal(a, b)
    changes = changed.retune(config.replace(learning_rate=1.0, l2=1e-3))
    assert changes == {"learning_rate": (0.01, 1.0), "l2": (0.0, 1e-3)}
    assert changed.changes == [(10, changes)]
    list(changed.run(10))
    list(steady.run(10))
    assert changed.with_model(lambda _: float(changed._compiled.base_lr)) == pytest.approx(1.0)
    assert changed.with_model(lambda _: float(changed._compiled.l2)) == pytest.approx(1e-3)
    assert not np.allclose(_weights(changed)[0], _weights(steady)[0])
    with pytest.raises(ValueError):
        changed.retune(config.replace(hidden=(4,)))


def test_interrupt_leaves_a_resumable_run_that_reaches_its_target():
    trainer = _trainer(XOR)
    for record in trainer.run():
        if record.epoch >= 5:
            trainer.interrupt()
    assert trainer.status == "stopped" and trainer.stop_reason == "interrupted" and trainer.resumable
    assert trainer.history[-1].epoch == trainer.epoch < trainer.target
    list(trainer.run(trainer.target - trainer.epoch))
    assert trainer.status == "finished" and trainer.epoch == XOR.epochs
    assert [r.epoch for r in trainer.history] == list(range(XOR.epochs + 1))


def test_stop_after_an_interruption_ended_the_run_keeps_it_stopped():
    """Stop's rerun may end the run (its next drawing call) before Stop's callback reaches
    the trainer: the run must not then go on as an interrupted one."""
    trainer = _trainer(XOR)
    run = trainer.run()
    next(run), next(run)
    run.close()
    assert trainer.resumable
    trainer.stop()
    assert trainer.stop_reason == "stop" and not trainer.resumable


def test_closing_mid_chunk_keeps_every_trained_epoch_in_the_history():
    trainer = _trainer(XOR.replace(epochs=40), snapshots=2)  # chunks up to 20 epochs
    run = trainer.run()
    next(run), next(run)  # epoch 0, then the first record of the first chunk
    run.close()
    assert trainer.status == "stopped" and trainer.stop_reason == "interrupted"
    assert trainer.history[-1].epoch == trainer.epoch >= 1


# ---- early stopping: as keras.callbacks.EarlyStopping -----------------------------------------
def _keras_stop_epoch(val_losses, patience):
    import keras

    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)

    class Holder:
        stop_training = False

    callback.set_model(Holder())
    callback.on_train_begin()
    for epoch, loss in enumerate(val_losses, start=1):
        callback.on_epoch_end(epoch - 1, {"val_loss": loss})
        if callback.model.stop_training:
            return epoch
    return None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_patience_stops_where_keras_early_stopping_would(seed):
    config = XOR.replace(seed=seed, optimizer="sgd", learning_rate=1.0, epochs=300, patience=5)
    stopped = _trainer(config)
    list(stopped.run())
    free = _trainer(config.replace(patience=0))
    list(free.run())
    expected = _keras_stop_epoch([r.val_loss for r in free.history[1:]], patience=5)
    if expected is None:  # Keras would never stop: nor do we
        assert stopped.stop_reason is None and stopped.epoch == config.epochs
        return
    assert stopped.stop_reason == "patience" and stopped.epoch == expected
    assert stopped.status == "stopped" and stopped.history[-1].snapshot is not None


def test_target_loss_stops_at_the_first_epoch_at_or_below_it():
    config = XOR.replace(epochs=300, target_loss=0.2)
    trainer = _trainer(config)
    list(trainer.run())
    assert trainer.stop_reason == "target"
    losses = [r.val_loss for r in trainer.history[1:]]
    assert losses[-1] <= 0.2 and all(v > 0.2 for v in losses[:-1])


# ---- watch, stop, reset -----------------------------------------------------------------------
def test_watching_paces_in_frame_sized_chunks_with_the_same_numbers(monkeypatch):
    from core.training import loop

    monkeypatch.setattr(loop, "WATCH_SECONDS", 1.0)  # 40 epochs/s: 4 epochs a frame
    watched, fast = _trainer(XOR.replace(watch=True)), _trainer(XOR)
    list(watched.run())
    list(fast.run())
    chunks = len({r.seconds for r in watched.history[1:]})
    assert chunks >= XOR.epochs / 4
    np.testing.assert_allclose([r.val_loss for r in watched.history], [r.val_loss for r in fast.history],
                               rtol=1e-4)


def test_stop_ends_within_one_chunk_and_says_why():
    trainer = _trainer(XOR.replace(epochs=300))
    asked = None
    for record in trainer.run():
        if record.epoch >= 30 and asked is None:
            asked = trainer.history[-1].epoch  # what a caller drawing now would show
            trainer.stop()
    assert trainer.stop_reason == "stop" and not trainer.resumable
    assert asked <= trainer.epoch <= asked + trainer.snapshot_every


def test_same_seed_same_initial_weights_changed_seed_different():
    first, second = _trainer(XOR), _trainer(XOR)
    for a, b in zip(_weights(first), _weights(second)):
        np.testing.assert_array_equal(a, b)
    list(first.run(3))  # a run in between, sharing the compiled set, changes nothing for the next
    third = _trainer(XOR)
    for a, b in zip(_weights(second), _weights(third)):
        np.testing.assert_array_equal(a, b)
    other = _trainer(XOR.replace(seed=XOR.seed + 1))
    assert not np.allclose(_weights(other)[0], _weights(second)[0])


def test_fit_loss_is_nan_before_training_and_finite_after():
    trainer = _trainer(XOR.replace(epochs=3, batchnorm=True, dropout=0.2))
    records = list(trainer.run())
    assert math.isnan(records[0].fit_loss)
    assert all(math.isfinite(r.fit_loss) for r in records[1:])
