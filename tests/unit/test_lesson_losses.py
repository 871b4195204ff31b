"""The losses lesson against independent oracles: textbook formulas in NumPy, SciPy's optimizer,
an SGD simulated with closed-form gradients, and float32 arithmetic done by NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from core.lessons import losses as lesson
from core.config import ExperimentConfig
from core.losses import LOSSES


def test_binary_crossentropy_equals_two_column_categorical():
    for seed in range(4):
        t = lesson.bce_vs_two_column_cce(n=12, seed=seed)
        assert t.max_diff < 1e-6
        assert t.first_mean == pytest.approx(t.second_mean, abs=1e-6)
        textbook = -(t.y * np.log(t.probs) + (1 - t.y) * np.log(1 - t.probs))
        np.testing.assert_allclose(t.first, textbook, rtol=1e-5)
        # With two complementary columns, BCE over the columns is the same number again.
        assert t.bce_on_columns == pytest.approx(t.first_mean, abs=1e-6)


@pytest.mark.parametrize("k", [3, 5, 8])
def test_sparse_equals_one_hot_but_not_columnwise_bce(k):
    t = lesson.sparse_vs_onehot(n=10, n_classes=k, seed=1)
    assert t.max_diff < 1e-6
    np.testing.assert_allclose(t.first, -np.log(t.probs[np.arange(10), t.y]), rtol=1e-5)
    assert abs(t.bce_on_columns - t.second_mean) > 0.05  # "the same thing" only for two classes


@pytest.mark.parametrize("y", [0, 1])
def test_sigmoid_gradients_match_the_chain_rule(y):
    s = lesson.binary_sweep(y)
    np.testing.assert_allclose(s.grad_mse, s.closed_grad_mse, atol=1e-6)
    np.testing.assert_allclose(s.grad_bce, s.closed_grad_bce, atol=1e-5)
    np.testing.assert_allclose(s.mse, (s.probs - y) ** 2, atol=1e-6)


def test_mse_gradient_vanishes_when_confidently_wrong():
    _, (mse,), (bce,), (g_mse,), (g_bce,) = lesson.sigmoid_losses(1, [lesson.logit(0.01)])
    assert mse == pytest.approx(0.99**2, rel=1e-5)
    assert bce == pytest.approx(-np.log(0.01), rel=1e-5)
    assert abs(g_mse) == pytest.approx(2 * 0.99 * 0.01 * 0.99, rel=1e-4)
    assert abs(g_bce) == pytest.approx(0.99, rel=1e-5)
    assert abs(g_bce) > 40 * abs(g_mse)


def test_fix_race_follows_a_hand_written_sgd():
    race = lesson.fix_race(1, 0.01, learning_rate=1.0, steps=200)
    closed_forms = {"mse": lambda p: 2 * (p - 1) * p * (1 - p), "binary_crossentropy": lambda p: p - 1}
    for name, grad in closed_forms.items():
        z = lesson.logit(0.01)
        expected = [1 / (1 + np.exp(-z))]
        for _ in range(200):
            p = 1 / (1 + np.exp(-z))
            z -= 1.0 * grad(p)
            expected.append(1 / (1 + np.exp(-z)))
        np.testing.assert_allclose(race.probs[name], expected, atol=2e-4)
    assert race.steps_to_fix["binary_crossentropy"] < race.steps_to_fix["mse"]


def test_robust_fits_match_scipy_and_resist_the_outlier():
    fit = lesson.robust_fit(8.0)
    for name in lesson.REGRESSION_LOSSES:
        target = minimize(lambda wb: LOSSES[name].numpy(fit.y[None, :], (wb[0] * fit.x + wb[1])[None, :])[0],
                          [0.0, 0.0], method="Nelder-Mead", options=dict(xatol=1e-9, fatol=1e-12)).x
        assert fit.lines[name] == pytest.approx(tuple(target), abs=3e-3)
    assert fit.lines["mse"] == pytest.approx(tuple(np.polyfit(fit.x, fit.y, 1)), abs=1e-3)
    assert abs(fit.shift("mae")) < abs(fit.shift("huber")) < abs(fit.shift("mse"))
    assert fit.outlier_pull["mae"] == pytest.approx(1.0)
    assert fit.outlier_pull["mse"] > fit.outlier_pull["huber"] > 1.0


def test_line_fitter_is_reset_between_calls():
    first = lesson.robust_fit(-5.0).lines
    lesson.robust_fit(11.0)
    assert lesson.robust_fit(-5.0).lines == first


def test_magnitudes_span_eighteen_orders_and_count_parameters_right():
    points = lesson.magnitudes()
    values = np.array([p.value for p in points])
    assert (values > 0).all() and values.max() / values.min() > 1e17
    params = [p.value for p in points if p.group == "parameters"]
    for hidden, count in zip(lesson.MLP_SHAPES, params):
        widths = [2, *hidden, 1]  # two inputs, one output
        assert count == sum((a + 1) * b for a, b in zip(widths, widths[1:]))
        assert count == ExperimentConfig(hidden=hidden).count_params()


def test_zoom_counts():
    counts = lesson.zoom_counts([1e-9, 1e-3, 0.5, 2.0, 1e6], upper=1.0)
    assert counts == {"visible": 1, "squashed": 2, "off_chart": 2, "total": 5}


def test_the_product_of_probabilities_underflows_and_the_log_sum_does_not():
    u = lesson.underflow(2000, 0.9)
    assert u.zero_at is not None and u.product32[-1] == 0.0
    # NumPy's own float32 product (an oracle outside TensorFlow) underflows as well: it sinks
    # into the subnormal range, where rounding leaves it stuck tens of orders of magnitude away
    # from the true value (TensorFlow flushes subnormals straight to 0 instead).
    running = np.float32(1.0)
    for p in u.probs:
        running = np.float32(running * p)
    assert running < np.finfo(np.float32).tiny
    assert np.log(float(running)) - u.sum_log64[-1] > 40 * np.log(10)  # ~48 decades off
    assert np.isfinite(u.sum_log32).all()
    np.testing.assert_allclose(u.sum_log32, u.sum_log64, rtol=1e-5)
    assert u.keras_bce == pytest.approx(-np.mean(np.log(u.probs.astype(float))), rel=1e-4)
    assert lesson.underflow(50, 0.9).zero_at is None
