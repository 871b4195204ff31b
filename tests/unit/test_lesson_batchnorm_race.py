"""core.lessons.batchnorm_race on hand-made runs: the epoch a loss first falls below the
threshold, early wins, and which sentence the numbers choose."""

import math

import pytest

from core.lessons import batchnorm_race as lesson
from core.lessons.seed_race import Race, RaceRun

NAN = math.nan


def curve(start: float, step: float) -> list[float]:
    """A training-mode loss falling by `step` per epoch from `start` (NaN at epoch 0)."""
    return [NAN] + [max(start - step * e, 0.01) for e in range(lesson.EPOCHS)]


def fake_race(speeds: dict[str, list[float]], val: dict[str, list[float]], lag: float = 1.1) -> Race:
    runs = {}
    for name in lesson.CONTENDERS:
        for seed, (speed, v) in enumerate(zip(speeds[name], val[name])):
            fit = curve(0.7, speed)
            runs[name, seed] = RaceRun(name, seed, 100, [0.7, fit[-1] * lag], [0.7, v], [0.5, 0.9], fit)
    return Race(lesson.CONTENDERS, tuple(range(len(speeds["plain"]))), runs, lesson.race_configs())


def test_reach_epoch_is_the_first_epoch_below_the_threshold():
    assert lesson.reach_epoch([NAN, 0.5, 0.31, 0.29, 0.1]) == 3
    assert lesson.reach_epoch([NAN, 0.5, 0.4]) is None
    assert lesson.reach_epoch([0.1, 0.5]) is None  # epoch 0 never counts


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_sentences_follow_the_numbers(lang):
    fast, slow = [0.045, 0.035, 0.055], [0.011, 0.009, 0.0105]
    race = fake_race({"plain": slow, "bn": fast, "dropout": slow, "bn_dropout": [0.001] * 3},
                     {"plain": [0.2, 0.3, 0.4], "bn": [0.5, 0.1, 0.6], "dropout": [0.3] * 3,
                      "bn_dropout": [0.4] * 3})
    numbers = lesson.race_numbers(race, lang)
    assert numbers["bn_early_wins"] == 3 and numbers["bn_early_outcome"] == "all"
    assert numbers["both_bn_early_wins"] == 0 and numbers["both_bn_early_outcome"] == "none"
    assert numbers["bn_val_wins"] == 1 and numbers["bn_val_outcome"] == "few"
    # Below 0.3 at epochs 10, 13, 9 with BatchNorm (range 4); 38, 46, 40 without (range 8).
    assert (numbers["bn_reach_range"], numbers["plain_reach_range"]) == (4, 8)
    assert numbers["bn_reach"] == "11 (9–13)"
    never = lesson.reach_text(race, "bn_dropout", lang)
    assert str(lesson.EPOCHS) in never
    if lang == "en":
        assert numbers["steady_sentence"].startswith("Steadier")
        assert "all 3 seeds" in numbers["bn_early_sentence"] and "0 of 3 seeds" in numbers["both_bn_early_sentence"]
        assert "caught up" in numbers["lag_sentence"]  # inference-mode training loss 1.1 x the training-mode one
    assert "{" not in "".join(str(v) for v in numbers.values())


def test_steadiness_cannot_be_told_when_a_seed_never_got_there():
    race = fake_race({name: [0.01, 0.0001, 0.01] for name in lesson.CONTENDERS},
                     {name: [0.3] * 3 for name in lesson.CONTENDERS})
    assert lesson.steadiness(race, "en")["steady_sentence"].startswith("Whether")
    lagging = fake_race({name: [0.01] * 3 for name in lesson.CONTENDERS},
                        {name: [0.3] * 3 for name in lesson.CONTENDERS}, lag=30.0)
    assert "lag behind" in lesson.race_numbers(lagging, "en")["lag_sentence"]
