"""ReLU, swish and GELU trained on the same task over several seeds, for the activations page.
The lecture says ReLU alone nearly always works and swish or GELU may be a little better; here
the same network is trained with each (core.lessons.seed_race) and the page says how often each
beat ReLU, and by how much, from the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.config import ExperimentConfig
from core.lessons import seed_race
from core.lessons.seed_race import Race

CONTENDERS = ("relu", "swish", "gelu")
CHALLENGERS = ("swish", "gelu")  # each compared with ReLU


@dataclass(frozen=True)
class Task:
    """A data set and the network trained on it (small enough for a tenth of a second a run)."""

    dataset: str
    hidden: tuple[int, ...]
    epochs: int
    n_samples: int = 400
    noise: float = 0.1


TASKS = {
    "spiral": Task("spiral", (16, 16), 300),
    "circle": Task("circle", (8, 8), 200),
    "digits": Task("digits", (32,), 100, n_samples=1797, noise=0.0),
}
DEFAULT_TASK = "spiral"
LEARNING_RATE = 0.01


def race_configs(task: str = DEFAULT_TASK) -> dict[str, ExperimentConfig]:
    """One config per activation, identical otherwise (same seed: same data and initial weights)."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}")
    spec = TASKS[task]
    base = ExperimentConfig().with_dataset(spec.dataset).replace(
        hidden=spec.hidden, epochs=spec.epochs, n_samples=spec.n_samples, noise=spec.noise,
        learning_rate=LEARNING_RATE)
    return {name: base.replace(activation=name).validate() for name in CONTENDERS}


def activation_race(task: str = DEFAULT_TASK, seeds: tuple[int, ...] = seed_race.SEEDS,
                    progress: Callable[[float], None] | None = None) -> Race:
    return seed_race.race(race_configs(task), seeds, progress)


def race_numbers(r: Race, lang: str) -> dict[str, object]:
    """Every activation's final numbers (mean and range over seeds) and, for swish and GELU, the
    sentence about ReLU chosen by how many seeds each had the lower validation loss."""
    from core.i18n import t

    config = r.configs["relu"]
    numbers: dict[str, object] = {"hidden": "-".join(str(w) for w in config.hidden), "epochs": config.epochs,
                                  "n": len(r.seeds)}
    for name in CONTENDERS:
        for measure in ("train_loss", "val_loss", "val_metric"):
            numbers[f"{name}_{measure}"] = r.spread(name, measure).text()
    for name in CHALLENGERS:
        v = seed_race.verdict(r, name, "relu", "val_loss")
        numbers.update({f"{name}_{k}": value for k, value in v.items()})
    for name in CHALLENGERS:
        fields = {k.removeprefix(f"{name}_"): v for k, v in numbers.items() if k.startswith(f"{name}_")}
        numbers[f"{name}_sentence"] = t(f"activations.race.outcome.{numbers[f'{name}_outcome']}", lang,
                                        act=t(f"activations.race.names.{name}", lang), **fields)
    return numbers
