"""/deep: the first layer of a deep plain sigmoid network gets a tiny gradient, not a zero one.

The page once said "in float32 it is exactly 0: the product of 32 layers underflowed" because
`tf.norm` squared entries of ~1e-23. The oracle here is a float64 NumPy backward pass through
the same weights (sigmoid layers, sigmoid output, binary cross-entropy: closed forms)."""

import numpy as np
import pytest

from core.lessons import deep
from tests.claims.conftest import SEEDS

DEPTH = 32


def float64_kernel_norms(model, x, y) -> list[float]:
    """‖∂BCE/∂W‖ of every Dense kernel, backpropagated by hand in float64."""
    layers = [model.get_layer(f"hidden_{i}") for i in range(1, DEPTH + 1)] + [model.get_layer("output")]
    params = [(np.float64(l.kernel.numpy()), np.float64(l.bias.numpy())) for l in layers]
    inputs, h = [], np.float64(x)
    for kernel, bias in params:
        inputs.append(h)
        h = 1.0 / (1.0 + np.exp(-(h @ kernel + bias)))  # (n, width), sigmoid everywhere
    delta = (h - np.float64(y)) / len(x)  # d mean BCE / d output logit
    norms = []
    for (kernel, _), h_in in zip(reversed(params), reversed(inputs)):
        norms.append(np.linalg.norm(h_in.T @ delta))
        delta = (delta @ kernel.T) * h_in * (1.0 - h_in)  # through the previous sigmoid
    return norms[::-1]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_first_layer_gradient_is_tiny_not_zero(seed):
    import tensorflow as tf

    from core.datasets import make_split
    from core.losses import LOSSES, encode_targets
    from core.models import build_model

    settings = deep.SweepSettings(seed=seed)
    config = settings.config(DEPTH, "plain")
    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split,
                      config.seed, config.features)
    x = data.x_train[:deep.GRAD_PROBE_SIZE]
    y = encode_targets(data.y_train, data.task, config.loss, data.n_classes)[:deep.GRAD_PROBE_SIZE]
    model = build_model(config)
    measured = deep.init_gradient_norms(model, tf.constant(x), tf.constant(y), LOSSES[config.loss].keras)
    expected = float64_kernel_norms(model, x, y)
    assert expected[0] > 0
    np.testing.assert_allclose(list(measured.values()), expected, rtol=2e-3)
    # And the page's sentence follows the measurement: never "exactly 0" for a non-zero norm.
    readout = deep.Readout(1.0, 2, ["skip"], DEPTH, 0.5, 1.0, measured["hidden_1"], measured["output"],
                           1e-3, max(measured.values()))
    assert readout.gradient_story == "vanishing"
    assert readout.plain_shrink == pytest.approx(expected[-1] / expected[0], rel=5e-3)


def test_scaled_norm_matches_float64_for_tiny_and_zero_tensors():
    import tensorflow as tf

    from core.models import scaled_norm

    rng = np.random.default_rng(0)
    for scale in (1e-23, 1e-30, 1.0, 1e20):
        values = rng.normal(size=(13, 16)) * scale
        got = float(scaled_norm(tf.constant(values, tf.float32)))
        assert got == pytest.approx(np.linalg.norm(np.float32(values).astype(np.float64)), rel=1e-5)
    assert float(tf.norm(tf.constant(values * 1e-43, tf.float32))) == 0  # why scaled_norm exists
    assert float(scaled_norm(tf.zeros((3, 4)))) == 0.0
