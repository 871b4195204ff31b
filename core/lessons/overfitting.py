"""Overfitting, and fitting to 100 % first: the experiments of the overfitting page.

The lecture's order (모델 구조, 오버피팅을 막는 것):
  1. 좋은 데이터는 정확도 100프로 fitting 할 수 있어야 함: on clean data, a model with enough
     capacity must reach 100 % training accuracy; only then is overfitting worth fighting.
  2. Noisy or tiny data: training accuracy still reaches 100 %, validation does not; the gap
     between them is overfitting.
  3. Dropout, BatchNormalization (무조건 사용), L2 and early stopping, compared on the same run.
Every run goes through the project's Trainer (`core.training.Trainer`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

from core.config import ExperimentConfig

DATASET_CHOICES = ("moons", "circle", "xor", "spiral", "gaussian")
SAMPLE_CHOICES = (40, 100, 200, 400)
# Capacity ladder for "fit 100 % first": from logistic regression (no hidden layer) upwards.
CAPACITIES: tuple[tuple[int, ...], ...] = ((), (2,), (8,), (64, 64))
BIG = (64, 64)            # the model that can memorise anything this page gives it
NOISES = (0.0, 0.2, 0.4)  # Playground's noise: points move, labels stay, classes overlap
BATCH_SIZES = (1, 2, 8, 32)
DROPOUT_CHOICES = (0.0, 0.1, 0.2, 0.3, 0.5)
L2_CHOICES = (0.0, 1e-4, 1e-3, 1e-2)
EPOCHS = 300
BN_EPOCHS = 150           # batch size 1 makes 50 steps per epoch: fewer epochs, as many steps
PATIENCE_DEFAULT = 30


def base_config(dataset: str = "moons", n_samples: int = 100, noise: float = 0.0,
                seed: int = 0, hidden: tuple[int, ...] = BIG, **changes) -> ExperimentConfig:
    """Half of the points train, half validate: with 100 points, 50 validation points make the
    validation accuracy move in steps of 2 %, fine enough to see a gap."""
    config = ExperimentConfig(dataset=dataset, n_samples=n_samples, noise=noise, val_split=0.5,
                              hidden=hidden, activation="relu", optimizer="adam",
                              learning_rate=0.01, batch_size=32, epochs=EPOCHS, seed=seed)
    return config.replace(**changes).validate()


def capacity_configs(dataset: str, n_samples: int, seed: int) -> list[ExperimentConfig]:
    return [base_config(dataset, n_samples, 0.0, seed, hidden) for hidden in CAPACITIES]


def noise_configs(dataset: str, n_samples: int, seed: int) -> list[ExperimentConfig]:
    return [base_config(dataset, n_samples, noise, seed) for noise in NOISES]


def regularized_config(dataset: str, n_samples: int, seed: int, dropout: float = 0.0,
                       batchnorm: bool = False, l2: float = 0.0) -> ExperimentConfig:
    """The noisiest run of the noise experiment, with regularizers switched on."""
    return base_config(dataset, n_samples, NOISES[-1], seed, dropout=dropout, batchnorm=batchnorm, l2=l2)


def batchnorm_configs(dataset: str, n_samples: int, seed: int) -> list[ExperimentConfig]:
    """Batch size x {without, with} BatchNormalization, on the middle noise level."""
    return [base_config(dataset, n_samples, NOISES[1], seed, batch_size=size, batchnorm=bn,
                        epochs=BN_EPOCHS)
            for size in BATCH_SIZES for bn in (False, True)]


# ---- early stopping -----------------------------------------------------------------------------

class EarlyStopping:
    """keras.callbacks.EarlyStopping(monitor="val_loss", patience, restore_best_weights=True)'s
    rule, fed one validation loss per epoch (epochs counted from 1 here, from 0 in Keras)."""

    def __init__(self, patience: int):
        self.patience = int(patience)
        self.best = math.inf
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch: int | None = None

    def update(self, epoch: int, val_loss: float) -> bool:
        """Record one epoch; True when training should stop after it."""
        self.wait += 1
        if val_loss < self.best:
            self.best, self.best_epoch, self.wait = val_loss, epoch, 0
            return False
        if self.wait >= self.patience and epoch > 1:
            self.stopped_epoch = epoch
            return True
        return False


# ---- one run ------------------------------------------------------------------------------------

@dataclass
class RunResult:
    config: ExperimentConfig
    patience: int | None                # early stopping's patience; None = off
    epochs: list[int] = field(default_factory=list)  # 0 (before training), 1, 2, ...
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int | None = None       # with early stopping: the epoch whose weights are kept
    stopped_epoch: int | None = None    # with early stopping: where it stopped (None: ran out)
    seconds: float = 0.0
    status: str = "finished"
    # With BatchNorm: the smallest moving variance of any BatchNorm feature after training, and
    # the validation accuracy evaluated the way the network was trained when every batch is one
    # point (training mode, each point alone). None without BatchNorm.
    bn_min_moving_variance: float | None = None
    val_acc_alone_training_mode: float | None = None

    @property
    def steps(self) -> int:
        """Optimizer steps taken (batches per epoch x epochs trained)."""
        return math.ceil(self.config.n_train / self.config.batch_size) * self.epochs[-1]

    @property
    def final(self) -> int:
        """Index of the epoch whose model we keep: the best one with early stopping
        (restore_best_weights=True), else the last."""
        return self.epochs.index(self.best_epoch) if self.best_epoch is not None else len(self.epochs) - 1

    @property
    def final_train_acc(self) -> float:
        return self.train_acc[self.final]

    @property
    def final_val_acc(self) -> float:
        return self.val_acc[self.final]

    @property
    def final_val_loss(self) -> float:
        return self.val_loss[self.final]

    @property
    def gap(self) -> float:
        """Training minus validation accuracy of the kept model: the overfitting gap."""
        return self.final_train_acc - self.final_val_acc

    @property
    def best_val_acc(self) -> float:
        return max(self.val_acc[1:] or self.val_acc)

    @property
    def first_perfect_epoch(self) -> int | None:
        """First epoch with 100 % training accuracy."""
        return next((e for e, a in zip(self.epochs, self.train_acc) if a >= 1.0), None)


def train_run(config: ExperimentConfig, patience: int | None = None,
              on_epoch: Callable[[int, int], None] | None = None) -> RunResult:
    """Train one config with the Trainer, recording accuracy and loss on both sides every
    epoch; with `patience`, stop like Keras' EarlyStopping and keep the best epoch's numbers."""
    from core.training import Trainer

    started = time.perf_counter()
    # No XLA: for runs of a few hundred small steps its compile time costs more than it saves
    # (measured here: 0.8 s instead of 2.4 s of CPU for a 300-epoch run).
    trainer = Trainer(config, snapshots=1, probe_size=10, grid_size=2, use_xla=False)
    result = RunResult(config, patience)
    stopper = EarlyStopping(patience) if patience else None
    for record in trainer.run():
        result.epochs.append(record.epoch)
        result.train_loss.append(record.train_loss)
        result.val_loss.append(record.val_loss)
        result.train_acc.append(record.train_metric)
        result.val_acc.append(record.val_metric)
        if on_epoch is not None:
            on_epoch(record.epoch, config.epochs)
        if stopper is not None and record.epoch > 0 and stopper.update(record.epoch, record.val_loss):
            trainer.stop()
            break  # the rest of the chunk's records are past the epoch Keras would stop at
    if config.batchnorm:
        result.bn_min_moving_variance, result.val_acc_alone_training_mode = trainer.with_model(
            lambda model: batchnorm_readout(model, trainer.data))
    if stopper is not None:
        result.best_epoch = stopper.best_epoch or None
        result.stopped_epoch = stopper.stopped_epoch
    result.status = trainer.status if trainer.status == "diverged" else (
        "stopped_early" if result.stopped_epoch else "finished")
    result.seconds = time.perf_counter() - started
    return result


def batchnorm_readout(model, data) -> tuple[float, float]:
    """(smallest moving variance of any BatchNorm feature, validation accuracy with each point
    passed alone in training mode). `stateless_call` leaves the running statistics untouched."""
    import keras
    import numpy as np

    variances = [float(np.min(layer.moving_variance.numpy())) for layer in model.layers
                 if isinstance(layer, keras.layers.BatchNormalization)]
    trainable = [v.value for v in model.trainable_variables]
    fixed = [v.value for v in model.non_trainable_variables]
    x_val = data.x_val.astype("float32")
    alone = [model.stateless_call(trainable, fixed, x_val[i:i + 1], training=True)[0]
             for i in range(len(x_val))]
    preds = np.concatenate([np.asarray(p) for p in alone])  # (n_val, outputs), one batch per point
    labels = (preds[:, 0] > 0.5).astype(int) if preds.shape[1] == 1 else preds.argmax(axis=1)
    return min(variances), float(np.mean(labels == data.y_val.reshape(-1)))


def verdict_noise(accuracy: float, n_val: int) -> float:
    """Two binomial standard errors of a difference between two accuracies near `accuracy` on the
    same `n_val` validation points: differences smaller than this are within the noise of one
    seed's validation set."""
    p = min(max(accuracy, 1.0 / n_val), 1.0 - 1.0 / n_val)
    return 2.0 * math.sqrt(2.0 * p * (1.0 - p) / n_val)


# ---- what the page reads out --------------------------------------------------------------------

def smallest_perfect(results: list[RunResult]) -> RunResult | None:
    """The least capacity (in ladder order) that reaches 100 % training accuracy."""
    return next((r for r in results if r.first_perfect_epoch is not None), None)


def chance_accuracy(config: ExperimentConfig) -> float:
    """Always answering the validation set's most common class."""
    import numpy as np

    from core.datasets import split_for

    data = split_for(config)
    return float(np.bincount(data.y_val).max() / len(data.y_val))


def first_layer_gradient(config: ExperimentConfig, batch_size: int) -> float:
    """‖∂loss/∂W‖ of hidden_1's kernel on the first `batch_size` training points, in training
    mode, for the untrained model: with BatchNorm and one example it is exactly 0."""
    import tensorflow as tf

    from core.datasets import split_for
    from core.losses import LOSSES, encode_targets
    from core.models import build_model, scaled_norm

    data = split_for(config)
    model = build_model(config)
    y = encode_targets(data.y_train[:batch_size], data.task, config.loss, data.n_classes)
    with tf.GradientTape() as tape:
        loss = LOSSES[config.loss].keras(y, model(data.x_train[:batch_size], training=True))
    return float(scaled_norm(tape.gradient(loss, model.get_layer("hidden_1").kernel)))


# ---- labels (in the learner's language) ---------------------------------------------------------

def widths_label(hidden: tuple[int, ...], lang: str) -> str:
    from core.i18n import t

    if not hidden:
        return t("overfitting.capacity.label_linear", lang)
    return t("overfitting.capacity.label", lang, widths="-".join(str(w) for w in hidden))


def run_label(config: ExperimentConfig, patience: int | None, lang: str) -> str:
    """The regularizers of a run, e.g. "Dropout 0.3 + early stopping (30)"."""
    from core.i18n import t

    parts = []
    if config.dropout:
        parts.append(t("overfitting.reg.label_dropout", lang, rate=f"{config.dropout:g}"))
    if config.batchnorm:
        parts.append(t("overfitting.reg.label_bn", lang))
    if config.l2:
        parts.append(t("overfitting.reg.label_l2", lang, l2=f"{config.l2:g}"))
    if patience:
        parts.append(t("overfitting.reg.label_early", lang, patience=patience))
    return " + ".join(parts) or t("overfitting.reg.none", lang)


def comparison_table(runs: list[tuple[str, RunResult]], lang: str) -> dict[str, list]:
    """Columns of the regularizer table: one row per (label, run)."""
    from core.i18n import t

    def col(name):
        return t(f"overfitting.reg.col.{name}", lang)

    return {col("setting"): [label for label, _ in runs],
            col("train"): [f"{100 * r.final_train_acc:.0f} %" for _, r in runs],
            col("val"): [f"{100 * r.final_val_acc:.0f} %" for _, r in runs],
            col("gap"): [t("overfitting.points", lang, value=f"{100 * r.gap:+.0f}") for _, r in runs],
            col("val_loss"): [f"{r.final_val_loss:.3f}" for _, r in runs],
            col("epoch"): [r.epochs[r.final] for _, r in runs]}


# ---- the page's measured sentences ---------------------------------------------------------------

def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def _points(value: float, lang: str) -> str:
    from core.i18n import t

    return t("overfitting.points", lang, value=f"{100 * value:+.0f}")


def capacity_text(capacity: list[RunResult], dataset: str, lang: str) -> dict[str, str]:
    """Notice and claim for the capacity ladder: which models reached 100 % and when."""
    from core.i18n import t

    names = [widths_label(r.config.hidden, lang) for r in capacity]
    def line(name: str, run: RunResult) -> str:
        if run.first_perfect_epoch:
            return t("overfitting.capacity.reached", lang, label=name, epoch=run.first_perfect_epoch)
        return t("overfitting.capacity.peaked", lang, label=name, acc=_pct(max(run.train_acc)))

    summary = "; ".join(line(name, r) for name, r in zip(names, capacity))
    smallest = smallest_perfect(capacity)
    label = names[capacity.index(smallest)] if smallest else ""
    data = t(f"overfitting.data.{dataset}", lang)
    verdict = (t("overfitting.capacity.verdict_ok", lang, label=label) if smallest
               else t("overfitting.capacity.verdict_none", lang))
    key = ("measured_none" if smallest is None else "measured_linear" if smallest is capacity[0]
           else "measured_ok")
    measured = t(f"overfitting.capacity.{key}", lang, data=data, label=label,
                 epoch=smallest.first_perfect_epoch if smallest else 0,
                 linear=_pct(max(capacity[0].train_acc)), best=_pct(max(max(r.train_acc) for r in capacity)))
    return dict(names=names, data=data, n_train=capacity[0].config.n_train, summary=summary, verdict=verdict,
                measured=measured)


def noise_numbers(noisy: list[RunResult], lang: str) -> dict[str, str]:
    numbers = {}
    for i, run in enumerate(noisy):
        numbers.update({f"n{i}": run.config.noise, f"g{i}": _points(run.gap, lang),
                        f"t{i}": _pct(run.final_train_acc), f"v{i}": _pct(run.final_val_acc),
                        f"l{i}": f"{run.final_val_loss:.2f}"})
    return numbers


def regularizer_numbers(baseline: RunResult, run: RunResult, label: str, lang: str) -> dict[str, str]:
    from core.i18n import t

    delta = 100 * (baseline.gap - run.gap)
    n_val = baseline.config.n_samples - baseline.config.n_train
    noise = 100 * verdict_noise(baseline.final_val_acc, n_val)
    outcome = "better" if delta >= noise else "worse" if delta <= -noise else "noise"
    verdict = t(f"overfitting.reg.verdict_{outcome}", lang, delta=f"{delta:.0f}", noise=f"{noise:.0f}",
                n_val=n_val)
    if sum((run.config.dropout > 0, run.config.batchnorm, run.config.l2 > 0, run.patience is not None)) > 1:
        verdict += " " + t("overfitting.reg.mixed", lang)
    if run.stopped_epoch:
        verdict += " " + t("overfitting.reg.stopped", lang, stopped=run.stopped_epoch, best=run.best_epoch)
    return dict(bt=_pct(baseline.final_train_acc), bv=_pct(baseline.final_val_acc),
                bg=_points(baseline.gap, lang), bl=f"{baseline.final_val_loss:.2f}", label=label,
                rt=_pct(run.final_train_acc), rv=_pct(run.final_val_acc), rg=_points(run.gap, lang),
                rl=f"{run.final_val_loss:.2f}", verdict=verdict)


def batchnorm_text(runs: list[RunResult], noisy_bn: RunResult, noisy: RunResult | None, chance: float,
                   gradients: tuple[float, float], lang: str) -> tuple[dict[str, str], str]:
    """Notice numbers and the measured claim for batch size x BatchNorm. `runs` alternate
    without/with BatchNorm in BATCH_SIZES order; `gradients` are hidden_1's gradient norms on one
    example (with, without BatchNorm)."""
    from core.i18n import t

    off, on = [r.final_val_acc for r in runs[0::2]], [r.final_val_acc for r in runs[1::2]]
    numbers = dict(big=BATCH_SIZES[-1], big_off=_pct(off[-1]), big_on=_pct(on[-1]), one_off=_pct(off[0]),
                   one_on=_pct(on[0]), two_off=_pct(off[1]), two_on=_pct(on[1]), chance=_pct(chance),
                   two_change=_points(on[1] - off[1], lang), g_bn=f"{gradients[0]:.2g}",
                   g_plain=f"{gradients[1]:.2g}",
                   bg=_points(noisy.gap, lang) if noisy else "—", ng=_points(noisy_bn.gap, lang))
    n_val = runs[0].config.n_samples - runs[0].config.n_train
    noise = verdict_noise(off[-1], n_val)
    hurts = on[0] < off[0] - noise or on[1] < off[1] - noise
    big_verdict = ("helps" if on[-1] - off[-1] >= noise else "hurts" if off[-1] - on[-1] >= noise
                   else "within_noise")
    one = runs[1]  # batch size 1 with BatchNorm
    numbers["why_one"] = t("overfitting.bn.why_one", lang, var=f"{one.bn_min_moving_variance:.1e}",
                           steps=one.steps, decay=f"{0.99 ** one.steps:.1e}", one_on=_pct(on[0]),
                           alone=_pct(one.val_acc_alone_training_mode), chance=_pct(chance))
    numbers["noise_note"] = t("overfitting.bn.noise_note", lang, n_val=n_val, noise=f"{100 * noise:.0f}")
    one_verdict = "breaks" if on[0] <= chance + 0.1 else "still_trains"
    measured = t("overfitting.bn.measured" if hurts else "overfitting.bn.measured_holds", lang, **numbers,
                 big_verdict=t(f"overfitting.bn.{big_verdict}", lang),
                 one_verdict=t(f"overfitting.bn.{one_verdict}", lang))
    return numbers, measured
