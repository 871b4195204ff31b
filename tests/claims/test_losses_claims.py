"""/losses: the regression lines with and without the outlier, and where a float32 product of
probabilities underflows, each over five draws of the data. Oracles: least squares in closed
form, MAE as a linear programme, Huber by SciPy, the losses' gradients in closed form, IEEE
float32 products in NumPy scalars and log-sums in float64.

Audit of the page's other parts: the sigmoid curves, their gradients and the "fix race" are
deterministic (no seed: one logit, plain SGD); the two cross-entropy tables are identities that
hold for any draw (tests/unit/test_lesson_losses.py); the log-scale magnitudes are fixed."""

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


@pytest.fixture(scope="module")
def draws():
    return lesson.on_line_fits(SEEDS)


def _reference_outcome(x, y_on_line) -> tuple[str, float]:
    reference = oracle_lines(x, y_on_line)
    ends = np.array([x.min(), x.max()])
    gap = lambda a, b: float(np.abs(at(reference[a], ends) - at(reference[b], ends)).max())  # noqa: E731
    gaps = {pair: gap(*pair) for pair in (("mse", "mae"), ("mse", "huber"), ("mae", "huber"))}
    if max(gaps.values()) <= lesson.AGREE_TOLERANCE:
        return "all", max(gaps.values())
    return ("mse_huber" if gaps[("mse", "huber")] <= lesson.AGREE_TOLERANCE else "none"), max(gaps.values())


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_drag_and_on_line_agreement_match_independent_fits(seed, draws):
    fit = lesson.robust_fit(8.0, seed=seed)
    on_line_y = fit.y.copy()
    on_line_y[-1] = at(fit.clean_line, fit.x[-1])
    with_outlier, reference = oracle_lines(fit.x, fit.y), oracle_lines(fit.x, on_line_y)
    x_end = fit.x[-1]
    for name in lesson.REGRESSION_LOSSES:
        # Each loss's drag is measured against the same loss's fit without an outlier.
        expected = at(with_outlier[name], x_end) - at(reference[name], x_end)
        assert fit.shift(name) == pytest.approx(expected, abs=0.02), name
    outcome, _ = _reference_outcome(fit.x, on_line_y)
    assert fit.agreement() == outcome
    text = lesson.on_line_sentence(fit, "en", draws)
    assert ("all three losses fit the same line" in text) == (outcome == "all")


@pytest.mark.slow
def test_on_line_sentence_holds_in_every_draw_of_the_noise(draws):
    """The page shows seed 0 and says whether its relation between the lines holds in all five
    draws: recomputed with the independent fits for each draw."""
    outcomes = []
    for seed in SEEDS:
        x, y = lesson.regression_data(0.0, seed=seed)
        clean = np.polyfit(x[:-1], y[:-1], 1)
        y[-1] = at(clean, x[-1])
        outcomes.append(_reference_outcome(x, y)[0])
    assert [d.agreement() for d in draws] == outcomes
    for seed, d in zip(SEEDS, draws):
        x, y = lesson.regression_data(0.0, seed=seed)
        y[-1] = at(d.clean_line, x[-1])
        reference = oracle_lines(x, y)
        for name in ("mse", "huber"):  # unique optima: the same line
            assert d.on_line[name] == pytest.approx(reference[name], abs=5e-3), (seed, name)
        # MAE's optimum need not be unique (a linear programme's optimal edge): the line found
        # is checked to be *an* optimum, so the gap on screen is a gap to an MAE line.
        l1 = lambda line: float(np.abs(y - at(line, x)).sum())  # noqa: E731
        assert l1(d.on_line["mae"]) <= l1(reference["mae"]) * (1 + 1e-3) + 1e-6, seed
    gaps = [max(d.on_line_gaps().values()) for d in draws]
    assert f"{min(gaps):.3f}–{max(gaps):.3f} apart" in lesson.on_line_sentence(draws[0], "en", draws)
    for lang in ("en", "ko"):
        text = lesson.on_line_sentence(draws[0], lang, draws)
        same = set(outcomes) == {outcomes[0]}
        marker = "The same holds in each of 5 draws" if lang == "en" else "5번 새로 뽑아도"
        assert (marker in text) == same
        if not same and lang == "en":
            assert f"only MSE and Huber in {outcomes.count('mse_huber')}" in text


def _closed_form_pull(name: str, residuals: np.ndarray) -> float:
    """|d loss / d y_hat| of the outlier over the median of the others' (Huber's delta = 1)."""
    g = {"mse": 2 * np.abs(residuals), "mae": np.ones_like(residuals),
         "huber": np.minimum(np.abs(residuals), 1.0)}[name]
    return float(g[-1] / np.median(g[:-1]))


@pytest.mark.slow
@pytest.mark.parametrize("outlier", [8.0, -8.0])
def test_the_outlier_drags_mse_most_and_mae_least_in_every_draw(outlier):
    """What the notice's "why" implies at the default outlier: MSE's line is dragged furthest and
    the outlier pulls hardest on it, Huber's pull is capped, MAE's is one vote, in all 5 draws."""
    for seed in SEEDS:
        fit = lesson.robust_fit(outlier, seed=seed)
        drags = {n: abs(at(oracle_lines(fit.x, fit.y)[n], fit.x[-1]) - at(
            oracle_lines(fit.x, np.r_[fit.y[:-1], at(fit.clean_line, fit.x[-1])])[n], fit.x[-1]))
            for n in lesson.REGRESSION_LOSSES}
        assert drags["mse"] > drags["huber"] > drags["mae"], (seed, drags)
        for name in lesson.REGRESSION_LOSSES:
            residuals = fit.y - at(fit.lines[name], fit.x)
            assert fit.outlier_pull[name] == pytest.approx(_closed_form_pull(name, residuals), rel=1e-3)
        assert fit.outlier_pull["mse"] > fit.outlier_pull["huber"] > fit.outlier_pull["mae"] == pytest.approx(1.0)


def _ieee_product(probs) -> list:
    running, out = np.float32(1.0), []
    for p in probs:
        running = np.float32(running * p)  # IEEE float32, one rounding per step
        out.append(running)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_tensorflow_flushes_the_product_where_ieee_float32_turns_subnormal(seed):
    u = lesson.underflow(1000, 0.9, seed=seed)
    ieee = _ieee_product(u.probs)
    first_subnormal = next((i for i, v in enumerate(ieee, start=1) if v < np.finfo(np.float32).tiny), None)
    np.testing.assert_array_equal(u.product_ieee, np.array(ieee, np.float32))
    # TensorFlow's product is 0 exactly where IEEE float32 would go subnormal: flush to zero.
    assert u.zero_at == first_subnormal == u.subnormal_at


@pytest.mark.parametrize("n, p", [(1000, 0.9), (50, 0.9), (3000, 0.99), (400, 0.5), (2000, 0.9)])
def test_underflow_sentence_says_what_holds_in_every_draw(n, p):
    """The sentence under the chart speaks of all five draws of the probabilities: where the
    TensorFlow product is 0 (a range of n) and how the IEEE float32 product ends (the same in
    every draw, or how many draws end each way)."""
    runs = lesson.underflow_runs(n, p, SEEDS)
    assert len(runs) == len(SEEDS) >= 5
    outcomes, zero_at = [], []
    for u in runs:
        ieee = _ieee_product(u.probs)
        tiny = next((i for i, v in enumerate(ieee, start=1) if v < np.finfo(np.float32).tiny), None)
        zero_at.append(tiny)
        true_log10 = np.sum(np.log(u.probs.astype(np.float64))) / np.log(10)
        if ieee[-1] == 0:
            outcomes.append("zero")
        else:
            outcomes.append("close" if abs(np.log10(float(ieee[-1])) - true_log10) <= 1 else "stuck")
    text = lesson.underflow_sentence(runs, "en")
    if all(z is not None for z in zero_at):
        span = f"{min(zero_at)}" if min(zero_at) == max(zero_at) else f"{min(zero_at)}–{max(zero_at)}"
        assert f"exactly 0 from n = {span} on" in text and "in all 5 draws" in text
    elif all(z is None for z in zero_at):
        assert "not 0 yet" in text
    if len(set(outcomes)) == 1:
        phrase = {"zero": "reaches exactly 0", "close": "within a factor of 10 of the true value in all 5",
                  "stuck": "orders of magnitude from the true value in all 5"}[outcomes[0]]
        assert phrase in text and "depends on the draw" not in text
    else:
        assert (f"exactly 0 in {outcomes.count('zero')} of the 5 draws, within a factor of 10 of the true "
                f"value in {outcomes.count('close')}, and more than a factor of 10 away in "
                f"{outcomes.count('stuck')}") in text
    ko = lesson.underflow_sentence(runs, "ko")
    assert ("뽑기에 따라 다릅니다" in ko) == (len(set(outcomes)) > 1)
