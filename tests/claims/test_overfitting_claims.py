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


# ---- the regularizer comparison over seeds 0-4 (the page's default setting) ---------------------

def _evaluate(weights, config) -> dict[str, float]:
    """Keras' own model.evaluate / predict of trained weights, on the split rebuilt from the
    dataset module (not the Trainer's arrays): training and validation accuracy, validation loss."""
    from core.losses import LOSSES, encode_targets
    from core.models import build_model

    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    model = build_model(config)
    model.set_weights(weights)
    model.compile(loss=LOSSES[config.loss].keras)
    y_val = encode_targets(data.y_val, data.task, config.loss, data.n_classes)
    val_loss = model.evaluate(data.x_val.astype("float32"), y_val, batch_size=len(y_val), verbose=0)

    def accuracy(x, y):
        p = np.asarray(model.predict(x.astype("float32"), batch_size=len(x), verbose=0)).reshape(-1)
        return float(np.mean((p > 0.5).astype(int) == y.reshape(-1)))

    return {"train_acc": accuracy(data.x_train, data.y_train), "val_acc": accuracy(data.x_val, data.y_val),
            "val_loss": float(np.atleast_1d(val_loss)[0])}


@pytest.mark.slow
def test_regularizer_over_five_seeds_sentence_from_keras_evaluate(monkeypatch):
    """Dropout 0.3 (the page's default) against the baseline at seeds 0-4, 300 epochs: every
    run's final accuracies and validation loss are Keras' evaluate of the weights it ended with;
    the seed count k and its outcome word are re-derived from those numbers. Accuracies agree to
    1e-6 (the Trainer keeps them in float32; one validation point is 0.02)."""
    import core.training
    from core.lessons import overfitting_seeds
    from core.lessons.seed_race import outcome

    trainers = []

    class Recording(core.training.Trainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            trainers.append(self)

    monkeypatch.setattr(core.training, "Trainer", Recording)
    comparison = overfitting_seeds.compare("moons", 100, 0.3, False, 0.0, None)
    runs = [r for pair in zip(comparison.baseline, comparison.chosen) for r in pair]  # training order
    assert len(trainers) == len(runs) == 2 * len(SEEDS) and comparison.seeds == SEEDS
    oracle = []
    for trainer, run in zip(trainers, runs):
        assert trainer.config == run.config and run.final == len(run.epochs) - 1 == lesson.EPOCHS
        numbers = _evaluate(trainer.with_model(lambda m: [w.copy() for w in m.get_weights()]), run.config)
        assert run.final_train_acc == pytest.approx(numbers["train_acc"], abs=1e-6), run.config.seed
        assert run.final_val_acc == pytest.approx(numbers["val_acc"], abs=1e-6), run.config.seed
        assert run.final_val_loss == pytest.approx(numbers["val_loss"], rel=1e-4, abs=1e-6), run.config.seed
        oracle.append(numbers["train_acc"] - numbers["val_acc"])
    assert [r.config.dropout for r in comparison.chosen] == [0.3] * 5
    assert {r.config.dropout for r in comparison.baseline} == {0.0}
    changes = np.array(oracle[1::2]) - np.array(oracle[0::2])  # chosen gap - baseline gap, per seed
    k = int(np.sum(changes < 0))
    for lang in ("en", "ko"):
        said = overfitting_seeds.sentence(comparison, "Dropout 0.3", lang)
        assert (said["k"], said["n"], said["outcome"]) == (k, 5, outcome(k, 5))
        assert said["lo"] == f"{100 * changes.min():+.0f}" and said["hi"] == f"{100 * changes.max():+.0f}"
        assert f"{100 * changes.mean():+.0f}" in said["change"]
        count = {"en": "all 5 seeds" if k == 5 else f"{k} of 5 seeds",
                 "ko": "5개 시드 모두" if k == 5 else f"5개 중 {k}개"}[lang]
        assert count in said["text"]
    table = overfitting_seeds.table(comparison, "Dropout 0.3", "en")
    gaps = table["gap (train − val), mean (min–max) over 5 seeds"]
    baseline = 100 * np.array(oracle[0::2])
    assert gaps[0] == f"{baseline.mean():+.0f} ({baseline.min():+.0f}–{baseline.max():+.0f}) pts"


@pytest.mark.parametrize(("k", "word"), [(5, "all"), (4, "most"), (3, "most"), (2, "few"), (1, "few"),
                                         (0, "none")])
def test_seed_count_words_and_a_one_seed_verdict_that_disagrees(k, word):
    """The sentence's word for k of 5 (seed_race.outcome), and the warning shown when one seed's
    verdict points the other way."""
    from core.lessons import overfitting_seeds
    from core.lessons.seed_race import outcome

    assert outcome(k, 5) == word
    warns_better = overfitting_seeds.contradiction("better", word, "en") is not None
    warns_worse = overfitting_seeds.contradiction("worse", word, "ko") is not None
    assert warns_better == (word in ("few", "none"))
    assert warns_worse == (word in ("all", "most"))
    assert overfitting_seeds.contradiction("noise", word, "en") is None
