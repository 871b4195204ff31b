"""The regularizer comparison of the overfitting page over five seeds instead of one.

One seed's verdict ("the gap shrank by 6 points") rests on one draw of 50 validation points and
one set of initial weights. Here the chosen setting and the unregularized baseline are both
trained at seeds 0–4 (same dataset, sample size and noise as the page's section: the runs of
`overfitting.regularized_config` through `overfitting.train_run`), and the page's sentence counts
the seeds where the chosen setting had the smaller gap."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from core.lessons import overfitting as lesson
from core.lessons.batch_spread import Spread
from core.lessons.seed_race import SEEDS, outcome


@dataclass
class SeedComparison:
    """The baseline and the chosen setting, one RunResult per seed each (same order as seeds)."""

    seeds: tuple[int, ...]
    baseline: list[lesson.RunResult]
    chosen: list[lesson.RunResult]
    seconds: float = 0.0

    def spread(self, side: str, measure: str) -> Spread:
        """`gap` or `final_val_loss` of one side ("baseline" or "chosen"), per seed."""
        return Spread(tuple(float(getattr(r, measure)) for r in getattr(self, side)))

    @property
    def gap_change(self) -> Spread:
        """Chosen gap minus baseline gap per seed: negative when the setting shrank the gap."""
        return Spread(tuple(c.gap - b.gap for b, c in zip(self.baseline, self.chosen)))

    @property
    def smaller(self) -> int:
        """Seeds where the chosen setting's gap was strictly smaller than the baseline's."""
        return sum(d < 0 for d in self.gap_change.values)

    @property
    def ties(self) -> int:
        return sum(d == 0 for d in self.gap_change.values)


def compare(dataset: str, n_samples: int, dropout: float, batchnorm: bool, l2: float,
            patience: int | None, seeds: tuple[int, ...] = SEEDS,
            progress: Callable[[float], None] | None = None) -> SeedComparison:
    """Train the baseline and the chosen setting at every seed."""
    started = time.perf_counter()
    baseline, chosen, total = [], [], 2 * len(seeds)
    for i, seed in enumerate(seeds):
        baseline.append(lesson.train_run(lesson.regularized_config(dataset, n_samples, seed)))
        if progress is not None:
            progress((2 * i + 1) / total)
        config = lesson.regularized_config(dataset, n_samples, seed, dropout, batchnorm, l2)
        chosen.append(lesson.train_run(config, patience))
        if progress is not None:
            progress((2 * i + 2) / total)
    return SeedComparison(tuple(seeds), baseline, chosen, time.perf_counter() - started)


def one_seed_outcome(baseline: lesson.RunResult, run: lesson.RunResult) -> str:
    """The one-seed verdict's word ("better", "worse", "noise"), as `regularizer_numbers` picks it."""
    delta = baseline.gap - run.gap
    noise = lesson.verdict_noise(baseline.final_val_acc, baseline.config.n_samples - baseline.config.n_train)
    return "better" if delta >= noise else "worse" if delta <= -noise else "noise"


def _points(spread: Spread, lang: str, sign: str = "+") -> str:
    from core.i18n import t

    scaled = Spread(tuple(100 * v for v in spread.values))
    return t("overfitting.points", lang, value=scaled.text(f"{sign}.0f"))


def table(comparison: SeedComparison, label: str, lang: str) -> dict[str, list]:
    """Gap and validation loss as mean (min–max) over seeds, baseline and chosen setting."""
    from core.i18n import t

    def col(name):
        return t(f"overfitting.regseeds.col.{name}", lang, n=len(comparison.seeds))

    sides = ("baseline", "chosen")
    return {col("setting"): [t("overfitting.reg.baseline", lang), label],
            col("gap"): [_points(comparison.spread(s, "gap"), lang) for s in sides],
            col("val_loss"): [comparison.spread(s, "final_val_loss").text(".3f") for s in sides]}


def sentence(comparison: SeedComparison, label: str, lang: str) -> dict[str, object]:
    """The measured sentence and what it is made of: k, n, the outcome word and the gap change."""
    from core.i18n import t

    n, k = len(comparison.seeds), comparison.smaller
    word = outcome(k, n)
    change = comparison.gap_change
    numbers = dict(label=label, k=k, n=n, ties=comparison.ties,
                   change=_points(Spread((change.mean,)), lang),
                   lo=f"{100 * change.lo:+.0f}", hi=f"{100 * change.hi:+.0f}")
    text = t(f"overfitting.regseeds.{word}", lang, **numbers)
    if comparison.ties:
        text += " " + t("overfitting.regseeds.ties", lang, **numbers)
    return dict(numbers, outcome=word, text=text)


def contradiction(one_seed: str, five_seed: str, lang: str) -> str | None:
    """A warning when the one-seed verdict points the other way from the seed count."""
    from core.i18n import t

    if (one_seed == "better" and five_seed in ("none", "few", "half")) or (
            one_seed == "worse" and five_seed in ("all", "most", "half")):
        return t(f"overfitting.regseeds.contradicts_{one_seed}", lang)
    return None


def job_key(dataset: str, n_samples: int, dropout: float, batchnorm: bool, l2: float,
            patience: int | None) -> tuple:
    """The page's `shared.once` key (and the shipped file's) for one comparison: the chosen
    setting's full config at seed 0 (epochs, noise and all), and early stopping's patience."""
    config = lesson.regularized_config(dataset, n_samples, 0, float(dropout), bool(batchnorm), float(l2))
    return ("overfitting", "regseeds", config, None if patience is None else int(patience))


def compare_key(key: tuple, progress: Callable[[float], None] | None = None) -> SeedComparison:
    """`compare` for a `job_key`."""
    config, patience = key[2], key[3]
    return compare(config.dataset, config.n_samples, config.dropout, config.batchnorm, config.l2, patience,
                   progress=progress)
