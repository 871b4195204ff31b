"""/optimizers: epoch vs mini-batch vs SGD. The page's sentences are chosen from the spread over
shuffling seeds; here the same runs are recomputed in float64 NumPy (the closed-form gradient of
the mean squared error of a linear model, the same shuffles) and the relations re-derived."""

import math

import numpy as np
import pytest

from core.lessons import batch_spread
from core.lessons import optimizers as lesson
from tests.claims.conftest import SEEDS

BATCH, EPOCHS, LR = 32, 5, 0.01  # the page's defaults


def sgd_losses(batch_size: int, epochs: int, lr: float, seed: int) -> np.ndarray:
    """Full-data MSE after every step of w <- w - lr * 2/B X_b^T (X_b w + b - y_b), in float64."""
    x, y = (a.astype(np.float64) for a in lesson.diabetes())
    n = len(y)
    w, b = np.zeros(x.shape[1]), 0.0
    rng = np.random.default_rng(seed)
    orders = [rng.permutation(n) for _ in range(epochs)]  # drawn up front, as the lesson does
    losses = [np.mean((x @ w + b - y) ** 2)]
    for order in orders:
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            residual = x[idx] @ w + b - y[idx]  # (batch,)
            w = w - lr * 2.0 * x[idx].T @ residual / len(idx)
            b = b - lr * 2.0 * residual.mean()
            losses.append(np.mean((x @ w + b - y) ** 2))
    return np.array(losses)


def relation(value, values) -> str:
    return "above" if value > max(values) else "below" if value < min(values) else "inside"


@pytest.mark.slow
def test_batch_sentences_follow_the_spread_over_seeds():
    compared = batch_spread.compare_batches(BATCH, EPOCHS, LR, SEEDS)
    n = len(lesson.diabetes()[1])
    full = sgd_losses(n, EPOCHS, LR, 0)
    np.testing.assert_allclose(compared.full.losses, full, rtol=1e-4)
    mid = [sgd_losses(BATCH, EPOCHS, LR, s) for s in SEEDS]
    one = [sgd_losses(1, EPOCHS, LR, s) for s in SEEDS]
    for run, expected in zip(compared.mid + compared.sgd, mid + one):
        np.testing.assert_allclose(run.losses, expected, rtol=2e-3)

    k = EPOCHS  # the full batch's number of steps
    step = {relation(full[k], [m[k] for m in runs]) for runs in (mid, one)}
    expected_step = ("full_ahead" if step == {"below"} else "small_ahead" if step == {"above"}
                     else "overlap" if step == {"inside"} else "mixed")
    assert compared.per_step_outcome() == expected_step
    per_epoch = {BATCH: math.ceil(n / BATCH), 1: n}
    first = {relation(full[1], [r[per_epoch[bs]] for r in runs]) for bs, runs in ((BATCH, mid), (1, one))}
    assert compared.per_epoch_outcome() == ("small_win" if first == {"above"} else "mixed")
    # Notice and claim box state the same per-step relation (they once contradicted each other).
    numbers = batch_spread.batch_numbers(compared, 0.48, "en")
    assert numbers["step_sentence"] in numbers_measured(numbers)


def numbers_measured(numbers) -> str:
    from core.i18n import t

    return t("optimizers.measured.batch", "en", **numbers)
