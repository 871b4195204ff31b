"""BatchNormalization's first purpose, faster and steadier training, measured before the
overfitting page treats it as a regularizer; and Dropout with BatchNorm together.

The same deep ReLU network on the same task, four ways (plain, BatchNorm, Dropout, both), over
several seeds (core.lessons.seed_race, full batch). "Faster" is read from the training-mode loss
(the loss each step minimised, what model.fit reports) after `EARLY` epochs and from the epoch
it first falls below `THRESHOLD`; "steadier" from how far that epoch moves with the seed. The final
validation loss is measured in inference mode, where BatchNorm uses its running statistics.
Every sentence is chosen from these numbers.
"""

from __future__ import annotations

from typing import Callable

from core.config import ExperimentConfig
from core.lessons import seed_race
from core.lessons.batch_spread import Spread
from core.lessons.seed_race import Race

CONTENDERS = ("plain", "bn", "dropout", "bn_dropout")
DATASET, N_SAMPLES, NOISE = "spiral", 400, 0.1
HIDDEN = (16,) * 5       # deep enough for the plain network to start slowly
EPOCHS = 150             # full-batch Adam steps
LEARNING_RATE = 0.01
DROPOUT = 0.2
EARLY = 25               # the epoch at which "faster" is read
THRESHOLD = 0.3          # "reached": the training-mode loss first below this
LAG_FACTOR = 2.0         # "lagging": inference-mode training loss over twice the training-mode one
MOMENTUM = 0.99          # Keras' BatchNormalization default for the running statistics


def race_configs() -> dict[str, ExperimentConfig]:
    """The four contenders at seed 0, identical but for BatchNorm and Dropout."""
    base = ExperimentConfig().with_dataset(DATASET).replace(
        n_samples=N_SAMPLES, noise=NOISE, hidden=HIDDEN, epochs=EPOCHS, learning_rate=LEARNING_RATE,
        activation="relu")
    switches = {"plain": (False, 0.0), "bn": (True, 0.0), "dropout": (False, DROPOUT),
                "bn_dropout": (True, DROPOUT)}
    return {name: base.replace(batchnorm=bn, dropout=rate).validate() for name, (bn, rate) in switches.items()}


def batchnorm_race(seeds: tuple[int, ...] = seed_race.SEEDS,
                   progress: Callable[[float], None] | None = None) -> Race:
    return seed_race.race(race_configs(), seeds, progress)


def early_loss(r: Race, name: str) -> Spread:
    """The training-mode loss at epoch `EARLY`, per seed."""
    return Spread(tuple(r.runs[name, s].fit_loss[EARLY] for s in r.seeds))


def reach_epoch(fit_loss: list[float]) -> int | None:
    """The first epoch whose training-mode loss is below `THRESHOLD` (None: never)."""
    return next((e for e, loss in enumerate(fit_loss) if e > 0 and loss < THRESHOLD), None)


def early_wins(r: Race, a: str, b: str) -> int:
    """Seeds where `a`'s training-mode loss at `EARLY` is below `b`'s."""
    return sum(r.runs[a, s].fit_loss[EARLY] < r.runs[b, s].fit_loss[EARLY] for s in r.seeds)


def reach_text(r: Race, name: str, lang: str) -> str:
    """Epochs to reach `THRESHOLD` over the seeds: "12 (9–15)", or how many never did."""
    from core.i18n import t

    epochs = [reach_epoch(r.runs[name, s].fit_loss) for s in r.seeds]
    reached = [e for e in epochs if e is not None]
    if not reached:
        return t("overfitting.bnrace.never", lang, epochs=EPOCHS)
    text = f"{sum(reached) / len(reached):.0f} ({min(reached)}–{max(reached)})"
    missing = len(epochs) - len(reached)
    return text if not missing else text + " " + t("overfitting.bnrace.missing", lang, k=missing)


def _pair(r: Race, a: str, b: str, prefix: str, lang: str) -> dict[str, object]:
    """`a` against `b`: early wins and outcome word, final validation-loss verdict."""
    from core.i18n import t

    wins, n = early_wins(r, a, b), len(r.seeds)
    out = {f"{prefix}_early_wins": wins, f"{prefix}_early_outcome": seed_race.outcome(wins, n)}
    out.update({f"{prefix}_val_{k}": v for k, v in seed_race.verdict(r, a, b, "val_loss").items()})
    fields = {k.removeprefix(f"{prefix}_"): v for k, v in out.items()}
    out[f"{prefix}_early_sentence"] = t(f"overfitting.bnrace.early.{fields['early_outcome']}", lang,
                                        a=t(f"overfitting.bnrace.names.{a}", lang),
                                        b=t(f"overfitting.bnrace.names.{b}", lang), n=n, early=EARLY, **fields)
    out[f"{prefix}_val_sentence"] = t(f"overfitting.bnrace.val.{fields['val_outcome']}", lang,
                                      a=t(f"overfitting.bnrace.names.{a}", lang),
                                      b=t(f"overfitting.bnrace.names.{b}", lang), **fields)
    return out


def race_numbers(r: Race, lang: str) -> dict[str, object]:
    """Every number the section shows and the sentences drawn from them."""
    from core.i18n import t

    numbers: dict[str, object] = {
        "hidden": "-".join(str(w) for w in HIDDEN), "epochs": EPOCHS, "early": EARLY, "threshold": THRESHOLD,
        "rate": DROPOUT, "n": len(r.seeds), "momentum": MOMENTUM,
        "left": f"{MOMENTUM ** EPOCHS:.2f}", "left_pct": f"{100 * MOMENTUM ** EPOCHS:.0f}"}
    for name in CONTENDERS:
        early = early_loss(r, name)
        numbers.update({f"{name}_early": early.text(), f"{name}_spread": f"{early.hi - early.lo:.3f}",
                        f"{name}_reach": reach_text(r, name, lang),
                        f"{name}_val_loss": r.spread(name, "val_loss").text(),
                        f"{name}_train_loss": r.spread(name, "train_loss").text()})
    for a, b, prefix in (("bn", "plain", "bn"), ("bn_dropout", "dropout", "both_do"),
                         ("bn_dropout", "bn", "both_bn")):
        numbers.update(_pair(r, a, b, prefix, lang))
    fit_end = Spread(tuple(r.runs["bn", s].fit_loss[-1] for s in r.seeds))
    numbers["bn_fit_end"] = fit_end.text()
    lags = r.spread("bn", "train_loss").mean > LAG_FACTOR * fit_end.mean  # the running statistics lag
    numbers["lag_sentence"] = t(f"overfitting.bnrace.lag.{'yes' if lags else 'no'}", lang, **numbers)
    numbers.update(steadiness(r, lang))
    return numbers


def steadiness(r: Race, lang: str) -> dict[str, object]:
    """How much the seed changes when training gets going: the range of the first epoch below
    `THRESHOLD` over the seeds, with and without BatchNorm; the sentence says which is narrower
    (or that it cannot be told, when some seed never got there)."""
    from core.i18n import t

    reach = {name: [reach_epoch(r.runs[name, s].fit_loss) for s in r.seeds] for name in ("bn", "plain")}
    if any(e is None for epochs in reach.values() for e in epochs):
        return {"bn_reach_range": "—", "plain_reach_range": "—",
                "steady_sentence": t("overfitting.bnrace.steady.unknown", lang, threshold=THRESHOLD)}
    ranges = {name: max(epochs) - min(epochs) for name, epochs in reach.items()}
    word = "yes" if ranges["bn"] < ranges["plain"] else "same" if ranges["bn"] == ranges["plain"] else "no"
    numbers = {"bn_reach_range": ranges["bn"], "plain_reach_range": ranges["plain"]}
    return {**numbers, "steady_sentence": t(f"overfitting.bnrace.steady.{word}", lang, threshold=THRESHOLD,
                                            **numbers)}


def table(r: Race, lang: str) -> list[dict[str, object]]:
    """One row per contender: what "faster", "steadier" and the end look like over the seeds."""
    from core.i18n import t

    def col(name: str) -> str:
        return t(f"overfitting.bnrace.col.{name}", lang, early=EARLY, threshold=THRESHOLD)

    rows = []
    for name in CONTENDERS:
        early = early_loss(r, name)
        rows.append({col("model"): t(f"overfitting.bnrace.names.{name}", lang), col("early"): early.text(),
                     col("spread"): f"{early.hi - early.lo:.3f}", col("reach"): reach_text(r, name, lang),
                     col("val"): r.spread(name, "val_loss").text()})
    return rows
