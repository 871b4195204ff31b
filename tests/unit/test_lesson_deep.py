"""The depth sweep: its optimizer against Keras' Adam, its gradient readout against the Trainer's,
and the lesson itself (deep plain sigmoid fails, skips + BatchNorm train) on the default seed."""

import math

import numpy as np
import pytest

from core.lessons import deep as lesson
from core.lessons.deep import CellResult, SweepSettings


def test_fused_adam_matches_keras_adam():
    """Same model, same gradients: the fused kernel and keras.optimizers.Adam end at the same weights."""
    import keras
    import tensorflow as tf

    from core.models import build_model

    # No BatchNorm: a bias right before BatchNorm has a gradient of pure rounding noise, which
    # Adam scales up to lr-sized steps, so two correct Adams need not agree on it.
    config = SweepSettings().config(3, "skip")
    fused_model, keras_model = build_model(config), build_model(config)
    fused = lesson.FusedAdam(fused_model.trainable_variables, 0.01)
    reference = keras.optimizers.Adam(0.01)
    rng = np.random.default_rng(1)
    loss_fn = keras.losses.BinaryCrossentropy()
    for _ in range(25):
        x = tf.constant(rng.normal(size=(16, 2)), tf.float32)
        y = tf.constant(rng.integers(0, 2, (16, 1)), tf.float32)
        def keras_apply(grads):
            reference.apply_gradients(zip(grads, keras_model.trainable_variables))

        for model, apply in ((fused_model, fused.apply), (keras_model, keras_apply)):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            apply(tape.gradient(loss, model.trainable_variables))
    start = build_model(config).get_weights()
    moved = max(np.abs(a - b).max() for a, b in zip(keras_model.get_weights(), start))
    assert moved > 0.05, "the weights must actually move for the comparison to mean anything"
    for ours, theirs in zip(fused_model.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=2e-5)


def test_init_gradients_match_the_trainer_snapshot():
    """Our readout at initialisation equals the Trainer's epoch-0 snapshot (an independent code path)."""
    import tensorflow as tf

    from core.datasets import split_for
    from core.losses import LOSSES, encode_targets
    from core.models import build_model
    from core.training import Trainer

    config = SweepSettings(activation="sigmoid").config(4, "batchnorm")
    first = next(Trainer(config, snapshots=1, use_xla=False).run())
    data = split_for(config)
    y = encode_targets(data.y_train, data.task, config.loss, data.n_classes)
    ours = lesson.init_gradient_norms(build_model(config), tf.constant(data.x_train), tf.constant(y),
                                      LOSSES[config.loss].keras)
    assert list(ours) == list(first.snapshot.grad_norms)
    for name, value in ours.items():
        assert value == pytest.approx(first.snapshot.grad_norms[name], rel=1e-4)


def test_a_trained_cell_keeps_the_gradients_the_page_shows_at_initialisation():
    """The page draws the gradient chart from the trained cells when it has them all (no
    TensorFlow on opening): each cell's norms must be init_profile's, measured before training."""
    settings = SweepSettings(activation="sigmoid", epochs=10)
    profile = lesson.init_profile(settings, 3)
    for variant in lesson.VARIANTS:
        cell = lesson.train_cell(settings, 3, variant)
        assert list(cell.grad_norms) == list(profile[variant])
        for name, value in profile[variant].items():
            assert cell.grad_norms[name] == pytest.approx(value, rel=1e-6), (variant, name)


def test_plain_sigmoid_gradient_vanishes_and_skips_batchnorm_keep_it():
    profile = lesson.init_profile(SweepSettings(activation="sigmoid"), 16)
    plain, both = profile["plain"], profile["both"]
    # Every sigmoid layer multiplies the gradient by at most 0.25 times a weight: after 15 of them
    # the first layer gets less than a millionth of what the output layer gets.
    assert plain["hidden_1"] < 1e-6 * plain["output"]
    hidden = [v for name, v in both.items() if name.startswith("hidden_")]
    assert min(hidden) > 1e-2 * max(hidden)  # with skips + BatchNorm every layer gets a gradient
    assert both["hidden_1"] > 1e4 * plain["hidden_1"]


def test_deep_plain_sigmoid_is_worse_than_skips_plus_batchnorm():
    """The sweep's headline cell on the default seed (a smaller grid than the page: one depth)."""
    settings = SweepSettings(depths=(16,))
    plain = lesson.train_cell(settings, 16, "plain")
    both = lesson.train_cell(settings, 16, "both")
    chance, guessing_loss = lesson.baseline(settings)
    assert plain.val_accuracy <= chance + 0.05          # barely better than guessing
    assert abs(plain.loss_curve[-1] - guessing_loss) < 0.02  # its loss never left the guessing line
    assert both.val_accuracy >= 0.95
    assert both.loss_curve[-1] < 0.3
    assert both.val_accuracy - plain.val_accuracy > 0.4
    assert len(plain.loss_curve) == settings.epochs + 1 and not plain.diverged


def test_baseline_is_the_class_prior():
    accuracy, loss = lesson.baseline(SweepSettings())
    assert accuracy == pytest.approx(0.5)        # circle is balanced: 200 / 200, stratified split
    assert loss == pytest.approx(math.log(2), abs=1e-6)


def _fake(depth, variant, acc, g1=1e-3):
    return CellResult(depth, variant, [0.7, 0.5], 0.5, acc, 0.5, acc,
                      {"hidden_1": g1, "output": 0.1})


def test_read_out_picks_fewest_layers_within_one_point():
    settings = SweepSettings(depths=(2, 4, 8))
    accs = {(2, "plain"): 0.90, (2, "batchnorm"): 0.93, (2, "skip"): 0.92, (2, "both"): 0.91,
            (4, "plain"): 0.95, (4, "batchnorm"): 0.975, (4, "skip"): 0.96, (4, "both"): 0.96,
            (8, "plain"): 0.50, (8, "batchnorm"): 0.98, (8, "skip"): 0.97, (8, "both"): 0.98}
    results = {cell: _fake(*cell, acc) for cell, acc in accs.items()}
    out = lesson.read_out(settings, results)
    assert out.best_accuracy == 0.98
    assert out.fewest_depth == 4 and out.fewest_variants == ["batchnorm"]  # 0.975 >= 0.98 - 0.01
    assert out.deepest == 8 and out.plain_deep_accuracy == 0.5 and out.both_deep_accuracy == 0.98
    del results[(8, "skip")]
    assert lesson.read_out(settings, results) is None  # incomplete grid: no lesson yet


def test_cell_key_ignores_the_rest_of_the_grid():
    a, b = SweepSettings(depths=(2, 4)), SweepSettings(depths=(4, 32))
    assert a.cell_key(4, "skip") == b.cell_key(4, "skip")
    assert a.cell_key(4, "skip") != SweepSettings(seed=1).cell_key(4, "skip")
    assert [d for d, _ in SweepSettings(depths=(8, 2)).cells()][::4] == [2, 8]
