"""Which learning rate works for which batch size, on the optimizers page: the same linear
regression (core.lessons.optimizers.run_batches, Keras SGD on the diabetes data) trained for a
few epochs at every (batch size, learning rate, seed), with the time one epoch took.

The lecture moves from epoch steps to batch steps (SGD) for efficiency; the price is noise, and
a batch of one tolerates only a small learning rate. The sentence on the page is chosen from the
numbers: the best learning rate per batch size, and whether it grows with the batch size.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.lessons.optimizers import run_batches

BATCH_SIZES = (1, 32, 442)  # SGD, a mini-batch, the whole data set (442 patients)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
EPOCHS = 5
SEEDS = (0, 1, 2, 3, 4)  # the shuffling order (full batch has none: it runs once)
START_LOSS = 1.0  # w = 0, b = 0 on a standardized target: the MSE is its variance, 1


@dataclass
class LrSweep:
    batch_sizes: tuple[int, ...]
    learning_rates: tuple[float, ...]
    seeds: tuple[int, ...]
    epochs: int
    final: np.ndarray     # (batch sizes, learning rates, seeds) full-data MSE after `epochs`; inf if diverged
    seconds: np.ndarray   # (batch sizes,) median wall-clock seconds per epoch on this machine

    def mean_final(self) -> np.ndarray:
        """(batch sizes, learning rates): mean over seeds, inf when any seed diverged."""
        return np.where(np.isfinite(self.final).all(axis=2), np.mean(np.where(np.isfinite(self.final),
                                                                              self.final, 0.0), axis=2), np.inf)

    def best_lr(self) -> list[float]:
        """Per batch size, the learning rate with the lowest mean final loss."""
        return [self.learning_rates[int(np.argmin(row))] for row in self.mean_final()]

    def largest_stable_lr(self) -> list[float | None]:
        """Per batch size, the largest learning rate whose every seed ended below the start loss."""
        stable = (np.isfinite(self.final) & (self.final < START_LOSS)).all(axis=2)  # (batch sizes, lrs)
        return [max((lr for lr, ok in zip(self.learning_rates, row) if ok), default=None) for row in stable]

    def outcome(self) -> str:
        """"grows" when the best learning rate never falls as the batch grows and the full batch's
        is larger than batch size 1's; "mixed" otherwise."""
        best = self.best_lr()
        return "grows" if all(a <= b for a, b in zip(best, best[1:])) and best[-1] > best[0] else "mixed"


def lr_sweep(batch_sizes=BATCH_SIZES, learning_rates=LEARNING_RATES, epochs: int = EPOCHS,
             seeds=SEEDS, progress: Callable[[float], None] | None = None) -> LrSweep:
    """Every batch size at every learning rate and seed (the full batch at seed 0 only: every
    seed gives it the same run)."""
    final = np.full((len(batch_sizes), len(learning_rates), len(seeds)), np.inf)
    seconds = np.zeros(len(batch_sizes))
    total, done = len(batch_sizes) * len(learning_rates) * len(seeds), 0
    for i, bs in enumerate(batch_sizes):
        per_epoch = []
        for j, lr in enumerate(learning_rates):
            for k, seed in enumerate(seeds):
                if bs >= 442 and k > 0:
                    final[i, j, k] = final[i, j, 0]  # no shuffling in a full batch: the same run
                else:
                    started = time.perf_counter()
                    loss = float(run_batches(bs, epochs, lr, seed).losses[-1])
                    per_epoch.append((time.perf_counter() - started) / epochs)
                    final[i, j, k] = loss if math.isfinite(loss) else np.inf
                done += 1
                if progress is not None:
                    progress(done / total)
        seconds[i] = float(np.median(per_epoch))
    return LrSweep(tuple(batch_sizes), tuple(learning_rates), tuple(seeds), epochs, final, seconds)


def sweep_numbers(s: LrSweep, lang: str) -> dict[str, object]:
    """The sentence's numbers: best and largest stable learning rate per batch size, steps and
    seconds per epoch, and the outcome sentence."""
    from core.i18n import t

    best, stable = s.best_lr(), s.largest_stable_lr()
    numbers: dict[str, object] = {"epochs": s.epochs, "n_seeds": len(s.seeds)}
    for name, bs, b, st, sec in zip(("sgd", "mid", "full"), s.batch_sizes, best, stable, s.seconds):
        numbers.update({f"{name}_bs": bs, f"{name}_best": f"{b:g}", f"{name}_stable": f"{st:g}" if st else "–",
                        f"{name}_steps": math.ceil(442 / bs), f"{name}_seconds": f"{1000 * sec:.3g}"})
    # Said only when measured: batch size 1 diverges at the rate the full batch does best with,
    # and the seconds per epoch (timed when the result was computed) fall as the batch grows.
    full_best = best[-1]
    numbers["diverge"] = t("optimizers.lr_sweep.diverge." + ("yes" if stable[0] is None or stable[0] < full_best
                                                               else "no"), lang, **numbers)
    falls = all(a > b for a, b in zip(s.seconds, s.seconds[1:]))
    numbers["timing"] = t("optimizers.lr_sweep.timing." + ("falls" if falls else "mixed"), lang, **numbers)
    numbers["sentence"] = t(f"optimizers.lr_sweep.outcome.{s.outcome()}", lang, **numbers)
    return numbers
