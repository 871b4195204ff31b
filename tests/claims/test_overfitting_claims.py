"""/overfitting: why BatchNorm at batch size 1 scores below guessing, over several seeds.

The page says: every training batch of one point has variance exactly 0, so the running
variance decays as 0.99^steps (closed form), and evaluated the way it was trained (each point
alone, training mode) the network answers the same class for every point."""

import numpy as np
import pytest

from core.datasets import make_split
from core.lessons import overfitting as lesson
from tests.claims.conftest import SEEDS

EPOCHS = 6  # 50 points, batch 1: 300 steps, enough for 0.99^300 = 4.9e-2


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_batch_of_one_running_variance_and_training_mode_predictions(seed):
    config = lesson.base_config("moons", 100, lesson.NOISES[1], seed, batch_size=1, batchnorm=True,
                                epochs=EPOCHS)
    run = lesson.train_run(config)
    assert run.steps == config.n_train * EPOCHS
    assert run.bn_min_moving_variance == pytest.approx(0.99 ** run.steps, rel=1e-3)
    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    shares = {float(np.mean(data.y_val == c)) for c in (0, 1)}
    # One constant answer for every point: its accuracy is the share of one class.
    assert min(abs(run.val_acc_alone_training_mode - s) for s in shares) < 1e-9


def test_verdict_noise_is_two_standard_errors_of_a_difference():
    # Two accuracies near 0.9 on 50 points: SE of each sqrt(0.9 * 0.1 / 50) = 0.0424.
    assert lesson.verdict_noise(0.9, 50) == pytest.approx(2 * np.sqrt(2) * np.sqrt(0.09 / 50))
    assert lesson.verdict_noise(1.0, 50) > 0  # a perfect score is still one sample of 50
