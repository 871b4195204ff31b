"""Computations behind the losses page: MSE vs cross-entropy on a sigmoid output, binary vs
categorical cross-entropy, robust regression losses (the log scale and float32 underflow:
core.lessons.losses_scale).

Every loss value here comes from Keras (`keras.losses`), every gradient from `tf.GradientTape`;
the closed forms in `core.losses` and below are kept beside them for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.losses import LOSSES
# The log scale and float32 underflow live in their own module; these names stay importable here.
from core.lessons.losses_scale import (MLP_SHAPES, Magnitude, Underflow, magnitudes,  # noqa: F401
                                       underflow, underflow_runs, underflow_sentence, zoom_counts)

REGRESSION_LOSSES = ("mse", "mae", "huber")
# Two fitted lines "agree" when they are within this distance everywhere on the data's x range
# (Adam's last steps leave ~1e-3 of optimisation noise).
AGREE_TOLERANCE = 0.01


def logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


# ---- MSE vs binary cross-entropy on a sigmoid output ------------------------------------------
@dataclass(frozen=True)
class BinarySweep:
    y_true: int
    logits: np.ndarray          # (n,) z
    probs: np.ndarray           # (n,) p = sigmoid(z)
    mse: np.ndarray             # (n,) keras.losses.mean_squared_error
    bce: np.ndarray             # (n,) keras.losses.binary_crossentropy
    grad_mse: np.ndarray        # (n,) d MSE / d z by autodiff
    grad_bce: np.ndarray        # (n,) d BCE / d z by autodiff

    @property
    def closed_grad_mse(self) -> np.ndarray:
        """Chain rule: dMSE/dp = 2(p - y), dp/dz = p(1 - p)."""
        p, y = self.probs, self.y_true
        return 2.0 * (p - y) * p * (1.0 - p)

    @property
    def closed_grad_bce(self) -> np.ndarray:
        """The sigmoid's p(1 - p) cancels against the log's 1/p: just p - y."""
        return self.probs - self.y_true

    @property
    def closed_form_error(self) -> float:
        """The largest |autodiff - closed form| over both gradients."""
        return float(max(np.abs(self.grad_mse - self.closed_grad_mse).max(),
                         np.abs(self.grad_bce - self.closed_grad_bce).max()))


def sigmoid_losses(y_true: int, logits: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keras MSE and BCE of sigmoid(logits) against y_true, and their autodiff gradients in z."""
    import keras
    import tensorflow as tf

    z = tf.constant(np.asarray(logits, dtype="float32").reshape(-1, 1))  # (n, 1)
    y = tf.fill(tf.shape(z), float(y_true))  # (n, 1)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        p = tf.sigmoid(z)
        mse = keras.losses.mean_squared_error(y, p)  # (n,): mean over the last axis
        bce = keras.losses.binary_crossentropy(y, p)  # (n,)
    # Each sample's loss depends only on its own z, so d(sum)/dz_i is that sample's gradient.
    g_mse = tape.gradient(mse, z)
    g_bce = tape.gradient(bce, z)
    del tape
    as_np = lambda t: np.asarray(t, dtype=float).reshape(-1)  # noqa: E731
    return as_np(p), as_np(mse), as_np(bce), as_np(g_mse), as_np(g_bce)


def binary_sweep(y_true: int, n: int = 401, z_max: float = 9.0) -> BinarySweep:
    z = np.linspace(-z_max, z_max, n)  # uniform in the logit: dense near p = 0 and p = 1
    p, mse, bce, g_mse, g_bce = sigmoid_losses(y_true, z)
    return BinarySweep(int(y_true), z, p, mse, bce, g_mse, g_bce)


@dataclass(frozen=True)
class FixRace:
    """One sigmoid unit starting at p_start, trained by keras SGD under each loss."""

    y_true: int
    p_start: float
    learning_rate: float
    probs: dict[str, np.ndarray]        # loss -> (steps + 1,) p after each step
    steps_to_fix: dict[str, int | None]  # first step with p on the correct side of 0.5


def fix_race(y_true: int, p_start: float, learning_rate: float = 1.0, steps: int = 300) -> FixRace:
    import keras
    import tensorflow as tf

    fns = {"mse": keras.losses.mean_squared_error, "binary_crossentropy": keras.losses.binary_crossentropy}
    probs, fixed = {}, {}
    y = tf.constant([[float(y_true)]])  # (1, 1)
    for name, loss_fn in fns.items():
        z = tf.Variable([[logit(p_start)]], dtype=tf.float32)  # the unit's logit, (1, 1)
        opt = keras.optimizers.SGD(learning_rate=learning_rate)
        opt.build([z])

        @tf.function
        def run():
            out = tf.TensorArray(tf.float32, size=steps + 1)
            out = out.write(0, tf.sigmoid(z[0, 0]))
            for i in tf.range(steps):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(loss_fn(y, tf.sigmoid(z)))
                opt.apply_gradients([(tape.gradient(loss, z), z)])
                out = out.write(i + 1, tf.sigmoid(z[0, 0]))
            return out.stack()

        p = np.asarray(run(), dtype=float)
        correct = p > 0.5 if y_true == 1 else p < 0.5
        probs[name] = p
        fixed[name] = int(np.argmax(correct)) if correct.any() else None
    return FixRace(int(y_true), float(p_start), float(learning_rate), probs, fixed)


# ---- binary = categorical over two columns; sparse = one-hot ---------------------------------
@dataclass(frozen=True)
class CrossEntropyTable:
    y: np.ndarray               # (n,) labels 0/1, or class indices
    probs: np.ndarray           # (n,) p(class 1), or (n, k) class probabilities
    first: np.ndarray           # (n,) per-sample loss of the first form
    second: np.ndarray          # (n,) per-sample loss of the second form
    first_mean: float           # the Keras Loss object's default (mean) reduction
    second_mean: float
    bce_on_columns: float = float("nan")  # keras BCE over the same one-hot columns (multi-label)

    @property
    def max_diff(self) -> float:
        return float(np.max(np.abs(self.first - self.second)))


def bce_vs_two_column_cce(n: int = 6, seed: int = 0) -> CrossEntropyTable:
    """Binary cross-entropy on one column vs categorical cross-entropy on [1 - y, y]."""
    import keras

    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype("float32")  # (n,)
    p = rng.uniform(0.02, 0.98, n).astype("float32")  # (n,) predicted p(class 1)
    y2 = np.stack([1 - y, y], axis=1)  # (n, 2) one-hot: column 0 = class 0
    p2 = np.stack([1 - p, p], axis=1)  # (n, 2) the same prediction as two columns
    bce = np.asarray(keras.losses.binary_crossentropy(y[:, None], p[:, None]), dtype=float)
    cce = np.asarray(keras.losses.categorical_crossentropy(y2, p2), dtype=float)
    return CrossEntropyTable(
        y, p, bce, cce,
        float(LOSSES["binary_crossentropy"].keras(y[:, None], p[:, None])),
        float(LOSSES["categorical_crossentropy"].keras(y2, p2)),
        float(LOSSES["binary_crossentropy"].keras(y2, p2)))


def sparse_vs_onehot(n: int = 6, n_classes: int = 4, seed: int = 0) -> CrossEntropyTable:
    """Sparse categorical cross-entropy on labels vs categorical on one-hot rows."""
    import keras

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, n)  # (n,)
    logits = rng.normal(0.0, 1.5, (n, n_classes))
    probs = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype("float32")  # (n, k)
    onehot = np.eye(n_classes, dtype="float32")[labels]  # (n, k)
    sparse = np.asarray(keras.losses.sparse_categorical_crossentropy(labels, probs), dtype=float)
    dense = np.asarray(keras.losses.categorical_crossentropy(onehot, probs), dtype=float)
    return CrossEntropyTable(
        labels, probs, sparse, dense,
        float(LOSSES["sparse_categorical_crossentropy"].keras(labels, probs)),
        float(LOSSES["categorical_crossentropy"].keras(onehot, probs)),
        # Treating the k columns as k independent yes/no labels is a different loss for k > 2.
        float(LOSSES["binary_crossentropy"].keras(onehot, probs)))


# ---- regression: MSE vs MAE vs Huber with one outlier ----------------------------------------
@dataclass(frozen=True)
class RobustFit:
    x: np.ndarray                       # (n,)
    y: np.ndarray                       # (n,) the last point is the outlier
    outlier_y: float
    lines: dict[str, tuple[float, float]]       # loss -> (slope, intercept) after training
    clean_line: tuple[float, float]             # least squares without the outlier
    outlier_pull: dict[str, float]              # |dLoss/dy_hat| of the outlier / median of the others
    # loss -> (slope, intercept) of the same loss with the last point moved onto `clean_line`:
    # what each loss fits when there is no outlier. MAE's line differs from least squares even
    # then, so each loss's drag is measured against its own reference, not against least squares.
    on_line: dict[str, tuple[float, float]] = None

    def shift(self, loss: str) -> float:
        """How far the outlier dragged this loss's line at the outlier's x, compared with the
        line the same loss fits when that point sits on the least-squares line."""
        (w, b), (w0, b0), x = self.lines[loss], self.on_line[loss], self.x[-1]
        return float((w * x + b) - (w0 * x + b0))

    @property
    def outlier_index(self) -> int:
        return len(self.x) - 1

    def on_line_gaps(self) -> dict[tuple[str, str], float]:
        """With the point on the line: for each pair of losses, the largest vertical distance
        between their lines over the data's x range."""
        ends = np.array([self.x.min(), self.x.max()])
        value = {n: self.on_line[n][0] * ends + self.on_line[n][1] for n in self.on_line}
        names = list(self.on_line)
        return {(a, b): float(np.abs(value[a] - value[b]).max())
                for i, a in enumerate(names) for b in names[i + 1:]}

    def agreement(self, tolerance: float = AGREE_TOLERANCE) -> str:
        """Which sentence the measurement supports: "all" (every pair within `tolerance`),
        "mse_huber" (only MSE and Huber), or "none"."""
        gaps = self.on_line_gaps()
        if max(gaps.values()) <= tolerance:
            return "all"
        return "mse_huber" if gaps[("mse", "huber")] <= tolerance else "none"


def regression_data(outlier_y: float, n: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.linspace(-2.0, 2.0, n)  # (n,)
    y = 0.8 * x + 0.5 + rng.normal(0.0, 0.25, n)
    y[-1] = outlier_y  # the point at x = 2 is the outlier the learner drags
    return x, y


class LineFitter:
    """y_hat = w x + b trained once per loss (MSE, MAE, Huber) with the Keras loss and Adam.

    Built and traced once, then reused: each call resets the weights and the optimizers' state
    (Adam starts from zero moments, as a fresh optimizer does) and runs all three fits in one
    compiled loop. A lock keeps two Streamlit sessions from sharing the variables mid-run."""

    def __init__(self, x: np.ndarray, steps: int = 1500):
        import threading

        import keras
        import tensorflow as tf

        self.steps = steps
        self.lock = threading.Lock()
        self.x = tf.constant(np.asarray(x).reshape(-1, 1), tf.float32)  # (n, 1)
        self.weights = {n: (tf.Variable([[0.0]]), tf.Variable([0.0])) for n in REGRESSION_LOSSES}
        self.opts = {}
        for name, (w, b) in self.weights.items():
            # A step of 0.1 that decays to 0.1 * 0.002: fast at first, then precise enough for MAE.
            schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=steps, decay_rate=0.002)
            self.opts[name] = keras.optimizers.Adam(learning_rate=schedule)
            self.opts[name].build([w, b])
        self.losses = {name: LOSSES[name].keras for name in REGRESSION_LOSSES}
        self._run = tf.function(self._loop)

    def _loop(self, y):  # y: (n, 1)
        import tensorflow as tf

        for _ in tf.range(self.steps):
            for name, (w, b) in self.weights.items():
                with tf.GradientTape() as tape:
                    value = self.losses[name](y, tf.matmul(self.x, w) + b)
                self.opts[name].apply_gradients(zip(tape.gradient(value, [w, b]), [w, b]))

    def fit(self, y: np.ndarray) -> dict[str, tuple[float, float]]:
        import tensorflow as tf

        with self.lock:
            for name, (w, b) in self.weights.items():
                w.assign([[0.0]])
                b.assign([0.0])
                for v in self.opts[name].variables:  # iteration count and Adam's moments
                    v.assign(tf.zeros_like(v))
            self._run(tf.constant(np.asarray(y).reshape(-1, 1), tf.float32))
            return {n: (float(w.numpy()[0, 0]), float(b.numpy()[0])) for n, (w, b) in self.weights.items()}


_FITTERS: dict[tuple, LineFitter] = {}


def fit_lines(x: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, float]]:
    key = tuple(np.round(np.asarray(x, float), 9))
    if key not in _FITTERS:
        _FITTERS[key] = LineFitter(x)
    return _FITTERS[key].fit(y)


# The per-sample (unreduced) Keras function behind each registry loss.
KERAS_PER_SAMPLE = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "huber": "huber"}


def robust_fit(outlier_y: float, n: int = 16, seed: int = 0) -> RobustFit:
    import keras
    import tensorflow as tf

    x, y = regression_data(outlier_y, n, seed)
    yt = tf.constant(y.reshape(-1, 1), tf.float32)  # (n, 1)
    lines, pull = {}, {}
    fitted = fit_lines(x, y)
    for name in REGRESSION_LOSSES:
        w, b = fitted[name]
        lines[name] = (w, b)
        y_hat = tf.constant((w * x + b).reshape(-1, 1), tf.float32)  # (n, 1)
        with tf.GradientTape() as tape:
            tape.watch(y_hat)
            per = getattr(keras.losses, KERAS_PER_SAMPLE[name])(yt, y_hat)  # (n,)
        grads = np.abs(np.asarray(tape.gradient(per, y_hat)).reshape(-1))  # (n,) how hard each point pulls
        others = float(np.median(grads[:-1]))
        pull[name] = float(grads[-1] / others) if others > 0 else float("inf")
    clean = np.polyfit(x[:-1], y[:-1], 1)
    on_line_y = y.copy()
    on_line_y[-1] = clean[0] * x[-1] + clean[1]
    return RobustFit(x, y, float(outlier_y), lines, (float(clean[0]), float(clean[1])), pull,
                     fit_lines(x, on_line_y))


def loss_of_residual(residuals: np.ndarray) -> dict[str, np.ndarray]:
    """Each regression loss of a single residual r = y - y_hat, from the NumPy formulas."""
    r = np.asarray(residuals, float).reshape(-1, 1)  # (n, 1): one sample per row
    zeros = np.zeros_like(r)
    return {name: LOSSES[name].numpy(r, zeros) for name in REGRESSION_LOSSES}


# ---- sentences chosen by the measurement -------------------------------------------------------
ON_LINE_SEEDS = (0, 1, 2, 3, 4)  # draws of the regression data's noise (the page shows seed 0)


def on_line_fits(seeds: tuple[int, ...] = ON_LINE_SEEDS) -> tuple[RobustFit, ...]:
    """The regression fitted once per draw of the noise. Where the outlier sits does not matter
    for the with-the-point-on-the-line fits compared here."""
    return tuple(robust_fit(0.0, seed=seed) for seed in seeds)


def on_line_sentence(fit: RobustFit, lang: str, draws: tuple[RobustFit, ...]) -> str:
    """What the three losses fit when the last point sits on the least-squares line, then
    whether the same holds in every draw of the noise (`draws`), else how often each does."""
    from core.i18n import t

    x_end = float(fit.x[-1])
    numbers = dict(on_y=f"{fit.clean_line[0] * x_end + fit.clean_line[1]:.2f}", x=f"{x_end:g}",
                   gap=f"{max(fit.on_line_gaps().values()):.3f}",
                   **{f"{n}_line": f"({fit.on_line[n][0]:.3f}, {fit.on_line[n][1]:.3f})"
                      for n in REGRESSION_LOSSES})
    outcomes = [d.agreement() for d in draws]
    gaps = [max(d.on_line_gaps().values()) for d in draws]
    seeds = t(f"losses.regression.on_line_seeds.{'same' if set(outcomes) == {fit.agreement()} else 'mixed'}",
              lang, k=len(draws), last=len(draws) - 1, lo=f"{min(gaps):.3f}", hi=f"{max(gaps):.3f}",
              **{o: outcomes.count(o) for o in ("all", "mse_huber", "none")})
    return t(f"losses.regression.on_line.{fit.agreement()}", lang, **numbers) + " " + seeds
