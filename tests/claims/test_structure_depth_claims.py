"""/structure, "deeper or wider": the two networks have the same number of parameters (closed
form and Keras agree), and the sentence "the deep network won in k of 5 seeds" is re-derived from
a float64 NumPy run (forward, backprop and Adam written out; tests/claims/race_oracle.py) over
seeds 0–4; the first 20 steps are also checked against Keras' model.fit."""

import pytest

from core.lessons import seed_race, structure_depth as lesson
from core.models import build_model
from tests.claims.conftest import SEEDS
from tests.claims.race_oracle import assert_race_matches_fit, fit_final, numpy_final


@pytest.mark.parametrize("depth", lesson.DEPTHS)
def test_deep_and_wide_have_exactly_the_same_parameter_count(depth):
    configs = lesson.depth_configs(depth)
    counts = {name: build_model(c).count_params() for name, c in configs.items()}
    assert counts["deep"] == counts["wide"]
    unit, w = lesson.UNIT, configs["wide"].hidden[0]
    # (2 + 1) 8 + (depth - 1)(8 + 1) 8 + (8 + 1) 1 against (2 + 1) w + (w + 1) 1, by hand.
    assert 3 * unit + (depth - 1) * (unit + 1) * unit + (unit + 1) == 3 * w + (w + 1) == counts["deep"]


def test_the_training_loop_is_the_numpy_one_and_keras_fit_on_the_first_steps():
    """Before float drift can build up (20 steps), the race's runs equal the float64 NumPy run
    at every seed, and Keras' model.fit at seed 0."""
    for seed in SEEDS:
        for name, config in lesson.depth_configs().items():
            config = config.replace(seed=seed, epochs=20, batch_size=seed_race.FULL_BATCH)
            run = seed_race.run_one(config, name)
            expected = numpy_final(config)
            for measure in ("train_loss", "val_loss", "val_metric"):
                assert run.final[measure] == pytest.approx(expected[measure], rel=1e-4), (name, seed, measure)
            if seed == 0:
                assert run.final["val_loss"] == pytest.approx(fit_final(config)["val_loss"], rel=1e-4)


@pytest.mark.slow
def test_who_won_is_what_a_numpy_run_finds_over_five_seeds():
    race = lesson.depth_race(seeds=SEEDS)
    assert_race_matches_fit(race, "deep", "wide")
    numbers = lesson.depth_numbers(race, "en")
    wins = race.wins("deep", "wide", "val_loss")
    assert numbers["val_wins"] == wins and numbers["val_n"] == len(SEEDS)
    # The sentence states the measured count; it never says "all" unless every seed agrees.
    assert f"{wins} of {len(SEEDS)}" in numbers["sentence"] or (wins in (0, len(SEEDS))
                                                                and f"all {len(SEEDS)} seeds" in numbers["sentence"])
    if wins < len(SEEDS) / 2:
        assert "disagree with the lecture" in numbers["sentence"]
