"""/optimizers, "which learning rate for which batch size": every (batch size, learning rate,
seed) run recomputed in float64 NumPy (the closed-form gradient of a linear model's MSE, the same
shuffles: tests/claims/test_optimizers_claims.sgd_losses), and the sentence's best and largest
stable learning rates re-derived from it, over seeds 0–4."""

import math

import numpy as np
import pytest

from core.lessons import lr_sweep as lesson
from tests.claims.conftest import SEEDS
from tests.claims.test_optimizers_claims import sgd_losses


@pytest.mark.slow
def test_best_and_stable_learning_rates_follow_a_float64_recomputation():
    sweep = lesson.lr_sweep(seeds=SEEDS)
    oracle = np.full(sweep.final.shape, np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        for i, bs in enumerate(sweep.batch_sizes):
            for j, lr in enumerate(sweep.learning_rates):
                for k, seed in enumerate(SEEDS):
                    last = float(sgd_losses(bs, lesson.EPOCHS, lr, seed)[-1])
                    oracle[i, j, k] = last if math.isfinite(last) else np.inf
    finite = np.isfinite(oracle) & (oracle < 1e6)
    # Runs that stay finite agree with the float32 Keras runs; a run that blew up did in both.
    np.testing.assert_allclose(sweep.final[finite], oracle[finite], rtol=5e-3)
    assert (~np.isfinite(sweep.final) | (sweep.final > 1e6))[~finite].all()
    mean = np.where(np.isfinite(oracle).all(axis=2), oracle.mean(axis=2), np.inf)  # (batch sizes, lrs)
    best = [sweep.learning_rates[int(np.argmin(row))] for row in mean]
    assert sweep.best_lr() == best
    stable_mask = (np.isfinite(oracle) & (oracle < lesson.START_LOSS)).all(axis=2)
    stable = [max((lr for lr, ok in zip(sweep.learning_rates, row) if ok), default=None) for row in stable_mask]
    assert sweep.largest_stable_lr() == stable
    grows = all(a <= b for a, b in zip(best, best[1:])) and best[-1] > best[0]
    assert sweep.outcome() == ("grows" if grows else "mixed")
    numbers = lesson.sweep_numbers(sweep, "en")
    for b in best:
        assert f"{b:g}" in numbers["sentence"]
    assert ("grows with the batch size" in numbers["sentence"]) == grows
    if grows:
        diverges = stable[0] is None or stable[0] < best[-1]
        assert ("at the full batch's best rate it diverges" in numbers["sentence"]) == diverges
