"""/activations: the overflow table at the temperature on screen, the Jacobian's tiny entries,
"no jump" for swish and GELU from two probes, and dead ReLU units: permanent in one layer on
fixed inputs, revivable in a deeper network. Oracles: float64 closed forms and a NumPy net."""

import numpy as np
import pytest

from core.lessons import activations as lesson
from tests.claims.conftest import SEEDS


def softmax64(z, temperature):
    z = np.asarray(z, np.float64) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_overflow_table_is_computed_at_the_temperature_on_screen(seed):
    rng = np.random.default_rng(seed)
    logits = tuple(float(v) for v in np.round(rng.uniform(-10, 10, 4), 1))
    temperature = float(rng.choice([0.1, 0.35, 1.0, 2.5, 5.0]))
    o = lesson.overflow_demo(logits, temperature=temperature)
    expected = softmax64(logits, temperature)  # the offset cancels, the temperature does not
    # float32 spaces numbers near 1000 by 6e-5, an error of up to ~6e-5 / T in each scaled
    # logit; showing T = 1's probabilities at T = 0.1 would be off by far more.
    np.testing.assert_allclose(o.fixed_probs, expected, atol=1e-4 / temperature)
    np.testing.assert_allclose(o.keras_probs, expected, atol=1e-4 / temperature)
    assert np.isnan(o.naive_probs).all()  # (z + 1000) / T > 88.7 for every T on the slider


@pytest.mark.parametrize("seed", SEEDS)
def test_no_nonzero_jacobian_entry_reads_as_zero(seed):
    from core.charts.activations import jacobian_cell

    rng = np.random.default_rng(seed)
    logits = rng.uniform(-10, 10, 4)
    p = softmax64(logits, 0.1)
    jac = (np.diag(p) - np.outer(p, p)) / 0.1  # closed form, float64
    for value in jac.ravel():
        text = jacobian_cell(value)
        if value != 0:
            assert float(text) != 0 and float(text) == pytest.approx(value, rel=0.06, abs=5e-4), text


def test_swish_and_gelu_have_no_jump_and_relu_has_one():
    from scipy.special import erf
    from scipy.stats import norm

    facts = lesson.activation_curves(("relu", "swish", "gelu"), -6.0, 6.0).facts
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    swish_d = lambda x: sig(x) * (1 + x * (1 - sig(x)))  # noqa: E731
    gelu_d = lambda x: 0.5 * (1 + erf(x / np.sqrt(2))) + x * norm.pdf(x)  # noqa: E731
    for name, d in (("swish", swish_d), ("gelu", gelu_d)):
        for h, got in ((lesson.SIDE_STEP, facts[name].slope_jump), (lesson.FINE_STEP, facts[name].fine_jump)):
            assert got == pytest.approx(d(h) - d(-h), rel=0.1)  # = 2h f''(0): the probe, not a jump
        assert not facts[name].has_kink
    assert facts["relu"].has_kink and facts["relu"].fine_jump == 1.0
    text = lesson.smoothness_sentence(facts, "en")
    assert "continuous" in text and "shrinks" in text


def _dead_units_revived(seed: int, steps: int = 300, lr: float = 0.05) -> tuple[int, int]:
    """A 8-64-64-1 ReLU net in float64 NumPy, the second layer's biases at -1.5 (the page's
    default), plain gradient descent on a smooth regression target. Returns (units of layer 2
    dead on every sample at the start, how many of those are alive at the end)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((256, 8))
    y = np.sin(2 * x[:, :1]) + x[:, 1:2] ** 2
    glorot = lambda a, b: rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b))  # noqa: E731
    w1, b1, w2, b2 = glorot(8, 64), np.zeros(64), glorot(64, 64), np.full(64, -1.5)
    w3, b3 = glorot(64, 1), 0.0
    dead_at_start = None
    for _ in range(steps + 1):
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2  # (256, 64)
        h2 = np.maximum(z2, 0)
        dead = np.all(z2 <= 0, axis=0)
        if dead_at_start is None:
            dead_at_start = dead
        d3 = 2 * (h2 @ w3 + b3 - y) / len(x)
        d2 = (d3 @ w3.T) * (z2 > 0)  # a dead unit passes no gradient to its own weights
        d1 = (d2 @ w2.T) * (z1 > 0)
        w3, b3 = w3 - lr * h2.T @ d3, b3 - lr * d3.sum()
        w2, b2 = w2 - lr * h1.T @ d2, b2 - lr * d2.sum(0)
        w1, b1 = w1 - lr * x.T @ d1, b1 - lr * d1.sum(0)
    return int(dead_at_start.sum()), int((dead_at_start & ~dead).sum())


def test_dead_units_can_come_back_in_a_deeper_network():
    # "can": over the seeds, some unit dead on every sample at the start is alive at the end,
    # because the layer below moved its inputs (its own weights got no gradient).
    results = [_dead_units_revived(seed) for seed in SEEDS]
    assert all(dead > 0 for dead, _ in results)
    assert sum(revived for _, revived in results) > 0


def test_a_dead_unit_of_a_single_layer_gets_exactly_zero_gradient():
    units = lesson.dead_units(("relu",), bias=-1.5)["relu"]
    assert units.dead_share > 0  # nothing upstream: zero gradient means it stays dead
