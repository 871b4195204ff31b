"""Why deep networks are hard to train: a sweep over depth x {plain, +BatchNorm, +skips, +both}.

Every cell of the sweep builds the project's model (`core.models.build_model`), measures the
gradient norm of every layer's kernel at initialisation, trains for a few epochs and evaluates.
The lecture's claims this checks (깊은망 학습):
  * deeper networks are harder to train; BatchNormalization and skip connections fix that;
  * with equal accuracy, use as few layers as possible (같은 정확도라면 layer는 최소로).

Why not `core.training.Trainer` for the cells? A sweep builds 20 new models, and tracing is
what costs: the Trainer compiles a whole-epoch loop plus separate evaluation, gradient and
probe functions (about 13 s of CPU for one 32-layer BatchNorm model on this machine), while one
compiled train step is about 4 s. A few hundred steps of a tiny model do not pay that back.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from core.config import ExperimentConfig
from core.datasets import DATASETS, split_for
from core.losses import DEFAULT_LOSS, LOSSES, encode_targets

# name -> (skip, batchnorm); the sweep's columns, in this order everywhere.
VARIANTS: dict[str, tuple[bool, bool]] = {
    "plain": (False, False),
    "batchnorm": (False, True),
    "skip": (True, False),
    "both": (True, True),
}
DEFAULT_DEPTHS = (2, 4, 8, 16, 32)
DEPTH_CHOICES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
METRICS = ("val_accuracy", "train_loss", "first_grad")  # what the grid can be coloured by
DATASET_CHOICES = ("circle", "moons", "xor", "gaussian", "spiral")
EPOCH_CHOICES = (10, 20, 30, 50, 100)
# "The same accuracy": within one percentage point of the best cell.
EQUAL_ACCURACY = 0.01
# Keras' BatchNormalization keeps running averages with momentum 0.99, i.e. an average over the
# last ~100 steps, which trails far behind the weights in a run of a few hundred steps; the
# inference-mode accuracy then measures stale statistics instead of the trained network.
# 0.9 (PyTorch's default) follows the last ~10 steps.
BN_MOMENTUM = 0.9
GRAD_PROBE_SIZE = 1000  # the same number of training points the Trainer's snapshots use


@dataclass(frozen=True)
class SweepSettings:
    """Everything that decides a sweep's numbers (the cache key of every cell)."""

    activation: str = "sigmoid"
    dataset: str = "circle"
    depths: tuple[int, ...] = DEFAULT_DEPTHS
    width: int = 16
    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 0.01
    n_samples: int = 400
    seed: int = 0

    def config(self, depth: int, variant: str) -> ExperimentConfig:
        skip, batchnorm = VARIANTS[variant]
        task = DATASETS[self.dataset].task
        return ExperimentConfig(
            dataset=self.dataset, n_samples=self.n_samples, hidden=(self.width,) * depth,
            activation=self.activation, skip=skip, batchnorm=batchnorm, loss=DEFAULT_LOSS[task],
            optimizer="adam", learning_rate=self.learning_rate, batch_size=self.batch_size,
            epochs=self.epochs, seed=self.seed).validate()

    def cells(self) -> list[tuple[int, str]]:
        """(depth, variant) in the order they are trained: shallow first, so the cheap cells
        fill in quickly and the expensive deep ones come last."""
        return [(d, v) for d in sorted(set(self.depths)) for v in VARIANTS]

    def cell_key(self, depth: int, variant: str) -> tuple:
        """The key of one cell: independent of the other depths in the grid, so changing the
        grid reuses every cell already trained."""
        return (replace(self, depths=()), depth, variant)


@dataclass
class CellResult:
    depth: int
    variant: str
    # Mean training loss per epoch, as Keras' fit reports it (mini-batches, training mode);
    # index 0 is the loss of the untrained network on the whole training set.
    loss_curve: list[float]
    train_loss: float           # after training, inference mode, whole training set
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    # Layer name -> L2 norm of d loss / d kernel at initialisation, input side first.
    grad_norms: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    diverged: bool = False


def _accuracy(task: str, pred: np.ndarray, labels: np.ndarray) -> float:
    if task == "binary":
        return float(np.mean((pred[:, 0] > 0.5).astype(int) == labels))
    return float(np.mean(pred.argmax(axis=1) == labels))


def init_gradient_norms(model, x, y, loss_fn) -> dict[str, float]:
    """L2 norm of d loss / d kernel for every Dense layer, on the untrained model.

    `stateless_call` reads BatchNorm's statistics without updating them, so measuring does not
    change the network that is trained afterwards (the Trainer's snapshots do the same)."""
    from core.models import kernel_gradient_norms, kernel_layers

    norms = kernel_gradient_norms(model, loss_fn, x, y).numpy()
    return {name: float(v) for name, v in zip(kernel_layers(model), norms)}


class FusedAdam:
    """`keras.optimizers.Adam`'s update with its defaults, one fused TensorFlow kernel per variable.

    Keras 3 traces about twenty small operations per variable for Adam; a 32-layer BatchNorm
    network has 129 variables, and tracing its update cost more CPU than the 300 training steps
    that follow. `tf.raw_ops.ResourceApplyAdam` (the kernel tf.keras' Adam ran on until
    TF 2.11) does the same arithmetic in one operation:
        m <- b1 m + (1 - b1) g,   v <- b2 v + (1 - b2) g^2,
        w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps).
    tests/unit/test_lesson_deep.py checks the weights against keras.optimizers.Adam."""

    def __init__(self, variables, learning_rate: float, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7):
        import tensorflow as tf

        self.variables = list(variables)
        self.learning_rate, self.beta_1, self.beta_2, self.epsilon = (
            float(learning_rate), beta_1, beta_2, epsilon)
        self.m = [tf.Variable(tf.zeros(v.shape, v.dtype)) for v in self.variables]
        self.v = [tf.Variable(tf.zeros(v.shape, v.dtype)) for v in self.variables]
        self.iterations = tf.Variable(0.0)

    def apply(self, grads) -> None:
        import tensorflow as tf

        step = self.iterations.assign_add(1.0)
        beta_1_power, beta_2_power = tf.pow(self.beta_1, step), tf.pow(self.beta_2, step)
        for grad, var, m, v in zip(grads, self.variables, self.m, self.v):
            tf.raw_ops.ResourceApplyAdam(
                var=var.value.handle, m=m.handle, v=v.handle, beta1_power=beta_1_power,
                beta2_power=beta_2_power, lr=self.learning_rate, beta1=self.beta_1,
                beta2=self.beta_2, epsilon=self.epsilon, grad=grad)


def set_batchnorm_momentum(model, momentum: float = BN_MOMENTUM) -> None:
    """Shorten BatchNormalization's running averages (before the first call is traced)."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum


def train_cell(settings: SweepSettings, depth: int, variant: str,
               on_epoch: Callable[[int, int], None] | None = None) -> CellResult:
    """Build, measure gradients at initialisation, train `settings.epochs` epochs, evaluate."""
    import tensorflow as tf

    from core.models import build_model

    started = time.perf_counter()
    config = settings.config(depth, variant)
    data = split_for(config)
    model = build_model(config)  # seeded: the same cell always starts from the same weights
    set_batchnorm_momentum(model)
    loss_fn = LOSSES[config.loss].keras
    optimizer = FusedAdam(model.trainable_variables, config.learning_rate)
    x_train = tf.constant(data.x_train)  # (n_train, features)
    y_train = tf.constant(encode_targets(data.y_train, data.task, config.loss, data.n_classes))
    grad_norms = init_gradient_norms(model, x_train[:GRAD_PROBE_SIZE], y_train[:GRAD_PROBE_SIZE],
                                     loss_fn)
    first_loss = float(loss_fn(y_train, model(x_train, training=False)))

    # One compiled step whose batch dimension may vary, so the last, smaller batch of an
    # epoch does not trace a second copy. No XLA: compiling costs more than it saves here.
    @tf.function(input_signature=[tf.TensorSpec([None, x_train.shape[1]], tf.float32),
                                  tf.TensorSpec([None, *y_train.shape[1:]], y_train.dtype)])
    def train_step(x_batch, y_batch):
        with tf.GradientTape() as tape:
            loss = loss_fn(y_batch, model(x_batch, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads)
        return loss

    rng = np.random.default_rng(config.seed)
    n_train, batch = len(data.x_train), min(config.batch_size, len(data.x_train))
    curve, diverged = [first_loss], False
    for epoch in range(1, config.epochs + 1):
        order = rng.permutation(n_train)  # a new shuffle every epoch
        losses = [train_step(tf.gather(x_train, order[start:start + batch]),
                             tf.gather(y_train, order[start:start + batch]))
                  for start in range(0, n_train, batch)]
        curve.append(float(np.mean([float(v) for v in losses])))
        if not math.isfinite(curve[-1]):
            diverged = True
            break
        if on_epoch is not None:
            on_epoch(epoch, config.epochs)

    def evaluate(x, labels, y):
        pred = model(x, training=False).numpy()  # inference mode: BatchNorm's running statistics
        return float(loss_fn(y, pred)), _accuracy(data.task, pred, labels)

    train_loss, train_accuracy = evaluate(x_train, data.y_train, y_train)
    y_val = encode_targets(data.y_val, data.task, config.loss, data.n_classes)
    val_loss, val_accuracy = evaluate(tf.constant(data.x_val), data.y_val, y_val)
    return CellResult(depth, variant, curve, train_loss, train_accuracy, val_loss, val_accuracy,
                      grad_norms, time.perf_counter() - started, diverged)


def init_profile(settings: SweepSettings, depth: int) -> dict[str, dict[str, float]]:
    """Gradient norms at initialisation for every variant at one depth, without training:
    cheap enough to show before any sweep has run."""
    import tensorflow as tf

    from core.models import build_model

    profile = {}
    for variant in VARIANTS:
        config = settings.config(depth, variant)
        data = split_for(config)
        model = build_model(config)
        y = encode_targets(data.y_train, data.task, config.loss, data.n_classes)
        profile[variant] = init_gradient_norms(model, tf.constant(data.x_train[:GRAD_PROBE_SIZE]),
                                               tf.constant(y[:GRAD_PROBE_SIZE]),
                                               LOSSES[config.loss].keras)
    return profile


def baseline(settings: SweepSettings) -> tuple[float, float]:
    """What guessing scores: (accuracy of always answering the validation set's most common
    class, cross-entropy of always predicting the training set's class frequencies)."""
    config = settings.config(1, "plain")
    data = split_for(config)
    accuracy = float(np.bincount(data.y_val).max() / len(data.y_val))
    prior = np.bincount(data.y_train) / len(data.y_train)
    prior = prior[prior > 0]
    return accuracy, float(-(prior * np.log(prior)).sum())


# ---- reading the sweep out --------------------------------------------------------------------

@dataclass
class Readout:
    best_accuracy: float
    fewest_depth: int              # fewest layers reaching the best accuracy (within EQUAL_ACCURACY)
    fewest_variants: list[str]     # which variants reach it at that depth
    deepest: int
    plain_deep_accuracy: float     # plain network at the deepest depth
    both_deep_accuracy: float      # +skips +BatchNorm at the deepest depth
    plain_first_grad: float        # gradient norm of hidden_1 at init, plain, deepest
    plain_output_grad: float       # ... and of the output layer
    skip_first_grad: float         # hidden_1 at init with skips (+both), deepest
    plain_max_grad: float          # the largest gradient norm of any layer, plain, deepest

    @property
    def plain_shrink(self) -> float:
        """How many times smaller the first layer's gradient is than the output layer's."""
        return self.plain_output_grad / max(self.plain_first_grad, 1e-300)

    @property
    def gradient_story(self) -> str:
        """Which reading of the plain network's gradients the numbers support: "vanishing"
        (100x or more smaller at the first layer), "starved" (every layer below 1e-4), or
        "arrives" (neither: vanishing gradients are not the explanation)."""
        if self.plain_shrink >= 100:
            return "vanishing"
        return "starved" if self.plain_max_grad < 1e-4 else "arrives"


def read_out(settings: SweepSettings, results: dict[tuple[int, str], CellResult]) -> Readout | None:
    """The sweep's lesson in numbers; None until every cell has a result."""
    cells = settings.cells()
    if not cells or any(cell not in results for cell in cells):
        return None
    best = max(results[c].val_accuracy for c in cells)
    reaching = [c for c in cells if results[c].val_accuracy >= best - EQUAL_ACCURACY]
    fewest = min(d for d, _ in reaching)
    deepest = max(d for d, _ in cells)
    plain, both = results[(deepest, "plain")], results[(deepest, "both")]
    return Readout(best, fewest, [v for d, v in reaching if d == fewest], deepest,
                   plain.val_accuracy, both.val_accuracy, plain.grad_norms["hidden_1"],
                   plain.grad_norms["output"], both.grad_norms["hidden_1"], max(plain.grad_norms.values()))


def metric_value(result: CellResult, metric: str) -> float:
    return {"val_accuracy": result.val_accuracy, "train_loss": result.train_loss,
            "first_grad": result.grad_norms["hidden_1"]}[metric]


def lesson_text(settings: SweepSettings, results: dict[tuple[int, str], CellResult],
                readout: Readout, chance: float, lang: str) -> dict[str, str]:
    """The measured numbers of a complete sweep, formatted for the page's notice and claim
    (`plain`, `story`: the bullets whose wording the numbers choose; `fails`: "1" or "")."""
    from core.activations import ACTIVATIONS
    from core.i18n import t

    def pct(value: float) -> str:
        return f"{100 * value:.0f} %"

    def grad(value: float) -> str:
        return t("deep.readout.zero", lang) if value == 0 else f"{value:.1e}"

    depth = readout.deepest
    numbers = dict(act=ACTIVATIONS[settings.activation].label, depth=depth, chance=pct(chance),
                   best=pct(readout.best_accuracy), fewest=readout.fewest_depth,
                   skip_first=f"{readout.skip_first_grad:.1e}",
                   fewest_variants=", ".join(t(f"deep.variant.{v}", lang) for v in readout.fewest_variants),
                   **{f"{short}_acc": pct(results[(depth, v)].val_accuracy) for short, v in
                      (("plain", "plain"), ("bn", "batchnorm"), ("skip", "skip"), ("both", "both"))})
    shrink = (t("deep.shrink_zero", lang, depth=depth) if readout.plain_first_grad == 0
              else t("deep.shrink_ratio", lang, ratio=f"{readout.plain_shrink:.1e}"))
    numbers["story"] = t(f"deep.story.{readout.gradient_story}", lang, depth=depth, act=numbers["act"],
                         g_first=grad(readout.plain_first_grad), g_out=f"{readout.plain_output_grad:.1e}",
                         g_max=f"{readout.plain_max_grad:.1e}", shrink=shrink)
    # "Fails": the plain deepest network is closer to guessing than to the best cell.
    fails = readout.plain_deep_accuracy < chance + 0.5 * (readout.best_accuracy - chance)
    numbers["plain"] = t("deep.plain.fails" if fails else "deep.plain.trains", lang, **numbers)
    numbers["fails"] = "1" if fails else ""
    return numbers
