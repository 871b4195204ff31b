"""Two or more models trained on the same task over several seeds, and the sentence about who
won chosen from the numbers: "deeper won in 4 of 5 seeds", never the lecture's claim by default.

A seed decides the data (sample and split) and the initial weights. Every run trains full batch
(one step per epoch on all training points), so the order of the points plays no part and a
run is reproduced by Keras' own `model.fit(batch_size=n, shuffle=False)` (tests/claims).
The runs use the project's Trainer without XLA: for a few hundred tiny steps its compile time
would cost more than it saves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.config import ExperimentConfig
from core.lessons.batch_spread import Spread

SEEDS = (0, 1, 2, 3, 4)
FULL_BATCH = 5000  # the largest the config allows; clamped by the Trainer to the training set: one step per epoch


@dataclass
class RaceRun:
    name: str
    seed: int
    params: int
    train_loss: list[float] = field(default_factory=list)  # per epoch, epoch 0 = before training
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)  # accuracy (classification)
    # The loss each step minimised, in training mode (dropout on, BatchNorm on the batch's own
    # statistics): what model.fit reports as "loss". NaN at epoch 0. The losses above are
    # measured after each epoch in inference mode, as model.evaluate does.
    fit_loss: list[float] = field(default_factory=list)

    @property
    def final(self) -> dict[str, float]:
        return {"train_loss": self.train_loss[-1], "val_loss": self.val_loss[-1],
                "val_metric": self.val_metric[-1]}


@dataclass
class Race:
    names: tuple[str, ...]
    seeds: tuple[int, ...]
    runs: dict[tuple[str, int], RaceRun]
    configs: dict[str, ExperimentConfig]  # each contender's config at seed 0
    seconds: float = 0.0

    def spread(self, name: str, measure: str) -> Spread:
        """A final number (`train_loss`, `val_loss`, `val_metric`) of one contender, per seed."""
        return Spread(tuple(self.runs[name, s].final[measure] for s in self.seeds))

    def differences(self, a: str, b: str, measure: str) -> Spread:
        """b - a per seed: positive when `a` has the lower (better) loss."""
        return Spread(tuple(self.runs[b, s].final[measure] - self.runs[a, s].final[measure]
                            for s in self.seeds))

    def wins(self, a: str, b: str, measure: str) -> int:
        """Seeds where `a` ends with the lower loss (`measure` a loss) than `b`."""
        return sum(d > 0 for d in self.differences(a, b, measure).values)

    def curve_band(self, name: str, measure: str = "train_loss") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, min, max) over seeds of a per-epoch curve."""
        curves = np.array([getattr(self.runs[name, s], measure) for s in self.seeds])  # (seeds, epochs)
        return curves.mean(axis=0), curves.min(axis=0), curves.max(axis=0)


def outcome(wins: int, n: int) -> str:
    """How `a` fared against `b` over `n` seeds: "all", "most", "half", "few" or "none"."""
    if wins == n:
        return "all"
    if wins == 0:
        return "none"
    if 2 * wins > n:
        return "most"
    return "half" if 2 * wins == n else "few"


def run_one(config: ExperimentConfig, name: str) -> RaceRun:
    """Train one config full batch and record its losses and accuracy every epoch."""
    from core.training import Trainer

    trainer = Trainer(config, snapshots=1, probe_size=10, grid_size=2, use_xla=False)
    run = RaceRun(name, config.seed, 0)
    for record in trainer.run():
        run.train_loss.append(float(record.train_loss))
        run.val_loss.append(float(record.val_loss))
        run.val_metric.append(float(record.val_metric))
        run.fit_loss.append(float(record.fit_loss))
    run.params = int(trainer.with_model(lambda model: model.count_params()))
    return run


def race(configs: dict[str, ExperimentConfig], seeds: tuple[int, ...] = SEEDS,
         progress: Callable[[float], None] | None = None) -> Race:
    """Every contender at every seed (the configs' own seed is replaced), full batch."""
    started = time.perf_counter()
    runs, total, done = {}, len(configs) * len(seeds), 0
    for seed in seeds:
        for name, config in configs.items():
            runs[name, seed] = run_one(config.replace(seed=seed, batch_size=FULL_BATCH).validate(), name)
            done += 1
            if progress is not None:
                progress(done / total)
    return Race(tuple(configs), tuple(seeds), runs, dict(configs), time.perf_counter() - started)


def verdict(r: Race, a: str, b: str, measure: str = "val_loss") -> dict[str, object]:
    """The numbers a sentence about "a beats b" is made of: wins of a, seeds, the outcome key,
    and b - a as mean and range over seeds."""
    diff = r.differences(a, b, measure)
    wins = r.wins(a, b, measure)
    return {"wins": wins, "lost": len(r.seeds) - wins, "n": len(r.seeds), "outcome": outcome(wins, len(r.seeds)),
            "diff": f"{diff.mean:+.3f}", "diff_lo": f"{diff.lo:+.3f}", "diff_hi": f"{diff.hi:+.3f}"}
