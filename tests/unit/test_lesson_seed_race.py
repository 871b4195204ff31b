"""core.lessons.seed_race and the two races built on it: outcome words, wins and differences on
hand-made runs, the equal-parameter widths, and the sentences drawn from the numbers."""

import pytest

from core.lessons import activation_race, seed_race, structure_depth
from core.lessons.seed_race import Race, RaceRun, outcome


def fake_race(a_losses, b_losses) -> Race:
    runs = {}
    for seed, (la, lb) in enumerate(zip(a_losses, b_losses)):
        runs["a", seed] = RaceRun("a", seed, 10, [1.0, la], [1.0, la], [0.5, 0.9])
        runs["b", seed] = RaceRun("b", seed, 10, [1.0, lb], [1.0, lb], [0.5, 0.8])
    return Race(("a", "b"), tuple(range(len(a_losses))), runs, {})


@pytest.mark.parametrize("wins, n, expected", [(5, 5, "all"), (4, 5, "most"), (3, 5, "most"),
                                               (2, 4, "half"), (2, 5, "few"), (1, 5, "few"), (0, 5, "none")])
def test_outcome_words(wins, n, expected):
    assert outcome(wins, n) == expected


def test_wins_and_differences_count_each_seed():
    race = fake_race([0.1, 0.2, 0.5], [0.3, 0.1, 0.6])
    assert race.wins("a", "b", "val_loss") == 2
    diff = race.differences("a", "b", "val_loss")
    assert diff.values == pytest.approx((0.2, -0.1, 0.1))
    v = seed_race.verdict(race, "a", "b")
    assert (v["wins"], v["lost"], v["n"], v["outcome"], v["diff"]) == (2, 1, 3, "most", "+0.067")
    mean, lo, hi = race.curve_band("a")
    assert mean.tolist() == pytest.approx([1.0, 0.8 / 3]) and lo[1] == 0.1 and hi[1] == 0.5


@pytest.mark.parametrize("depth, width", [(2, 26), (3, 44), (4, 62)])
def test_wide_width_matches_the_deep_parameter_count(depth, width):
    assert structure_depth.wide_width(depth) == width
    assert structure_depth.dense_params(2, (width,), 1) == structure_depth.dense_params(2, (8,) * depth, 1)


def test_depth_configs_differ_only_in_the_hidden_layers():
    configs = structure_depth.depth_configs(2)
    assert configs["deep"].replace(hidden=(1,)) == configs["wide"].replace(hidden=(1,))
    with pytest.raises(ValueError):
        structure_depth.depth_configs(7)


def test_race_configs_differ_only_in_the_activation():
    configs = activation_race.race_configs("circle")
    assert set(configs) == set(activation_race.CONTENDERS)
    assert len({c.replace(activation="relu") for c in configs.values()}) == 1
    with pytest.raises(ValueError):
        activation_race.race_configs("nope")


def test_a_small_race_runs_full_batch_and_reports_every_epoch():
    configs = {k: c.replace(epochs=5) for k, c in structure_depth.depth_configs(2).items()}
    race = seed_race.race(configs, seeds=(0, 1))
    assert set(race.runs) == {(n, s) for n in ("deep", "wide") for s in (0, 1)}
    for run in race.runs.values():
        assert len(run.train_loss) == len(run.val_loss) == 6 and run.params == 105
    numbers = structure_depth.depth_numbers(race, "ko")
    assert numbers["val_n"] == 2 and "시드" in numbers["sentence"]


def test_lr_sweep_summaries_on_a_made_up_grid():
    import numpy as np

    from core.lessons.lr_sweep import LrSweep

    inf = np.inf
    final = np.array([[[0.5, 0.6], [0.9, 0.7], [inf, 0.4]],      # batch 1: 0.03 diverged on seed 0
                      [[0.8, 0.8], [0.5, 0.5], [0.6, 0.7]],      # batch 32
                      [[0.9, 0.9], [0.7, 0.7], [0.3, 0.3]]])     # full batch
    sweep = LrSweep((1, 32, 442), (0.001, 0.01, 0.03), (0, 1), 5, final, np.array([0.1, 0.01, 0.001]))
    assert sweep.best_lr() == [0.001, 0.01, 0.03]
    assert sweep.largest_stable_lr() == [0.01, 0.03, 0.03]
    assert sweep.outcome() == "grows"
    sweep.final[2, 2] = [5.0, 5.0]  # the full batch now ends above the start at 0.03
    assert sweep.best_lr()[2] == 0.01 and sweep.largest_stable_lr()[2] == 0.01
