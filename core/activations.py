"""Activation functions: one registry, NumPy formulas plus the Keras name of each.

The NumPy formulas are written from the papers / Keras source, independently of TensorFlow,
so that tests can check them against `tf.GradientTape` (the oracle for `derivative`) and
against `keras.activations.get(keras_name)` (the oracle for `fn`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# Keras 3's leaky_relu uses a negative slope of 0.2 by default (not 0.01 as in PyTorch).
LEAKY_SLOPE = 0.2
# SELU's constants from Klambauer et al. (2017), the same values Keras uses.
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _sigmoid(x):
    # Split by sign so that exp never overflows for large |x|.
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def _softplus(x):
    x = np.asarray(x, dtype=float)
    return np.logaddexp(0.0, x)


def _normal_pdf(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _normal_cdf(x):
    from scipy.special import erf  # here, not at the top: 0.3-0.5 s of every server's first page

    return 0.5 * (1.0 + erf(x / np.sqrt(2.0)))


def _mish(x):
    return x * np.tanh(_softplus(x))


def _mish_derivative(x):
    sp = _softplus(x)
    tsp = np.tanh(sp)
    return tsp + x * (1.0 - tsp * tsp) * _sigmoid(x)


@dataclass(frozen=True)
class Activation:
    """One activation: `fn` and `derivative` work elementwise on NumPy arrays."""

    name: str
    label: str
    keras_name: str
    fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    derivative: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    # Where the function is not differentiable (ReLU's kink at 0), as x values.
    kinks: tuple[float, ...] = ()
    # True for sigmoid-like functions whose derivative vanishes on both sides.
    saturating: bool = False
    # The year it was introduced, shown on the activations page for context.
    year: int | None = None


def _a(name, label, keras_name, fn, derivative, **extra) -> Activation:
    return Activation(name, label, keras_name, fn, derivative, **extra)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        _a("linear", "linear (identity)", "linear",
           lambda x: np.asarray(x, dtype=float),
           lambda x: np.ones_like(np.asarray(x, dtype=float))),
        _a("relu", "ReLU", "relu",
           lambda x: np.maximum(np.asarray(x, dtype=float), 0.0),
           # At the kink x = 0 we use 0, which is what TensorFlow's gradient returns.
           lambda x: (np.asarray(x, dtype=float) > 0).astype(float),
           kinks=(0.0,), year=2010),
        _a("leaky_relu", "Leaky ReLU (0.2)", "leaky_relu",
           lambda x: np.where(np.asarray(x, dtype=float) > 0, x, LEAKY_SLOPE * np.asarray(x, dtype=float)),
           lambda x: np.where(np.asarray(x, dtype=float) > 0, 1.0, LEAKY_SLOPE),
           kinks=(0.0,), year=2013),
        _a("elu", "ELU", "elu",
           lambda x: np.where(np.asarray(x, dtype=float) > 0, x, np.expm1(np.minimum(x, 0.0))),
           lambda x: np.where(np.asarray(x, dtype=float) > 0, 1.0, np.exp(np.minimum(x, 0.0))),
           year=2015),
        _a("selu", "SELU", "selu",
           lambda x: SELU_SCALE * np.where(np.asarray(x, dtype=float) > 0, x,
                                           SELU_ALPHA * np.expm1(np.minimum(x, 0.0))),
           # At the kink x = 0 TensorFlow takes the right-hand slope; so do we.
           lambda x: SELU_SCALE * np.where(np.asarray(x, dtype=float) >= 0, 1.0,
                                           SELU_ALPHA * np.exp(np.minimum(x, 0.0))),
           kinks=(0.0,), year=2017),
        _a("sigmoid", "sigmoid", "sigmoid",
           _sigmoid,
           lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)),
           saturating=True),
        _a("tanh", "tanh", "tanh",
           lambda x: np.tanh(np.asarray(x, dtype=float)),
           lambda x: 1.0 - np.tanh(np.asarray(x, dtype=float)) ** 2,
           saturating=True),
        _a("softplus", "softplus", "softplus",
           _softplus,
           _sigmoid),
        _a("softsign", "softsign", "softsign",
           lambda x: np.asarray(x, dtype=float) / (1.0 + np.abs(x)),
           lambda x: 1.0 / (1.0 + np.abs(np.asarray(x, dtype=float))) ** 2,
           saturating=True),
        _a("swish", "swish / SiLU", "silu",
           lambda x: np.asarray(x, dtype=float) * _sigmoid(x),
           lambda x: _sigmoid(x) * (1.0 + np.asarray(x, dtype=float) * (1.0 - _sigmoid(x))),
           year=2017),
        _a("gelu", "GELU", "gelu",
           # Keras 3's gelu defaults to the exact form x * Phi(x) (approximate=False).
           lambda x: np.asarray(x, dtype=float) * _normal_cdf(np.asarray(x, dtype=float)),
           lambda x: _normal_cdf(np.asarray(x, dtype=float))
           + np.asarray(x, dtype=float) * _normal_pdf(np.asarray(x, dtype=float)),
           year=2016),
        _a("mish", "Mish", "mish",
           lambda x: _mish(np.asarray(x, dtype=float)),
           lambda x: _mish_derivative(np.asarray(x, dtype=float)),
           year=2019),
    ]
}


def softmax(logits: np.ndarray, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    """Numerically safe softmax: subtracting the max leaves the result unchanged
    (the factor e^-max cancels) but keeps exp from overflowing."""
    z = np.asarray(logits, dtype=float) / float(temperature)
    z = z - np.max(z, axis=axis, keepdims=True)
    ez = np.exp(z)
    return ez / np.sum(ez, axis=axis, keepdims=True)


def naive_softmax(logits: np.ndarray, dtype=np.float32) -> np.ndarray:
    """The textbook formula exp(z) / sum(exp(z)), without the max trick, in float32.

    With logits near 100 or more exp overflows to inf and the result becomes nan:
    the activations page shows this on purpose."""
    z = np.asarray(logits, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        ez = np.exp(z)
        return ez / np.sum(ez, axis=-1, keepdims=True)


def softmax_jacobian(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Closed form d softmax_i / d z_j = p_i (delta_ij - p_j) / T, for one vector of logits."""
    p = softmax(logits, temperature)
    return (np.diag(p) - np.outer(p, p)) / float(temperature)
