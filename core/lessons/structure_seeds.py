"""The hidden layer's class separation over several seeds: the page's `held_out_separation`
(nearest-class-mean accuracy on the validation points, raw inputs vs the first hidden block)
for the same configuration trained once per seed.

A seed decides the train/validation split, the initial weights and the batch order, so both
numbers move with it: the page shows mean (min–max) and says in how many seeds the hidden
space separated the validation points better, worse or equally well."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.config import ExperimentConfig
from core.lessons.batch_spread import Spread
from core.lessons.structure import held_out_separation

SEEDS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class SeedSeparation:
    seed: int
    inputs: float                 # on the raw inputs
    hidden: float                 # on the first hidden block's output
    first_layer: tuple            # (kernel (d, w1), bias (w1,)) of `hidden_1` after training
    n_fit: int
    n_held: int


@dataclass(frozen=True)
class SeparationSpread:
    config: ExperimentConfig      # the page's configuration (its own seed is not used here)
    runs: tuple[SeedSeparation, ...]

    @property
    def n(self) -> int:
        return len(self.runs)

    @property
    def inputs(self) -> Spread:
        return Spread(tuple(r.inputs for r in self.runs))

    @property
    def hidden(self) -> Spread:
        return Spread(tuple(r.hidden for r in self.runs))

    def counts(self) -> tuple[int, int, int]:
        """Seeds where the hidden space scored (higher, lower, the same) as the raw inputs."""
        higher = sum(r.hidden > r.inputs for r in self.runs)
        lower = sum(r.hidden < r.inputs for r in self.runs)
        return higher, lower, self.n - higher - lower

    def outcome(self) -> str:
        """"hidden_better" / "input_better" when one space scored higher in every seed, else
        "mixed"."""
        higher, lower, _ = self.counts()
        return "hidden_better" if higher == self.n else "input_better" if lower == self.n else "mixed"


def seed_separation(config: ExperimentConfig) -> SeedSeparation:
    """Train `config` as `train_structure` does and measure both spaces on its validation points."""
    from core.training import Trainer

    trainer = Trainer(config, snapshots=1, use_xla=False)
    for _ in trainer.run():
        pass
    inputs, hidden = trainer.with_model(lambda model: held_out_separation(model, config, trainer.data))
    first = trainer.with_model(lambda model: tuple(np.asarray(w, np.float32)
                                                   for w in model.get_layer("hidden_1").get_weights()))
    return SeedSeparation(config.seed, inputs, hidden[0], first, len(trainer.data.x_train),
                          len(trainer.data.x_val))


def separation_spread(config: ExperimentConfig, seeds: tuple[int, ...] = SEEDS,
                      progress: Callable[[float], None] | None = None) -> SeparationSpread:
    runs = []
    for i, seed in enumerate(seeds):
        runs.append(seed_separation(config.replace(seed=seed)))
        progress and progress((i + 1) / len(seeds))
    return SeparationSpread(config, tuple(runs))


def separation_numbers(s: SeparationSpread, lang: str) -> dict[str, str]:
    """The notice's numbers (percent, mean (min–max) over seeds) and the comparing sentence,
    chosen by what held in every seed."""
    from core.i18n import t

    higher, lower, same = s.counts()
    numbers = dict(n=s.n, c_in=s.inputs.text(".1%"), c_hid=s.hidden.text(".1%"), higher=higher,
                   lower=lower, same=same, n_train=s.runs[0].n_fit, n_val=s.runs[0].n_held)
    numbers["compare"] = t(f"structure.hidden.compare.{s.outcome()}", lang, **numbers)
    return numbers
