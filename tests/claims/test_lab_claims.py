"""The Training Lab's labels and its gradient sentence, on the deep sigmoid network of the
lesson (circle, 16 layers of 8, sigmoid), over several seeds.

* "both curves are evaluated in inference mode": the Trainer's training loss equals the loss of
  the model's inference-mode predictions on the whole training set (recomputed here with Keras'
  stateless call, BatchNorm's running statistics), and differs from the training-mode loss.
* "turn on BatchNorm or skip connections and the first layers' norms rise by many orders of
  magnitude": hidden_1's gradient relative to the output layer's, at initialisation."""

import numpy as np
import pytest

from core.config import ExperimentConfig
from tests.claims.conftest import SEEDS


def lesson_config(seed: int, **changes) -> ExperimentConfig:
    return ExperimentConfig(dataset="circle", hidden=(8,) * 16, activation="sigmoid", seed=seed,
                            **changes).validate()


def losses_in_both_modes(model, data, loss_fn) -> tuple[float, float]:
    from core.losses import encode_targets

    x = data.x_train.astype("float32")
    y = encode_targets(data.y_train, data.task, "binary_crossentropy", data.n_classes)
    trainable = [v.value for v in model.trainable_variables]
    fixed = [v.value for v in model.non_trainable_variables]
    inference = model.stateless_call(trainable, fixed, x, training=False)[0]
    training = model.stateless_call(trainable, fixed, x, training=True)[0]  # batch statistics
    return float(loss_fn(y, inference)), float(loss_fn(y, training))


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_the_labs_training_loss_is_measured_in_inference_mode(seed):
    from core.losses import LOSSES
    from core.training import Trainer

    config = lesson_config(seed, batchnorm=True, epochs=3)
    trainer = Trainer(config, snapshots=1, probe_size=10, grid_size=2, use_xla=False)
    last = None
    for last in trainer.run():
        pass
    inference, training = trainer.with_model(
        lambda model: losses_in_both_modes(model, trainer.data, LOSSES[config.loss].keras))
    assert last.train_loss == pytest.approx(inference, rel=1e-4)
    assert abs(training - inference) > 0.01 * inference  # so the label matters with BatchNorm


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_and_skips_lift_the_first_layers_gradient(seed):
    import tensorflow as tf

    from core.datasets import make_split
    from core.losses import LOSSES, encode_targets
    from core.models import build_model, kernel_gradient_norms

    ratio = {}
    for name, changes in (("plain", {}), ("bn", {"batchnorm": True}), ("skip", {"skip": True})):
        config = lesson_config(seed, **changes)
        data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                          config.features)
        y = encode_targets(data.y_train, data.task, config.loss, data.n_classes)
        norms = kernel_gradient_norms(build_model(config), LOSSES[config.loss].keras,
                                      tf.constant(data.x_train), tf.constant(y)).numpy()
        ratio[name] = norms[0] / norms[-1]  # hidden_1 relative to the output layer
    assert ratio["plain"] < 1e-6  # vanishing: "sink by orders of magnitude"
    assert ratio["bn"] > 1e6 * ratio["plain"] and ratio["skip"] > 1e6 * ratio["plain"]
    assert np.isfinite(list(ratio.values())).all()
