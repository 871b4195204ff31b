"""Continue training or compile again, over several seeds: after the same first fit, does the
second fit end lower when the optimizer is kept (fit() again, no compile) or when compile()
gives a new one (a new Adam(0.01), or "adam" by name with Keras' default learning rate)?

One seed is one dataset draw, one set of initial weights and one shuffling order; every branch
of a seed starts from the same weights after fit #1 and sees its batches in the same order, so
the optimizer is the only difference. The page shows the spread over `SEEDS` and says in how
many seeds each way ended lower (core.lessons.batch_spread.Spread for mean and range)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.lessons import compile as lesson
from core.lessons.batch_spread import Spread

SEEDS = (0, 1, 2, 3, 4)
BRANCHES = ("continue", "new", "string")  # fit() again; compile(Adam(0.01)); compile("adam")


@dataclass(frozen=True)
class SeedRun:
    """Training-set losses (model.evaluate) of one seed: after fit #1, and after fit #2 of
    every branch."""

    seed: int
    after_first: float
    after_second: dict  # branch -> loss


@dataclass(frozen=True)
class SeedComparison:
    epochs: int
    runs: tuple[SeedRun, ...]

    @property
    def n(self) -> int:
        return len(self.runs)

    def loss(self, branch: str) -> Spread:
        return Spread(tuple(r.after_second[branch] for r in self.runs))

    def difference(self, how: str) -> Spread:
        """Recompiled minus continued, per seed: below 0 where compile() ended lower."""
        return Spread(tuple(r.after_second[how] - r.after_second["continue"] for r in self.runs))

    def lower_count(self, how: str) -> int:
        """Seeds where the fit after compile(`how`) ended strictly lower than continuing."""
        return sum(d < 0 for d in self.difference(how).values)

    def lowered_count(self, how: str) -> int:
        """Seeds where the second fit (after compile(`how`)) ended below the first fit's loss."""
        return sum(r.after_second[how] < r.after_first for r in self.runs)


def _second_fit(model, x, y, config, epochs: int, seed: int) -> float:
    import keras

    keras.utils.set_random_seed(10_000 + seed)  # every branch of a seed: the same batch order
    model.fit(x, y, batch_size=config.batch_size, epochs=epochs, verbose=0)
    return float(model.evaluate(x, y, verbose=0)[0])


def seed_run(epochs: int, seed: int, on_fit: Callable[[], None] | None = None) -> SeedRun:
    """Fit #1 as on the page, then the same second fit three ways from the same weights."""
    import keras

    from core.datasets import split_for
    from core.models import build_model

    config = lesson.lesson_config(seed)
    data = split_for(config)
    x, y = data.x_train, data.y_train.astype("float32")
    keras.utils.set_random_seed(seed)
    model = build_model(config)
    optimizer = keras.optimizers.Adam(config.learning_rate)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=config.batch_size, epochs=epochs, verbose=0)
    after_first = float(model.evaluate(x, y, verbose=0)[0])
    weights = model.get_weights()
    after = {}
    for branch in BRANCHES:
        if branch != "continue":  # "continue" runs first, so the model still has fit #1's Adam
            model.set_weights(weights)
            lesson._compile(model, branch, optimizer, config.learning_rate)
        after[branch] = _second_fit(model, x, y, config, epochs, seed)
        on_fit and on_fit()
    return SeedRun(seed, after_first, after)


def compare(epochs: int, seeds: tuple[int, ...] = SEEDS,
            progress: Callable[[int, int], None] | None = None) -> SeedComparison:
    """Every seed's three branches; `progress(done, total)` after every second fit."""
    done, total = [0], len(seeds) * len(BRANCHES)

    def tick():
        done[0] += 1
        progress and progress(done[0], total)

    return SeedComparison(epochs, tuple(seed_run(epochs, s, tick) for s in seeds))


def outcome(c: SeedComparison, how: str) -> str:
    """"recompile_lower" when compile(`how`) ended lower in every seed, "continue_lower" when
    continuing did in every seed, "mixed" otherwise."""
    k = c.lower_count(how)
    return "recompile_lower" if k == c.n else "continue_lower" if k == 0 else "mixed"


def comparison_sentence(c: SeedComparison, how: str, lang: str) -> str:
    """Which second fit ended lower, compile(`how`) or continuing, said from every seed; for
    "adam" by name also whether the second fit still lowered the loss. Empty for "same" (the
    same optimizer object *is* continuing: nothing to compare)."""
    from core.i18n import t

    if how not in ("new", "string"):
        return ""
    k = c.lower_count(how)
    text = t(f"compile.seeds.{outcome(c, how)}", lang, n=c.n, k=k, k_cont=c.n - k,
             diff=c.difference(how).text("+.4f"), how=t(f"compile.seeds.how.{how}", lang))
    if how == "string":
        lowered = c.lowered_count(how)
        text += " " + t(f"compile.seeds.lowered.{'all' if lowered == c.n else 'some'}", lang,
                        n=c.n, lowered=lowered)
    return text


def optimizer_sentence(run: lesson.CompileExperiment, c: SeedComparison, recompile: str, lang: str) -> str:
    """What the second compile() did to the optimizer (read from the run shown: the same in
    every seed), then how the second fit compares with continuing, from every seed in `c`."""
    from core.i18n import t

    fitted, recompiled, refitted = run.steps[2], run.steps[3], run.steps[4]
    state = t(f"compile.optimizer_{recompile}", lang, a=fitted.iterations, b=recompiled.iterations,
              c=refitted.iterations, lr_before=f"{fitted.learning_rate:g}",
              lr_after=f"{recompiled.learning_rate:g}")
    return " ".join(filter(None, (state, comparison_sentence(c, recompile, lang))))


def table_rows(c: SeedComparison, lang: str) -> list[dict]:
    """The section's table: every way's loss after the second fit (and after fit #1), the
    difference from continuing and how many seeds ended lower, as text."""
    from core.i18n import t

    col = lambda name: t(f"compile.seeds.col.{name}", lang)  # noqa: E731
    rows = [{col("way"): t("compile.seeds.first", lang),
             col("loss"): Spread(tuple(r.after_first for r in c.runs)).text(".4f"), col("diff"): "",
             col("lower"): ""}]
    for branch in BRANCHES:
        rival = branch != "continue"
        rows.append({col("way"): t(f"compile.seeds.how.{branch}", lang), col("loss"): c.loss(branch).text(".4f"),
                     col("diff"): c.difference(branch).text("+.4f") if rival else "",
                     col("lower"): t("compile.seeds.of", lang, k=c.lower_count(branch), n=c.n) if rival else ""})
    return rows
