"""Computations behind the optimizers page: real `keras.optimizers` stepping a 2-D `tf.Variable`
over loss surfaces, and epoch vs mini-batch vs SGD on a real regression data set.

A "step" is the lecture's vector in weight space: how far and in which direction each w moves.
Here the weight space has two coordinates, so every step can be drawn as an arrow.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.optimizers import OPTIMIZERS

# A run that leaves this box (or produces inf/nan) has diverged; we stop drawing it there.
DIVERGENCE_LIMIT = 1e3
NOISY_POINTS = 64      # "data points" whose mean loss is the noisy surface
NOISY_BATCH = 4        # mini-batch size used for each noisy gradient
NOISY_SPREAD = 0.7


# ---- surfaces ---------------------------------------------------------------------------------
# Each function is plain arithmetic on x and y, so the same formula
# draws the contour (NumPy on a grid) and is differentiated (TensorFlow on a tf.Variable).
_ANGLE = math.radians(30)
BOWL_CURVATURES = (0.5, 20.0)  # along the valley, across it


def bowl(x, y):
    """An ill-conditioned quadratic bowl: curvature 0.5 along one axis, 20 across it, turned 30°."""
    u = math.cos(_ANGLE) * x + math.sin(_ANGLE) * y
    v = -math.sin(_ANGLE) * x + math.cos(_ANGLE) * y
    along, across = BOWL_CURVATURES
    return 0.5 * (along * u * u + across * v * v)


def rosenbrock(x, y):
    """Rosenbrock's banana valley (a = 1, b = 100): minimum 0 at (1, 1), at the end of a curved valley."""
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


def saddle(x, y):
    """A saddle at (0, 0) between two minima at (0, ±1): flat directions stall plain gradient descent."""
    return 0.5 * x * x + 0.25 * y ** 4 - 0.5 * y * y


def himmelblau(x, y):
    """Himmelblau's function / 10: four minima of value 0, which one you reach depends on the path."""
    return ((x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2) / 10.0


@dataclass(frozen=True)
class Surface:
    name: str
    fn: Callable = field(repr=False)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    default_lr: float
    default_steps: int = 100
    noisy: bool = False
    log_contours: bool = False  # contour log(1 + f) where f spans orders of magnitude


SURFACES: dict[str, Surface] = {s.name: s for s in [
    Surface("bowl", bowl, (-3.0, 3.0), (-2.2, 2.2), (-2.6, -0.5), ((0.0, 0.0),), 0.08),
    Surface("rosenbrock", rosenbrock, (-2.0, 2.0), (-1.0, 3.0), (-1.2, 1.0), ((1.0, 1.0),), 0.001,
            default_steps=300, log_contours=True),
    Surface("saddle", saddle, (-3.0, 3.0), (-2.0, 2.0), (-2.8, 0.02), ((0.0, 1.0), (0.0, -1.0)), 0.05,
            default_steps=150),
    Surface("himmelblau", himmelblau, (-5.0, 5.0), (-5.0, 5.0), (-0.3, -0.9),
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)), 0.03,
            default_steps=150, log_contours=True),
    Surface("noisy", bowl, (-3.0, 3.0), (-2.2, 2.2), (-2.6, -0.5), ((0.0, 0.0),), 0.05, noisy=True),
]}


def noisy_centres(seed: int = 0) -> np.ndarray:
    """The data of the noisy surface: point i contributes bowl(w - c_i); the mean is the full loss."""
    c = np.random.default_rng(seed).normal(0.0, NOISY_SPREAD, (NOISY_POINTS, 2))
    return (c - c.mean(axis=0)).astype("float32")  # centred, so the full-batch minimum stays at 0


def surface_value(name: str, x, y):
    """The full loss on NumPy arrays (the noisy surface: the mean over all its data points)."""
    surface = SURFACES[name]
    if not surface.noisy:
        return surface.fn(x, y)
    c = noisy_centres()
    x, y = np.asarray(x, float), np.asarray(y, float)
    return np.mean([surface.fn(x - cx, y - cy) for cx, cy in c], axis=0)


def grid(name: str, n: int = 90) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    surface = SURFACES[name]
    xs = np.linspace(*surface.x_range, n)
    ys = np.linspace(*surface.y_range, n)
    xx, yy = np.meshgrid(xs, ys)  # (n, n)
    return xs, ys, surface_value(name, xx, yy)


def lowest_value(name: str) -> float:
    """The loss at the surface's (global) minima: the floor every run is measured against."""
    return float(min(surface_value(name, np.array(x), np.array(y)) for x, y in SURFACES[name].minima))


def distance_to_minimum(name: str, point: np.ndarray) -> float:
    return float(min(np.hypot(point[0] - x, point[1] - y) for x, y in SURFACES[name].minima))


# ---- one optimizer's trajectory ---------------------------------------------------------------
@dataclass(frozen=True)
class Trajectory:
    optimizer: str
    learning_rate: float
    points: np.ndarray          # (m + 1, 2) the weights before the first step and after each step
    losses: np.ndarray          # (m + 1,) the full loss there
    grads: np.ndarray           # (m, 2) the gradient each step was computed from
    diverged_at: int | None     # the step that left the box or produced inf/nan
    seconds: float

    def step(self, t: int) -> dict[str, float]:
        """Step t as a vector in weight space: Δw, its length and direction, and plain GD's -lr·g."""
        t = int(np.clip(t, 0, len(self.grads) - 1))
        delta = self.points[t + 1] - self.points[t]
        plain = -self.learning_rate * self.grads[t]
        norm_d, norm_p = float(np.linalg.norm(delta)), float(np.linalg.norm(plain))
        cos = float(delta @ plain / (norm_d * norm_p)) if norm_d > 0 and norm_p > 0 else 1.0
        return {"t": t, "dw1": float(delta[0]), "dw2": float(delta[1]), "length": norm_d,
                "plain_length": norm_p, "angle": math.degrees(math.acos(max(-1.0, min(1.0, cos)))),
                "g1": float(self.grads[t][0]), "g2": float(self.grads[t][1])}


def optimizer_hyper(name: str, momentum: float | None) -> dict:
    """The momentum slider overrides the momentum of the entries that have one (SGD + momentum, Nesterov)."""
    if momentum is not None and "momentum" in OPTIMIZERS[name].defaults:
        return {"momentum": float(momentum)}
    return {}


MAX_STEPS = 500


class TrajectoryRunner:
    """One Keras optimizer stepping a 2-D `tf.Variable` on one surface, traced once.

    Tracing a `tf.function` costs ~0.1-0.5 s; moving a slider should not. So each (surface,
    optimizer, momentum) gets one runner whose loop is compiled on first use. Before every run
    it puts the weights at the start and every optimizer variable (step count, momenta,
    Adagrad's accumulators, ...) back to its value right after `build`: the optimizer is then
    in exactly the state of a fresh one (tests compare it with fresh optimizers)."""

    def __init__(self, surface_name: str, optimizer_name: str, momentum: float | None, seed: int = 0):
        import tensorflow as tf

        self.surface = SURFACES[surface_name]
        self.lock = threading.Lock()
        self.w = tf.Variable(np.zeros(2, dtype="float32"))  # (2,): the whole "model"
        spec = OPTIMIZERS[optimizer_name]
        self.opt = spec.make(spec.default_lr, **optimizer_hyper(optimizer_name, momentum))
        self.opt.build([self.w])
        self.initial = [np.array(v.numpy()) for v in self.opt.variables]
        # The noisy surface: data points and one fixed sequence of mini-batches (seeded).
        self.centres = tf.constant(noisy_centres(seed))  # (points, 2)
        rng = np.random.default_rng(seed + 1)
        self.batches = tf.constant(rng.integers(0, NOISY_POINTS, (MAX_STEPS, NOISY_BATCH)), tf.int32)
        self._run = tf.function(self._loop)

    def loss(self, i=None):
        """The full loss (i None), or the loss on mini-batch i of the noisy surface."""
        import tensorflow as tf

        w, fn = self.w, self.surface.fn
        if not self.surface.noisy:
            return fn(w[0], w[1])
        c = self.centres if i is None else tf.gather(self.centres, self.batches[i])  # (batch, 2)
        return tf.reduce_mean(fn(w[0] - c[:, 0], w[1] - c[:, 1]))

    def _loop(self, steps):
        import tensorflow as tf

        points = tf.TensorArray(tf.float32, size=steps + 1).write(0, self.w.read_value())
        losses = tf.TensorArray(tf.float32, size=steps + 1).write(0, self.loss())
        grads = tf.TensorArray(tf.float32, size=steps)
        for i in tf.range(steps):
            with tf.GradientTape() as tape:
                loss = self.loss(i)
            g = tape.gradient(loss, self.w)  # (2,): one partial derivative per weight
            self.opt.apply_gradients([(g, self.w)])
            grads = grads.write(i, g)
            points = points.write(i + 1, self.w.read_value())
            losses = losses.write(i + 1, self.loss())
        return points.stack(), losses.stack(), grads.stack()

    def __call__(self, learning_rate: float, steps: int, start: tuple[float, float]):
        import tensorflow as tf

        with self.lock:
            self.w.assign(np.asarray(start, dtype="float32"))
            for variable, value in zip(self.opt.variables, self.initial):
                variable.assign(value)
            self.opt.learning_rate = float(learning_rate)
            return [np.asarray(a, dtype=float) for a in self._run(tf.constant(int(steps)))]


_RUNNERS_LOCK = threading.Lock()
_RUNNERS: "OrderedDict[tuple, TrajectoryRunner]" = OrderedDict()
_RUNNERS_MAX = 48


def runner(surface_name: str, optimizer_name: str, momentum: float | None) -> TrajectoryRunner:
    momentum = optimizer_hyper(optimizer_name, momentum).get("momentum")
    key = (surface_name, optimizer_name, None if momentum is None else round(momentum, 6))
    with _RUNNERS_LOCK:
        if key not in _RUNNERS:
            _RUNNERS[key] = TrajectoryRunner(surface_name, optimizer_name, momentum)
            while len(_RUNNERS) > _RUNNERS_MAX:
                _RUNNERS.popitem(last=False)
        _RUNNERS.move_to_end(key)
        return _RUNNERS[key]


def run_trajectory(surface_name: str, optimizer_name: str, learning_rate: float, steps: int,
                   start: tuple[float, float], momentum: float | None = None) -> Trajectory:
    """Let a (reset, as good as fresh) Keras optimizer take `steps` steps from `start`."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_STEPS}, got {steps}")
    if not learning_rate > 0:
        raise ValueError(f"the learning rate must be positive, got {learning_rate}")
    began = time.perf_counter()
    points, losses, grads = runner(surface_name, optimizer_name, momentum)(learning_rate, steps, start)
    bad = ~np.isfinite(points).all(axis=1) | (np.abs(points) > DIVERGENCE_LIMIT).any(axis=1)
    diverged = int(np.argmax(bad)) if bad.any() else None
    if diverged is not None:  # keep the path up to the first point that left the box
        points, losses, grads = points[: diverged + 1], losses[: diverged + 1], grads[:diverged]
    return Trajectory(optimizer_name, float(learning_rate), points, losses, grads, diverged,
                      time.perf_counter() - began)


# ---- epoch vs mini-batch vs SGD on real data --------------------------------------------------
@dataclass(frozen=True)
class BatchRun:
    batch_size: int
    steps_per_epoch: int
    epoch_at: np.ndarray        # (steps + 1,) how many epochs had passed at each point
    losses: np.ndarray          # (steps + 1,) full-data MSE after each step
    seconds: float

    @property
    def steps(self) -> int:
        return len(self.losses) - 1

    def loss_after_epoch(self, epoch: int) -> float:
        return float(self.losses[min(epoch * self.steps_per_epoch, self.steps)])

    @property
    def up_share(self) -> float:
        """Share of steps after which the loss on all the data went *up*: the noise of small batches."""
        return float(np.mean(np.diff(self.losses) > 0)) if self.steps else 0.0

    def epochs_to_reach(self, target: float) -> float | None:
        """The first (fractional) epoch at which the full-data loss is at or below target."""
        hit = np.flatnonzero(self.losses <= target)
        return float(self.epoch_at[hit[0]]) if hit.size else None


def diabetes() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's diabetes data (442 patients, 10 features), features and target standardized."""
    from sklearn.datasets import load_diabetes

    x, y = load_diabetes(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = (y - y.mean()) / y.std()
    return x.astype("float32"), y.astype("float32")


class BatchRunner:
    """Linear regression y = x·w + b on the diabetes data, trained by `keras.optimizers.SGD`.

    Compiled once: batch size, epochs, learning rate and the shuffling order are inputs of
    the traced loop, and weights and optimizer are reset before each run."""

    def __init__(self):
        import keras
        import tensorflow as tf

        x, y = diabetes()
        self.n = len(y)
        self.x, self.y = tf.constant(x), tf.constant(y.reshape(-1, 1))  # (n, 10), (n, 1)
        self.w = tf.Variable(tf.zeros((x.shape[1], 1)))  # (10, 1)
        self.b = tf.Variable(tf.zeros((1,)))
        self.opt = keras.optimizers.SGD(learning_rate=0.01)
        self.opt.build([self.w, self.b])
        self.initial = [np.array(v.numpy()) for v in self.opt.variables]
        self.mse = keras.losses.MeanSquaredError()
        self.lock = threading.Lock()
        self._run = tf.function(self._loop)

    def _loop(self, order, batch_size, per_epoch):
        import tensorflow as tf

        epochs = tf.shape(order)[0]
        out = tf.TensorArray(tf.float32, size=epochs * per_epoch + 1)
        out = out.write(0, self.mse(self.y, self.x @ self.w + self.b))
        for e in tf.range(epochs):
            for s in tf.range(per_epoch):
                idx = order[e, s * batch_size: tf.minimum((s + 1) * batch_size, self.n)]  # (batch,)
                xb, yb = tf.gather(self.x, idx), tf.gather(self.y, idx)
                with tf.GradientTape() as tape:
                    loss = self.mse(yb, xb @ self.w + self.b)  # the mini-batch's loss
                self.opt.apply_gradients(zip(tape.gradient(loss, [self.w, self.b]), [self.w, self.b]))
                # Record the loss on *all* the data after every step, to compare runs fairly.
                out = out.write(e * per_epoch + s + 1, self.mse(self.y, self.x @ self.w + self.b))
        return out.stack()

    def __call__(self, batch_size: int, epochs: int, learning_rate: float, seed: int = 0) -> np.ndarray:
        import tensorflow as tf

        rng = np.random.default_rng(seed)
        # (epochs, n): the data is reshuffled at the start of every epoch.
        order = np.stack([rng.permutation(self.n) for _ in range(epochs)])
        with self.lock:
            self.w.assign(tf.zeros_like(self.w))
            self.b.assign(tf.zeros_like(self.b))
            for variable, value in zip(self.opt.variables, self.initial):
                variable.assign(value)
            self.opt.learning_rate = float(learning_rate)
            return np.asarray(self._run(tf.constant(order, tf.int32), tf.constant(batch_size),
                                        tf.constant(math.ceil(self.n / batch_size))), dtype=float)


_BATCH_RUNNER: list[BatchRunner] = []


def run_batches(batch_size: int, epochs: int, learning_rate: float, seed: int = 0) -> BatchRun:
    """batch_size = 442 (all the data) is full-batch gradient descent: one step per epoch.
    batch_size = 1 is stochastic gradient descent in the strict sense: one step per sample."""
    began = time.perf_counter()
    with _RUNNERS_LOCK:
        if not _BATCH_RUNNER:
            _BATCH_RUNNER.append(BatchRunner())
    run = _BATCH_RUNNER[0]
    batch_size = int(min(max(batch_size, 1), run.n))
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    losses = run(batch_size, epochs, learning_rate, seed)
    per_epoch = math.ceil(run.n / batch_size)
    return BatchRun(batch_size, per_epoch, np.arange(len(losses)) / per_epoch, losses,
                    time.perf_counter() - began)


def least_squares_loss() -> float:
    """The best MSE any linear model can reach on the data (the floor the runs approach)."""
    x, y = diabetes()
    design = np.hstack([x, np.ones((len(y), 1), dtype=x.dtype)]).astype(float)
    coef, *_ = np.linalg.lstsq(design, y.astype(float), rcond=None)
    return float(np.mean((design @ coef - y) ** 2))
