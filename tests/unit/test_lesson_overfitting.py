"""Overfitting on measured numbers with a fixed seed: 100 % first, the gap grows with noise and
shrinks with regularization, early stopping follows Keras' rule, BatchNorm needs batches."""

import math

import numpy as np
import pytest

from core.lessons import overfitting as lesson


@pytest.fixture(scope="module")
def noise_runs():
    return [lesson.train_run(c) for c in lesson.noise_configs("moons", 100, 0)]


def test_big_model_fits_clean_data_to_100_percent(noise_runs):
    clean = noise_runs[0]
    assert clean.config.noise == 0 and clean.first_perfect_epoch is not None
    assert clean.final_train_acc == 1.0


def test_linear_model_cannot_fit_two_moons():
    linear = lesson.train_run(lesson.capacity_configs("moons", 100, 0)[0])
    assert linear.config.hidden == () and linear.first_perfect_epoch is None
    assert max(linear.train_acc) < 0.95


def test_gap_grows_with_noise(noise_runs):
    gaps = [r.gap for r in noise_runs]
    assert gaps[0] <= 0.02
    assert gaps[0] < gaps[1] < gaps[2]
    assert gaps[2] >= 0.1
    assert all(r.final_train_acc >= 0.98 for r in noise_runs)  # it memorises every time
    losses = [r.final_val_loss for r in noise_runs]
    assert losses[0] < losses[1] < losses[2]


def test_regularization_shrinks_the_gap(noise_runs):
    baseline = noise_runs[-1]
    assert baseline.config == lesson.regularized_config("moons", 100, 0)
    l2 = lesson.train_run(lesson.regularized_config("moons", 100, 0, l2=1e-2))
    early = lesson.train_run(lesson.regularized_config("moons", 100, 0), patience=30)
    for run in (l2, early):
        assert run.gap < baseline.gap - 0.05
        assert run.final_val_loss < 0.5 * baseline.final_val_loss
    assert early.stopped_epoch is not None and early.best_epoch < early.stopped_epoch
    assert early.stopped_epoch - early.best_epoch == 30  # stopped after `patience` epochs without a new best
    assert early.epochs[-1] == early.stopped_epoch


def test_early_stopping_matches_keras():
    """Feed the same validation losses to Keras' EarlyStopping and to ours."""
    import keras

    rng = np.random.default_rng(3)
    losses = list(1.0 / np.arange(1, 40) + rng.normal(0, 0.02, 39)) + list(np.linspace(0.1, 0.5, 60))
    for patience in (1, 5, 12):
        reference = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)

        class Stub:
            stop_training = False

        reference.set_model(Stub())
        reference.on_train_begin()
        ours = lesson.EarlyStopping(patience)
        for keras_epoch, loss in enumerate(losses):
            reference.on_epoch_end(keras_epoch, {"val_loss": float(loss)})
            stop = ours.update(keras_epoch + 1, float(loss))
            assert stop == reference.model.stop_training
            if stop:
                break
        assert ours.stopped_epoch == reference.stopped_epoch + 1
        assert ours.best_epoch == reference.best_epoch + 1
        assert ours.best == pytest.approx(reference.best)


def test_batchnorm_with_one_example_blocks_the_gradient():
    config = lesson.base_config("moons", 100, 0.2, batchnorm=True, batch_size=1)
    assert lesson.first_layer_gradient(config, 1) == 0.0
    assert lesson.first_layer_gradient(config, 8) > 1e-3
    assert lesson.first_layer_gradient(config.replace(batchnorm=False), 1) > 1e-3


def test_batchnorm_breaks_batch_size_one():
    configs = {(c.batch_size, c.batchnorm): c for c in lesson.batchnorm_configs("moons", 100, 0)}
    one_bn, one = lesson.train_run(configs[(1, True)]), lesson.train_run(configs[(1, False)])
    chance = lesson.chance_accuracy(configs[(1, True)])
    assert one.final_val_acc >= 0.85
    assert one_bn.final_val_acc <= chance + 0.1
    assert math.isfinite(one_bn.final_val_loss)
