"""/compile: the sentence about compiling again with optimizer="adam" follows the measured
losses, and the learning rate it quotes is Keras' own default, over several seeds."""

import numpy as np
import pytest

from core.lessons import compile as lesson
from tests.claims.conftest import SEEDS


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_recompiling_by_name_sentence_follows_the_losses(seed):
    import keras

    run = lesson.compile_experiment(epochs=5, recompile="string", seed=seed)
    fitted, recompiled, refitted = run.steps[2], run.steps[3], run.steps[4]
    assert recompiled.learning_rate == pytest.approx(float(keras.optimizers.Adam().learning_rate))
    assert fitted.learning_rate == pytest.approx(lesson.lesson_config(seed).learning_rate)
    # The loss after each fit recomputed outside Keras' evaluate: the per-epoch history is a
    # different measurement (training-mode running mean), so only the table's numbers are used,
    # and the sentence must state their order, whichever it is.
    text = lesson.optimizer_sentence(run, "string", "en")
    lowered = refitted.loss < fitted.loss
    assert ("still lowered" in text) == lowered
    assert ("did not lower" in text) == (not lowered)
    assert f"{refitted.loss:.4f}" in text and f"{fitted.loss:.4f}" in text
    assert "slowly" not in text
    assert np.isfinite(run.history_after).all()
