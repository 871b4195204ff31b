"""Depth vs width at the same number of parameters, on the model-structure page. The lecture
says a deeper network beats one with more nodes; here both are trained on the same task over
several seeds (core.lessons.seed_race) and the page says who won, in how many seeds, by how much.

The deep network stacks `depth` layers of `UNIT` units; the wide one has a single hidden layer,
as wide as makes its parameter count equal (exactly, for the choices offered).
"""

from __future__ import annotations

from typing import Callable

from core.config import ExperimentConfig
from core.lessons import seed_race
from core.lessons.seed_race import Race

DEPTHS = (2, 3, 4)       # hidden layers of the deep network
DEFAULT_DEPTH = 3
UNIT = 8                 # units in each of its layers
DATASET = "spiral"       # a task where a single layer struggles: two interleaved spirals
N_SAMPLES, NOISE = 400, 0.1
EPOCHS = 300             # full-batch Adam steps (a tenth of a second per run here)
LEARNING_RATE = 0.01


def dense_params(inputs: int, hidden: tuple[int, ...], outputs: int) -> int:
    """Weights and biases of a plain MLP: (fan-in + 1) x units per Dense layer."""
    widths = (inputs, *hidden, outputs)
    return sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))


def wide_width(depth: int, unit: int = UNIT, inputs: int = 2, outputs: int = 1) -> int:
    """The width of one hidden layer whose MLP has as many parameters as `depth` layers of
    `unit`: (inputs + 1) w + (w + 1) outputs = P, solved for w (rounded)."""
    target = dense_params(inputs, (unit,) * depth, outputs)
    return max(1, round((target - outputs) / (inputs + 1 + outputs)))


def depth_configs(depth: int = DEFAULT_DEPTH) -> dict[str, ExperimentConfig]:
    """The two contenders, "deep" and "wide", at seed 0."""
    if depth not in DEPTHS:
        raise ValueError(f"depth must be one of {DEPTHS}")
    base = ExperimentConfig().with_dataset(DATASET).replace(
        n_samples=N_SAMPLES, noise=NOISE, epochs=EPOCHS, learning_rate=LEARNING_RATE, activation="relu")
    return {"deep": base.replace(hidden=(UNIT,) * depth).validate(),
            "wide": base.replace(hidden=(wide_width(depth),)).validate()}


def depth_race(depth: int = DEFAULT_DEPTH, seeds: tuple[int, ...] = seed_race.SEEDS,
               progress: Callable[[float], None] | None = None) -> Race:
    """Deep vs wide, each at every seed, full batch."""
    return seed_race.race(depth_configs(depth), seeds, progress)


def depth_numbers(r: Race, lang: str) -> dict[str, object]:
    """The notice's numbers and its sentence, chosen by how many seeds the deep network won
    (lower validation loss) and by how much."""
    from core.i18n import t

    deep, wide = r.configs["deep"], r.configs["wide"]
    numbers: dict[str, object] = {
        "deep_shape": "-".join(str(w) for w in deep.hidden), "wide_shape": str(wide.hidden[0]),
        "deep_params": r.runs["deep", r.seeds[0]].params, "wide_params": r.runs["wide", r.seeds[0]].params,
        "epochs": deep.epochs}
    for name in ("deep", "wide"):
        for measure in ("train_loss", "val_loss", "val_metric"):
            numbers[f"{name}_{measure}"] = r.spread(name, measure).text()
    for measure, prefix in (("val_loss", "val"), ("train_loss", "train")):
        v = seed_race.verdict(r, "deep", "wide", measure)
        numbers.update({f"{prefix}_{k}": value for k, value in v.items()})
    numbers["sentence"] = t(f"structure.depth.outcome.{numbers['val_outcome']}", lang, **numbers)
    numbers["train_sentence"] = t(f"structure.depth.train_outcome.{numbers['train_outcome']}", lang, **numbers)
    return numbers
