"""The optimizers lesson against independent oracles: each Keras optimizer's first steps on a
quadratic vs the textbook update written out in NumPy, fresh optimizers vs the reused runners,
and full-batch gradient descent on the diabetes data vs least squares."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.lessons import optimizers as lesson
from core.optimizers import OPTIMIZERS

# The bowl is 0.5 wᵀHw with H = Rᵀ diag(0.5, 20) R (R a 30° rotation), so its gradient is Hw.
_C, _S = math.cos(math.radians(30)), math.sin(math.radians(30))
_R = np.array([[_C, _S], [-_S, _C]])
H = _R.T @ np.diag([0.5, 20.0]) @ _R
START = np.array([-2.6, -0.5])
LR, STEPS, EPS = 0.02, 6, 1e-7


def textbook(name: str, steps: int = STEPS, lr: float = LR) -> np.ndarray:
    """The update rules as the papers (and Keras' docs) state them, in float64."""
    w = START.copy()
    out = [w.copy()]
    m = np.zeros(2)
    v = np.zeros(2)
    acc = np.full(2, 0.1)  # Adagrad's initial accumulator (Keras' default)
    b1, b2 = 0.9, 0.999
    mu = lambda t: b1 * (1 - 0.5 * 0.96**t)  # noqa: E731  Nadam's momentum schedule (Dozat)
    mu_prod = 1.0
    for t in range(1, steps + 1):
        g = H @ w
        if name == "sgd":
            w = w - lr * g
        elif name == "momentum":
            m = 0.9 * m - lr * g
            w = w + m
        elif name == "nesterov":
            m = 0.9 * m - lr * g
            w = w + 0.9 * m - lr * g
        elif name == "adagrad":
            acc = acc + g * g
            w = w - lr * g / np.sqrt(acc)
        elif name == "rmsprop":
            v = 0.9 * v + 0.1 * g * g
            w = w - lr * g / (np.sqrt(v) + EPS)
        elif name in ("adam", "adamw"):
            if name == "adamw":  # decoupled weight decay (Loshchilov & Hutter), on the old w
                w = w - lr * 0.004 * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + EPS)
        elif name == "nadam":
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            mu_prod_t = mu_prod * mu(t)
            m_hat = mu(t + 1) * m / (1 - mu_prod_t * mu(t + 1)) + (1 - mu(t)) * g / (1 - mu_prod_t)
            mu_prod = mu_prod_t
            w = w - lr * m_hat / (np.sqrt(v / (1 - b2**t)) + EPS)
        out.append(w.copy())
    return np.array(out)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_first_steps_match_the_textbook_update(name):
    run = lesson.run_trajectory("bowl", name, LR, STEPS, tuple(START), momentum=0.9)
    np.testing.assert_allclose(run.points, textbook(name), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(run.grads[0], H @ START, rtol=1e-5)


@pytest.mark.parametrize("name", ["adagrad", "adam", "momentum"])
def test_reused_runner_equals_a_fresh_optimizer(name):
    """Runners are reset, not rebuilt; a brand-new optimizer in an eager loop is the oracle."""
    import tensorflow as tf

    lesson.run_trajectory("rosenbrock", name, 0.003, 40, (-1.0, 2.0), 0.8)  # dirty the runner first
    run = lesson.run_trajectory("rosenbrock", name, 0.001, 25, (-1.2, 1.0), 0.8)
    w = tf.Variable([-1.2, 1.0])
    opt = OPTIMIZERS[name].make(0.001, **lesson.optimizer_hyper(name, 0.8))
    points = [w.numpy().copy()]
    for _ in range(25):
        with tf.GradientTape() as tape:
            loss = lesson.rosenbrock(w[0], w[1])
        opt.apply_gradients([(tape.gradient(loss, w), w)])
        points.append(w.numpy().copy())
    np.testing.assert_allclose(run.points, np.array(points), rtol=1e-5, atol=1e-6)


def test_a_step_is_a_vector_and_sgd_follows_the_gradient():
    run = lesson.run_trajectory("bowl", "sgd", 0.05, 10, (-2.0, 1.0))
    for t in range(10):
        s = run.step(t)
        assert s["angle"] == pytest.approx(0.0, abs=0.1)
        assert s["length"] == pytest.approx(s["plain_length"], rel=1e-5)
        assert [s["dw1"], s["dw2"]] == pytest.approx(list(run.points[t + 1] - run.points[t]))
    adam = lesson.run_trajectory("bowl", "adam", 0.05, 10, (-2.0, 1.0)).step(0)
    # Adam's first step moves every coordinate by the learning rate, whatever the gradient's size.
    assert adam["length"] == pytest.approx(0.05 * math.sqrt(2), rel=1e-3)


def test_divergence_is_detected_and_cut():
    run = lesson.run_trajectory("rosenbrock", "sgd", 0.1, 50, (-1.2, 1.0))
    assert run.diverged_at is not None and run.diverged_at < 50
    assert len(run.points) == run.diverged_at + 1 and len(run.grads) == run.diverged_at


def test_noisy_surface_uses_mini_batch_gradients():
    run = lesson.run_trajectory("noisy", "sgd", 0.05, 30, (-2.6, -0.5))
    full = np.array([H @ p for p in run.points[:-1]])  # the centres have mean 0: full gradient is Hw
    noise = np.linalg.norm(run.grads - full, axis=1)
    assert noise.min() > 1e-3  # every step is a noisy estimate ...
    assert np.linalg.norm((run.grads - full).mean(axis=0)) < noise.mean()  # ... around the true one
    c = lesson.noisy_centres()
    w = run.points[-1]
    assert run.losses[-1] == pytest.approx(np.mean([lesson.bowl(*(w - ci)) for ci in c]), rel=1e-4)


def test_surface_minima_and_floors():
    assert lesson.lowest_value("bowl") == 0.0
    assert lesson.lowest_value("rosenbrock") == 0.0
    assert lesson.lowest_value("saddle") == pytest.approx(-0.25)
    assert lesson.lowest_value("himmelblau") == pytest.approx(0.0, abs=1e-9)
    for name, surface in lesson.SURFACES.items():
        for x, y in surface.minima:  # the gradient vanishes at every listed minimum
            h = 1e-5
            gx = (lesson.surface_value(name, x + h, y) - lesson.surface_value(name, x - h, y)) / (2 * h)
            gy = (lesson.surface_value(name, x, y + h) - lesson.surface_value(name, x, y - h)) / (2 * h)
            assert abs(gx) < 1e-3 and abs(gy) < 1e-3, (name, x, y)


def test_full_batch_is_gradient_descent_on_the_mse():
    x, y = lesson.diabetes()
    assert x.mean(axis=0) == pytest.approx(np.zeros(10), abs=1e-5)
    run = lesson.run_batches(442, 3, 0.05)
    assert run.steps == 3 and run.steps_per_epoch == 1
    w, b = np.zeros(10), 0.0
    expected = [np.mean((x @ w + b - y) ** 2)]
    for _ in range(3):
        r = x @ w + b - y
        w, b = w - 0.05 * 2 * x.T @ r / len(y), b - 0.05 * 2 * r.mean()
        expected.append(np.mean((x @ w + b - y) ** 2))
    np.testing.assert_allclose(run.losses, expected, rtol=1e-5)


def test_batch_sizes_count_steps_and_beat_full_batch_per_epoch():
    sgd, mini, full = (lesson.run_batches(bs, 2, 0.01) for bs in (1, 32, 442))
    assert (sgd.steps, mini.steps, full.steps) == (884, 2 * 14, 2)
    assert mini.loss_after_epoch(1) < full.loss_after_epoch(1)
    assert sgd.up_share > mini.up_share >= full.up_share == 0.0
    floor = lesson.least_squares_loss()
    assert min(sgd.losses.min(), mini.losses.min()) >= floor - 1e-6
