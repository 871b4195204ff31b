"""/activations, "ReLU, swish or GELU": the sentences "swish beat ReLU in k of 5 seeds" are
re-derived from a float64 NumPy run
(forward, backprop and Adam written out; tests/claims/race_oracle.py) over seeds 0–4."""

import pytest

from core.lessons import activation_race as lesson
from tests.claims.conftest import SEEDS
from tests.claims.race_oracle import assert_race_matches_fit


@pytest.mark.slow
def test_each_challenger_against_relu_is_what_a_numpy_run_finds():
    race = lesson.activation_race(seeds=SEEDS)
    numbers = lesson.race_numbers(race, "en")
    for name in lesson.CHALLENGERS:
        assert_race_matches_fit(race, name, "relu")
        wins = race.wins(name, "relu", "val_loss")
        assert numbers[f"{name}_wins"] == wins
        sentence = numbers[f"{name}_sentence"]
        assert (f"{wins} of {len(SEEDS)}" in sentence or f"all {len(SEEDS)} seeds" in sentence
                or f"0 of {len(SEEDS)}" in sentence)
        if wins == len(SEEDS):
            assert "all" in sentence
        if wins == 0:
            assert "never" in sentence
