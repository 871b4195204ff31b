"""The activations lesson against independent oracles: analytic derivatives (core.activations),
finite differences, closed-form minima and the float32 overflow limit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from core.lessons import activations as lesson
from core.activations import ACTIVATIONS, softmax


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_autodiff_derivative_matches_the_analytic_one(name):
    curves = lesson.activation_curves((name,), -8.0, 8.0, n_points=801)
    exact = ACTIVATIONS[name].derivative(curves.x)
    # float32 autodiff against float64 formulas: agreement to float32 rounding, relative.
    np.testing.assert_allclose(curves.autodiff[name], exact, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(curves.values[name], ACTIVATIONS[name].fn(curves.x), rtol=2e-5, atol=2e-6)
    assert curves.facts[name].max_grad_error < 1e-5


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "swish", "gelu", "tanh"])
def test_autodiff_matches_central_differences(name):
    """A second oracle that knows nothing of either formula: (f(x+h) - f(x-h)) / 2h."""
    x = np.array([-3.1, -1.2, -0.4, 0.37, 1.5, 2.9])
    h = 1e-4
    fn = ACTIVATIONS[name].fn
    numeric = (fn(x + h) - fn(x - h)) / (2 * h)
    _, autodiff = lesson.autodiff_derivative(ACTIVATIONS[name].keras_name, x)
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-3, atol=1e-4)


def test_relu_has_a_kink_and_a_flat_half():
    facts = lesson.activation_curves(("relu",), -6.0, 6.0).facts["relu"]
    assert facts.slope_left == 0.0 and facts.slope_right == 1.0 and facts.grad_at_zero == 0.0
    assert facts.slope_jump == 1.0
    # Every grid point at or below 0 has exactly zero gradient: half the symmetric range plus x = 0.
    x = np.linspace(-6, 6, 601)
    assert facts.zero_grad_share == pytest.approx(np.mean(x <= 0), abs=1e-9)


@pytest.mark.parametrize("name", ["swish", "gelu"])
def test_swish_and_gelu_are_smooth_near_relus(name):
    facts = lesson.activation_curves((name,), -6.0, 6.0).facts[name]
    assert facts.slope_jump < 1e-3  # no kink
    assert facts.zero_grad_share == 0.0
    # Their largest distance from ReLU on the range is the depth of their negative dip.
    dip = minimize_scalar(ACTIVATIONS[name].fn, bounds=(-4, 0), method="bounded")
    assert facts.gap_to_relu == pytest.approx(-dip.fun, abs=2e-3)
    assert facts.min_value == pytest.approx(dip.fun, abs=2e-3)


def test_activation_curves_rejects_an_empty_range():
    with pytest.raises(ValueError):
        lesson.activation_curves(("relu",), 1.0, 1.0)


def test_dead_units_relu_dies_the_smooth_ones_do_not():
    deep = lesson.dead_units(("relu", "swish", "gelu", "leaky_relu"), bias=-3.0)
    assert deep["relu"].dead_share == 1.0
    assert deep["relu"].mean_abs_grad == 0.0
    for name in ("swish", "gelu", "leaky_relu"):
        assert deep[name].dead_share == 0.0 and deep[name].mean_abs_grad > 0
    assert lesson.dead_units(("relu",), bias=1.0)["relu"].dead_share == 0.0


def test_vectorised_sweep_agrees_with_real_dense_layers():
    names = ("relu", "swish", "elu")
    biases = (-2.0, -1.5, -1.0, -0.5, 0.0)
    sweep = lesson.dead_units_sweep(names, biases)
    for i, bias in enumerate(biases):
        layer = lesson.dead_units(names, bias)
        assert [layer[n].dead_share for n in names] == pytest.approx(list(sweep[i]))
    assert sweep[:, 0].tolist() == sorted(sweep[:, 0].tolist(), reverse=True)  # more negative, more dead


def test_softmax_stages_closed_forms_match_autodiff():
    logits, temperature = (2.0, 1.0, -1.0, -3.0, 0.5), 0.7
    s = lesson.softmax_stages(logits, temperature)
    assert s.probs.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(s.keras_probs, softmax(np.array(logits), temperature), atol=1e-6)
    assert s.jac_max_diff < 1e-12
    # Independent oracle for the Jacobian: central differences of a plain NumPy softmax.
    z, h = np.array(logits), 1e-6
    numeric = np.stack([(softmax(z + h * e, temperature) - softmax(z - h * e, temperature)) / (2 * h)
                        for e in np.eye(len(z))], axis=1)  # column j = d p / d z_j
    np.testing.assert_allclose(s.jac_autodiff, numeric, atol=1e-8)
    assert s.exp_grad_error < 1e-12
    assert s.base2_grad_ratio == pytest.approx(math.log(2), abs=1e-12)
    assert s.base2_vs_temperature < 1e-12
    assert s.total == pytest.approx(np.exp(z / temperature).sum())


def test_exp_keeps_order_and_squaring_does_not():
    s = lesson.softmax_stages((2.0, 1.0, -1.0, -3.0))
    assert s.order_kept and (s.exps > 0).all()
    assert not s.squares_order_kept  # (-3)^2 > 2^2


def test_huge_logits_overflow_the_naive_formula_only():
    o = lesson.overflow_demo((2.0, 1.0, -1.0, -3.0))
    assert np.isinf(o.naive_exps).all() and math.isinf(o.naive_total)
    assert np.isnan(o.naive_probs).all()
    assert o.exp_limit == pytest.approx(math.log(np.finfo(np.float32).max))
    assert (o.shifted <= 0).all()
    np.testing.assert_allclose(o.fixed_probs, softmax(np.array([2.0, 1.0, -1.0, -3.0])), atol=1e-6)
    np.testing.assert_allclose(o.keras_probs, o.fixed_probs, atol=1e-6)
    assert o.shift_error < 1e-6


def test_temperature_sweep_goes_from_argmax_to_uniform():
    temps, probs = lesson.temperature_sweep((2.0, 1.0, -1.0))
    assert probs[0, 0] > 0.999  # T = 0.05: all mass on the largest logit
    assert np.ptp(probs[-1]) < 0.35  # T = 10: close to uniform
    assert temps[0] < temps[-1]
