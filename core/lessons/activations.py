"""Computations behind the activations page: curves, autodiff derivatives, dead units, softmax.

Every number the page shows comes from here. TensorFlow is imported inside the functions, so
importing this module stays cheap. Keras computes each activation (`keras.activations.get`),
`tf.GradientTape` differentiates it, and `core.activations` supplies the analytic formulas the
autodiff result is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import ACTIVATIONS, naive_softmax, softmax, softmax_jacobian

# Below this |f'(x)| a unit learns so slowly that we call the gradient "almost vanished".
SMALL_GRADIENT = 0.01
# One-sided slopes are read this far left and right of 0 (a kink shows as a jump between them),
# and again 10x closer: a smooth function's difference f'(h) - f'(-h) ~ 2h f''(0) shrinks with
# the probe, a kink's does not. One probe alone would report the probe's own size as a "jump".
SIDE_STEP = 1e-4
FINE_STEP = 1e-5
# Added to every logit by the "huge logits" button: float32 exp overflows above ~88.7.
HUGE_OFFSET = 1000.0
# The dead-units experiment: one Dense layer, its width, its inputs and the number of samples.
DEAD_UNITS, DEAD_INPUTS, DEAD_SAMPLES = 64, 8, 256


@dataclass(frozen=True)
class ActivationFacts:
    """What the page measures about one activation on the plotted range."""

    name: str
    max_value_error: float      # max |Keras f(x) - NumPy formula|
    max_grad_error: float       # max |autodiff f'(x) - analytic f'(x)|
    slope_left: float           # autodiff f'(-SIDE_STEP)
    slope_right: float          # autodiff f'(+SIDE_STEP)
    fine_jump: float            # |f'(+FINE_STEP) - f'(-FINE_STEP)|
    grad_at_zero: float         # what TensorFlow returns exactly at x = 0
    zero_grad_share: float      # share of the plotted x where autodiff f'(x) == 0 exactly
    small_grad_share: float     # share of the plotted x where |f'(x)| < SMALL_GRADIENT
    gap_to_relu: float          # max |f(x) - relu(x)| on the range
    min_value: float            # the lowest f(x) on the range
    argmin: float               # where it is

    @property
    def slope_jump(self) -> float:
        """|f'(0+) - f'(0-)|: about 1 for ReLU's kink, about 0 for a smooth function."""
        return abs(self.slope_right - self.slope_left)

    @property
    def has_kink(self) -> bool:
        """The one-sided slopes still differ (by more than half) when the probe is 10x closer."""
        return self.fine_jump > 0.5 * self.slope_jump and self.slope_jump > 0


@dataclass(frozen=True)
class ActivationCurves:
    x: np.ndarray                     # (n,)
    values: dict[str, np.ndarray]     # Keras f(x), (n,) each
    autodiff: dict[str, np.ndarray]   # tf.GradientTape f'(x), (n,) each
    analytic: dict[str, np.ndarray]   # core.activations derivative, (n,) each
    facts: dict[str, ActivationFacts]


def autodiff_derivative(keras_name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and f'(x) for a Keras activation, f' by TensorFlow's automatic differentiation.

    The activations act elementwise, so the gradient of sum(f(x)) with respect to x is the
    vector of f'(x_i): one backward pass gives the whole derivative curve."""
    import keras
    import tensorflow as tf

    fn = keras.activations.get(keras_name)
    xt = tf.constant(np.asarray(x, dtype="float32"))  # (n,)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = fn(xt)  # (n,)
    dy = tape.gradient(y, xt)  # d sum(y) / dx_i = f'(x_i) because f is elementwise
    return np.asarray(y, dtype=float), np.asarray(dy, dtype=float)


def activation_curves(names: tuple[str, ...], x_min: float, x_max: float,
                      n_points: int = 601) -> ActivationCurves:
    """f, f' (autodiff and analytic) for each named activation on [x_min, x_max]."""
    if not x_min < x_max:
        raise ValueError(f"the range needs x_min < x_max, got {x_min} and {x_max}")
    x = np.linspace(x_min, x_max, n_points).astype("float32").astype(float)  # (n,)
    relu = np.maximum(x, 0.0)
    values, autodiff, analytic, facts = {}, {}, {}, {}
    for name in names:
        act = ACTIVATIONS[name]
        y, dy = autodiff_derivative(act.keras_name, x)
        _, side = autodiff_derivative(act.keras_name,
                                      np.array([-SIDE_STEP, 0.0, SIDE_STEP, -FINE_STEP, FINE_STEP]))
        exact = act.derivative(x)
        values[name], autodiff[name], analytic[name] = y, dy, exact
        lowest = int(np.argmin(y))
        facts[name] = ActivationFacts(
            name=name,
            max_value_error=float(np.max(np.abs(y - act.fn(x)))),
            max_grad_error=float(np.max(np.abs(dy - exact))),
            slope_left=float(side[0]), grad_at_zero=float(side[1]), slope_right=float(side[2]),
            fine_jump=float(abs(side[4] - side[3])),
            zero_grad_share=float(np.mean(dy == 0.0)),
            small_grad_share=float(np.mean(np.abs(dy) < SMALL_GRADIENT)),
            gap_to_relu=float(np.max(np.abs(y - relu))),
            min_value=float(y[lowest]), argmin=float(x[lowest]),
        )
    return ActivationCurves(x, values, autodiff, analytic, facts)


@dataclass(frozen=True)
class DeadUnits:
    name: str
    dead_share: float        # units whose bias gradient is exactly 0 on every sample
    mean_abs_grad: float     # mean |d loss / d kernel| over the whole layer


def dead_units(names: tuple[str, ...], bias: float, n_units: int = DEAD_UNITS, n_inputs: int = DEAD_INPUTS,
               n_samples: int = DEAD_SAMPLES, seed: int = 0) -> dict[str, DeadUnits]:
    """How many units of a real `keras.layers.Dense` get no gradient at all.

    Every activation gets the same layer (same Glorot kernel, every bias set to `bias`) and
    the same standard-normal inputs. A unit is dead when f'(pre-activation) is exactly 0 for
    every sample: then its bias gradient is exactly 0 and, with nothing upstream to move its
    inputs, gradient descent cannot revive it."""
    import keras
    import tensorflow as tf

    x = np.random.default_rng(seed).standard_normal((n_samples, n_inputs)).astype("float32")
    out: dict[str, DeadUnits] = {}
    for name in names:
        layer = keras.layers.Dense(
            n_units, activation=ACTIVATIONS[name].keras_name,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
            bias_initializer=keras.initializers.Constant(bias))
        layer.build((None, n_inputs))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(x))  # (batch, units) -> scalar
        d_kernel, d_bias = tape.gradient(loss, [layer.kernel, layer.bias])
        out[name] = DeadUnits(name, float(np.mean(np.asarray(d_bias) == 0.0)),
                              float(np.mean(np.abs(np.asarray(d_kernel)))))
    return out


def dead_units_sweep(names: tuple[str, ...], biases: tuple[float, ...], n_units: int = DEAD_UNITS,
                     n_inputs: int = DEAD_INPUTS, n_samples: int = DEAD_SAMPLES, seed: int = 0) -> np.ndarray:
    """Dead share of each activation (columns) at each bias (rows): (len(biases), len(names)).

    The same layer as `dead_units`, vectorised over the biases: the kernel part x @ W is
    computed once, each bias shifts it, and one autodiff pass per activation gives f' at every
    (bias, sample, unit). A unit is dead at a bias when f' is 0 for all samples, which is
    exactly when its bias gradient in `dead_units` is 0 (tests check that they agree)."""
    import keras
    import tensorflow as tf

    x = np.random.default_rng(seed).standard_normal((n_samples, n_inputs)).astype("float32")
    kernel = keras.initializers.GlorotUniform(seed=seed)((n_inputs, n_units))  # same as the layer's
    pre = tf.matmul(x, kernel)  # (samples, units), bias not yet added
    z = pre[None, :, :] + tf.constant(biases, tf.float32)[:, None, None]  # (biases, samples, units)
    out = np.zeros((len(biases), len(names)))
    for j, name in enumerate(names):
        with tf.GradientTape() as tape:
            tape.watch(z)
            y = keras.activations.get(ACTIVATIONS[name].keras_name)(z)
        slope = np.asarray(tape.gradient(y, z))  # f'(z), elementwise
        out[:, j] = np.mean(np.all(slope == 0.0, axis=1), axis=1)  # dead units share per bias
    return out


@dataclass(frozen=True)
class SoftmaxStages:
    """The softmax builder, stage by stage, plus the lecture's two reasons in numbers."""

    logits: np.ndarray          # (k,) as set on the sliders
    temperature: float
    scaled: np.ndarray          # (k,) z / T
    exps: np.ndarray            # (k,) exp(z / T): every one positive
    total: float                # sum of the exps
    probs: np.ndarray           # (k,) exps / total
    keras_probs: np.ndarray     # (k,) keras.activations.softmax(z / T), float32
    squares: np.ndarray         # (k,) (z / T)^2: another way to remove signs, for contrast
    order_kept: bool            # exp keeps the ranking of the logits
    squares_order_kept: bool    # squaring does not (when some logits are negative)
    jac_closed: np.ndarray      # (k, k) p_i (delta_ij - p_j) / T
    jac_autodiff: np.ndarray    # (k, k) tf.GradientTape.jacobian of keras softmax
    exp_grad_error: float       # max |d/dz e^z (autodiff) - e^z| / e^z
    base2_grad_ratio: float     # (d/dz 2^z) / 2^z measured by autodiff: ln 2, not 1
    base2_vs_temperature: float  # max |softmax in base 2 - softmax(z ln 2)|: a base is a temperature
    entropy_bits: float

    @property
    def jac_max_diff(self) -> float:
        return float(np.max(np.abs(self.jac_closed - self.jac_autodiff)))

    @property
    def keras_max_diff(self) -> float:
        return float(np.max(np.abs(self.probs - self.keras_probs)))


def _same_order(a: np.ndarray, b: np.ndarray) -> bool:
    """True when sorting by a and by b gives the same ranking (ties broken alike)."""
    return bool(np.array_equal(np.argsort(a, kind="stable"), np.argsort(b, kind="stable")))


def softmax_stages(logits: tuple[float, ...], temperature: float = 1.0) -> SoftmaxStages:
    """logits -> z/T -> exp -> sum -> probabilities, with autodiff checks of the calculus."""
    import keras
    import tensorflow as tf

    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype=float)  # (k,)
    scaled = z / temperature
    exps = np.exp(scaled)
    total = float(np.sum(exps))
    probs = softmax(z, temperature)
    keras_probs = np.asarray(keras.activations.softmax(tf.constant(scaled[None, :], tf.float32)))[0]

    zt = tf.constant(z)  # float64 so the closed form and autodiff can agree to ~1e-16
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(zt)
        p = keras.activations.softmax(zt[None, :] / temperature)[0]  # (k,)
        rows = [p[i] for i in range(len(z))]
        e = tf.exp(zt)
        two = tf.pow(tf.constant(2.0, tf.float64), zt)
    jac = np.stack([np.asarray(tape.gradient(row, zt)) for row in rows])  # (k, k): row i = d p_i / d z
    d_exp = np.asarray(tape.gradient(e, zt))
    d_two = np.asarray(tape.gradient(two, zt))
    del tape
    base2 = 2.0 ** (z - z.max())
    return SoftmaxStages(
        logits=z, temperature=float(temperature), scaled=scaled, exps=exps, total=total,
        probs=probs, keras_probs=keras_probs, squares=scaled**2,
        order_kept=_same_order(scaled, exps), squares_order_kept=_same_order(scaled, scaled**2),
        jac_closed=softmax_jacobian(z, temperature), jac_autodiff=jac,
        exp_grad_error=float(np.max(np.abs(d_exp - np.exp(z)) / np.exp(z))),
        base2_grad_ratio=float(np.mean(d_two / 2.0**z)),
        base2_vs_temperature=float(np.max(np.abs(base2 / base2.sum() - softmax(z * np.log(2.0))))),
        entropy_bits=float(-np.sum(probs * np.log2(np.clip(probs, 1e-300, 1.0)))),
    )


def temperature_sweep(logits: tuple[float, ...], t_min: float = 0.05, t_max: float = 10.0,
                      n: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of each logit as the temperature goes from t_min to t_max (log-spaced)."""
    temps = np.geomspace(t_min, t_max, n)  # (n,)
    probs = np.stack([softmax(np.asarray(logits, float), t) for t in temps])  # (n, k)
    return temps, probs


@dataclass(frozen=True)
class OverflowDemo:
    logits: np.ndarray          # (k,) (the slider logits + offset) / temperature, float32
    naive_exps: np.ndarray      # (k,) exp in float32: inf
    naive_total: float          # inf
    naive_probs: np.ndarray     # (k,) inf / inf = nan
    shifted: np.ndarray         # (k,) z - max(z): at most 0
    shifted_exps: np.ndarray    # (k,) in (0, 1]
    fixed_probs: np.ndarray     # (k,) the max-subtraction softmax
    keras_probs: np.ndarray     # (k,) what keras.activations.softmax returns
    small_probs: np.ndarray     # (k,) softmax of the logits without the offset
    exp_limit: float            # largest z with a finite float32 exp(z)

    @property
    def shift_error(self) -> float:
        """max |softmax(z + c) - softmax(z)|: the offset cancels, as the algebra says."""
        return float(np.max(np.abs(self.fixed_probs - self.small_probs)))


def overflow_demo(logits: tuple[float, ...], offset: float = HUGE_OFFSET,
                  temperature: float = 1.0) -> OverflowDemo:
    """Add `offset` to every logit and divide by `temperature` (what the softmax on screen
    computes): the textbook formula overflows, the max trick does not."""
    import keras
    import tensorflow as tf

    if temperature <= 0:
        raise ValueError("temperature must be positive")
    small = np.asarray(logits, dtype="float32")
    # (k,) float32, the dtype of a real model's output: (z + c) / T
    z = (small + np.float32(offset)) / np.float32(temperature)
    with np.errstate(over="ignore", invalid="ignore"):
        naive_exps = np.exp(z)
        naive_total = float(np.sum(naive_exps))
    shifted = z - z.max()
    shifted_exps = np.exp(shifted)
    return OverflowDemo(
        logits=z, naive_exps=naive_exps, naive_total=naive_total, naive_probs=naive_softmax(z),
        shifted=shifted, shifted_exps=shifted_exps,
        fixed_probs=shifted_exps / shifted_exps.sum(),
        keras_probs=np.asarray(keras.activations.softmax(tf.constant(z[None, :])))[0],
        small_probs=softmax(small.astype(float), temperature),
        exp_limit=float(np.log(np.finfo(np.float32).max)),
    )


def smoothness_sentence(facts: dict[str, ActivationFacts], lang: str) -> str:
    """Whether swish and GELU have a kink at 0, chosen from the two probes (never from one)."""
    from core.i18n import t

    swish, gelu = facts["swish"], facts["gelu"]
    outcome = "kink" if swish.has_kink or gelu.has_kink else "smooth"
    return t(f"activations.curves.smooth.{outcome}", lang, side=f"{SIDE_STEP:g}", fine=f"{FINE_STEP:g}",
             swish_jump=f"{swish.slope_jump:.1e}", swish_fine=f"{swish.fine_jump:.1e}",
             gelu_jump=f"{gelu.slope_jump:.1e}", gelu_fine=f"{gelu.fine_jump:.1e}")
