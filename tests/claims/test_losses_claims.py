"""/losses: the regression lines with and without the outlier, and where a float32 product of
probabilities underflows. Oracles: least squares in closed form, MAE as a linear programme,
Huber by SciPy, IEEE float32 products in NumPy scalars."""

import numpy as np
import pytest
from scipy.optimize import linprog, minimize

from core.lessons import losses as lesson
from tests.claims.conftest import SEEDS


def l1_line(x, y) -> tuple[float, float]:
    """min Σ|y - w x - b| as a linear programme over (w, b, t_1..t_n), t_i >= |residual_i|."""
    n = len(x)
    cost = np.r_[0.0, 0.0, np.ones(n)]
    rows = np.block([[-x[:, None], -np.ones((n, 1)), -np.eye(n)],
                     [x[:, None], np.ones((n, 1)), -np.eye(n)]])
    bounds = [(None, None)] * 2 + [(0, None)] * n
    w, b = linprog(cost, A_ub=rows, b_ub=np.r_[-y, y], bounds=bounds).x[:2]
    return float(w), float(b)


def huber_line(x, y) -> tuple[float, float]:
    def loss(wb):
        r = np.abs(y - wb[0] * x - wb[1])
        return np.mean(np.where(r <= 1, 0.5 * r ** 2, r - 0.5))
    return tuple(minimize(loss, np.polyfit(x, y, 1), method="Nelder-Mead",
                          options=dict(xatol=1e-10, fatol=1e-14)).x)


def oracle_lines(x, y) -> dict[str, tuple[float, float]]:
    return {"mse": tuple(np.polyfit(x, y, 1)), "mae": l1_line(x, y), "huber": huber_line(x, y)}


def at(line, x) -> float:
    return line[0] * x + line[1]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_drag_and_on_line_agreement_match_independent_fits(seed):
    fit = lesson.robust_fit(8.0, seed=seed)
    on_line_y = fit.y.copy()
    on_line_y[-1] = at(fit.clean_line, fit.x[-1])
    with_outlier, reference = oracle_lines(fit.x, fit.y), oracle_lines(fit.x, on_line_y)
    x_end = fit.x[-1]
    for name in lesson.REGRESSION_LOSSES:
        # Each loss's drag is measured against the same loss's fit without an outlier.
        expected = at(with_outlier[name], x_end) - at(reference[name], x_end)
        assert fit.shift(name) == pytest.approx(expected, abs=0.02), name
    # The sentence chosen matches the oracle's relation between the lines.
    ends = np.array([fit.x.min(), fit.x.max()])
    gap = lambda a, b: np.abs(at(reference[a], ends) - at(reference[b], ends)).max()  # noqa: E731
    outcome = fit.agreement()
    assert (outcome == "all") == (max(gap("mse", "mae"), gap("mse", "huber")) <= lesson.AGREE_TOLERANCE)
    assert (outcome != "none") == (gap("mse", "huber") <= lesson.AGREE_TOLERANCE)
    text = lesson.on_line_sentence(fit, "en")
    assert ("all three losses fit the same line" in text) == (outcome == "all")


@pytest.mark.parametrize("seed", SEEDS)
def test_tensorflow_flushes_the_product_where_ieee_float32_turns_subnormal(seed):
    u = lesson.underflow(1000, 0.9, seed=seed)
    running, ieee, first_subnormal = np.float32(1.0), [], None
    for i, p in enumerate(u.probs, start=1):
        running = np.float32(running * p)  # IEEE float32, one rounding per step
        ieee.append(running)
        if first_subnormal is None and running < np.finfo(np.float32).tiny:
            first_subnormal = i
    np.testing.assert_array_equal(u.product_ieee, np.array(ieee, np.float32))
    # TensorFlow's product is 0 exactly where IEEE float32 would go subnormal: flush to zero.
    assert u.zero_at == first_subnormal == u.subnormal_at
    text = lesson.underflow_sentence(u, "en")
    assert f"exactly 0 from n = {u.zero_at}" in text
    true_log10 = np.sum(np.log(u.probs.astype(np.float64))) / np.log(10)
    if ieee[-1] > 0:
        assert "not 0" in text and f"{float(ieee[-1]):.3g}" in text
        close = abs(np.log10(float(ieee[-1])) - true_log10) <= 1
        assert ("within a factor of 10" in text) == close
    else:
        assert "reaches exactly 0" in text
