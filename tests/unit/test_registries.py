"""Core registries checked against independent oracles: Keras itself and TensorFlow autodiff."""

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.losses import LOSSES
from core.optimizers import OPTIMIZERS

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

X = np.linspace(-6, 6, 1201)  # includes 0, the kink of relu-like functions


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_matches_keras(name):
    act = ACTIVATIONS[name]
    expected = keras.activations.get(act.keras_name)(tf.constant(X)).numpy()
    np.testing.assert_allclose(act.fn(X), expected, atol=1e-6)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_matches_autodiff(name):
    act = ACTIVATIONS[name]
    x = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = keras.activations.get(act.keras_name)(x)
    np.testing.assert_allclose(act.derivative(X), tape.gradient(y, x).numpy(), atol=1e-6)


def test_relu_is_dead_for_negatives_and_swish_gelu_are_smooth():
    negatives = X[X < 0]
    assert np.all(ACTIVATIONS["relu"].derivative(negatives) == 0)
    for name in ("swish", "gelu"):
        d = ACTIVATIONS[name].derivative(np.array([-1e-4, 1e-4]))
        assert abs(d[0] - d[1]) < 1e-3  # no jump at 0, unlike relu's 0 -> 1


def _targets_and_predictions(loss_name, rng):
    n, k = 64, 4
    if LOSSES[loss_name].target == "sparse":
        return rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)
    if LOSSES[loss_name].target == "onehot":
        return np.eye(k)[rng.integers(0, k, n)], rng.dirichlet(np.ones(k), n)
    if LOSSES[loss_name].target == "binary":
        return rng.integers(0, 2, (n, 1)).astype(float), rng.uniform(0.001, 0.999, (n, 1))
    return rng.normal(0, 2, (n, 3)), rng.normal(0, 2, (n, 3))


KERAS_FUNCTIONS = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "huber": "huber",
                   "binary_crossentropy": "binary_crossentropy",
                   "categorical_crossentropy": "categorical_crossentropy",
                   "sparse_categorical_crossentropy": "sparse_categorical_crossentropy"}


@pytest.mark.parametrize("name", list(LOSSES))
def test_numpy_loss_matches_keras_per_sample_and_mean(name):
    y, p = _targets_and_predictions(name, np.random.default_rng(1))
    ours = LOSSES[name].numpy(y, p)
    per_sample = getattr(keras.losses, KERAS_FUNCTIONS[name])(tf.constant(y), tf.constant(p)).numpy()
    np.testing.assert_allclose(ours, per_sample, rtol=1e-5, atol=1e-6)
    mean = float(LOSSES[name].keras(tf.constant(y, tf.float32), tf.constant(p, tf.float32)))
    assert mean == pytest.approx(float(np.mean(ours)), rel=1e-4)


# Textbook updates on f(w) = 0.5 * w^T A w (gradient A w), written from the papers / Keras docs.
A = np.diag([1.0, 10.0])
W0 = np.array([1.0, -2.0])


def _textbook(name, lr, steps):
    w = W0.copy()
    m = np.zeros(2)
    v = np.zeros(2)
    acc = np.full(2, 0.1)  # Keras Adagrad's initial accumulator
    b1, b2, eps = 0.9, 0.999, 1e-7
    out = []
    for t in range(1, steps + 1):
        g = A @ w
        if name == "sgd":
            w = w - lr * g
        elif name in ("momentum", "nesterov"):
            m = 0.9 * m - lr * g  # velocity
            w = w + (0.9 * m - lr * g if name == "nesterov" else m)
        elif name == "adagrad":
            acc = acc + g * g
            w = w - lr * g / np.sqrt(acc + eps)
        elif name == "rmsprop":
            v = 0.9 * v + 0.1 * g * g
            w = w - lr * g / np.sqrt(v + eps)
        elif name in ("adam", "adamw"):
            if name == "adamw":
                w = w - lr * 0.004 * w  # decoupled weight decay, applied before the Adam step
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        elif name == "nadam":
            if t > 1:
                return out  # Nadam's momentum schedule: first step only
            u1, u2 = b1 * (1 - 0.5 * 0.96**1), b1 * (1 - 0.5 * 0.96**2)
            m = (1 - b1) * g
            v = (1 - b2) * g * g
            m_hat = u2 * m / (1 - u1 * u2) + (1 - u1) * g / (1 - u1)
            w = w - lr * m_hat / (np.sqrt(v / (1 - b2)) + eps)
        out.append(w.copy())
    return out


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_match_textbook(name):
    lr = 0.05
    expected = _textbook(name, lr, steps=3)
    var = tf.Variable(W0.astype("float32"))
    opt = OPTIMIZERS[name].make(lr)
    for want in expected:
        grad = tf.constant((A @ var.numpy()).astype("float32"))
        opt.apply_gradients([(grad, var)])
        np.testing.assert_allclose(var.numpy(), want, rtol=1e-4, atol=1e-6)


def test_optimizer_factory_gives_fresh_state():
    a, b = OPTIMIZERS["adam"].make(0.1), OPTIMIZERS["adam"].make(0.1)
    assert a is not b
