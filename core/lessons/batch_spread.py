"""Epoch vs mini-batch vs SGD over several shuffling seeds: the optimizers page's numbers as
mean and range, and its sentences chosen by the relation measured across every seed.

The runs themselves are `core.lessons.optimizers.run_batches` (a compiled Keras SGD loop)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.lessons.optimizers import BatchRun, run_batches


# ---- the same comparison over several shuffling seeds -----------------------------------------
BATCH_SEEDS = (0, 1, 2, 3, 4)  # the order of the samples is the only random part of a run


@dataclass(frozen=True)
class Spread:
    """One number measured once per seed."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def lo(self) -> float:
        return float(np.min(self.values))

    @property
    def hi(self) -> float:
        return float(np.max(self.values))

    def text(self, fmt: str = ".3f") -> str:
        """"mean (lo–hi)", or the single value when every seed gives the same."""
        if self.hi - self.lo <= 1e-12 * max(1.0, abs(self.mean)):
            return format(self.mean, fmt)
        return f"{self.mean:{fmt}} ({self.lo:{fmt}}–{self.hi:{fmt}})"

    def relation(self, value: float) -> str:
        """Where `value` lies against every seed: "above" all of them, "below" all, or "inside"."""
        return "above" if value > self.hi else "below" if value < self.lo else "inside"


@dataclass(frozen=True)
class BatchComparison:
    """Full batch (no randomness), a mini-batch size and batch size 1, each over `seeds`."""

    full: BatchRun
    mid: list[BatchRun]
    sgd: list[BatchRun]
    seeds: tuple[int, ...]

    def spread(self, runs: str, measure: Callable[[BatchRun], float]) -> Spread:
        chosen = [self.full] if runs == "full" else getattr(self, runs)
        return Spread(tuple(float(measure(run)) for run in chosen))

    def per_epoch_outcome(self) -> str:
        """"small_win" when every seed of both small batch sizes is below full batch after one
        epoch, "mixed" otherwise."""
        full_1 = self.full.loss_after_epoch(1)
        smaller = all(self.spread(r, lambda run: run.loss_after_epoch(1)).relation(full_1) == "above"
                      for r in ("mid", "sgd"))
        return "small_win" if smaller else "mixed"

    def smoothness_outcome(self) -> str:
        """"full_smoothest" when the full batch's share of loss-raising steps is below every
        seed of both small batch sizes, "mixed" otherwise."""
        full_up = self.full.up_share
        below = all(self.spread(r, lambda run: run.up_share).relation(full_up) == "below"
                    for r in ("mid", "sgd"))
        return "full_smoothest" if below else "mixed"

    def per_step_outcome(self) -> str:
        """After as many steps as the full batch takes: "full_ahead" (full batch lower than every
        seed of both), "small_ahead" (both lower on every seed), "overlap" (the full batch lies
        inside both spreads: the shuffle decides) or "mixed"."""
        k = self.full.steps
        relations = {self.spread(r, lambda run: run.losses[k]).relation(float(self.full.losses[k]))
                     for r in ("mid", "sgd")}
        if relations == {"below"}:
            return "full_ahead"
        if relations == {"above"}:
            return "small_ahead"
        return "overlap" if relations == {"inside"} else "mixed"


def compare_batches(batch_size: int, epochs: int, learning_rate: float,
                    seeds: tuple[int, ...] = BATCH_SEEDS) -> BatchComparison:
    """Full batch once (its one step per epoch sees every sample: no randomness), the mini-batch
    and batch size 1 once per shuffling seed."""
    full = run_batches(10 ** 9, epochs, learning_rate)  # clamped to all the data
    mid = [run_batches(batch_size, epochs, learning_rate, seed) for seed in seeds]
    sgd = [run_batches(1, epochs, learning_rate, seed) for seed in seeds]
    return BatchComparison(full, mid, sgd, tuple(seeds))


def batch_numbers(c: BatchComparison, least: float, lang: str) -> dict[str, str]:
    """The notice's numbers (mean and range over seeds) and its sentences, each chosen by the
    relation measured."""
    from core.i18n import t

    k = c.full.steps
    reach_epochs = c.full.epochs_to_reach(c.spread("mid", lambda run: run.loss_after_epoch(1)).mean)
    reach = (f"{reach_epochs:.0f}" if reach_epochs is not None
             else t("optimizers.batch.more_than", lang, epochs=c.full.steps))
    measures = {"1": lambda run: run.loss_after_epoch(1), "end": lambda run: run.losses[-1],
                "k": lambda run: run.losses[k]}
    numbers = dict(bs=c.mid[0].batch_size, per_epoch=c.mid[0].steps_per_epoch, epochs=c.full.steps,
                   least=f"{least:.3f}", k=k, reach=reach, n_seeds=len(c.seeds),
                   full_steps=c.full.steps, sgd_steps=c.sgd[0].steps)
    for suffix, measure in measures.items():
        for runs in ("full", "mid", "sgd"):
            numbers[f"{runs}_{suffix}"] = c.spread(runs, measure).text()
    for runs in ("full", "mid", "sgd"):
        numbers[f"{runs}_up"] = c.spread(runs, lambda run: 100 * run.up_share).text(".0f") + " %"
    numbers["per_epoch"] = c.mid[0].steps_per_epoch
    numbers["epoch_sentence"] = t(f"optimizers.batch.per_epoch.{c.per_epoch_outcome()}", lang, **numbers)
    numbers["smooth_sentence"] = t(f"optimizers.batch.smooth.{c.smoothness_outcome()}", lang, **numbers)
    numbers["step_sentence"] = t(f"optimizers.batch.per_step.{c.per_step_outcome()}", lang, **numbers)
    numbers["claim_epoch"] = t(f"optimizers.batch.claim_epoch.{c.per_epoch_outcome()}", lang, **numbers)
    return numbers
