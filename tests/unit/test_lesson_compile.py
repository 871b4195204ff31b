"""What model.compile() resets, checked on a real Keras model against Keras' own state."""

import numpy as np
import pytest

from core.lessons import compile as lesson


@pytest.fixture(scope="module")
def runs():
    return {how: lesson.compile_experiment(epochs=5, recompile=how) for how in ("new", "same")}


def steps(run):
    names = ("built", "compiled", "fitted", "recompiled", "refitted", "clone", "fresh", "other")
    return dict(zip(names, run.steps))


def test_compile_keeps_the_weights_and_training_continues(runs):
    s = steps(runs["new"])
    assert s["compiled"].fingerprint == s["built"].fingerprint          # compile() #1: no change
    assert s["fitted"].fingerprint != s["built"].fingerprint            # fit() trains
    assert s["recompiled"].fingerprint == s["fitted"].fingerprint       # compile() #2: no change
    assert s["recompiled"].weight_sum == s["fitted"].weight_sum
    assert s["recompiled"].loss == pytest.approx(s["fitted"].loss, abs=1e-6)
    initial = runs["new"].initial_loss
    # The second fit starts where the first stopped, far below the untrained loss.
    assert runs["new"].history_after[0] < 0.5 * initial
    assert abs(runs["new"].history_after[0] - runs["new"].history_before[-1]) < 0.1


def test_compile_resets_optimizer_and_metrics_unless_the_same_optimizer_is_passed(runs):
    new, same = steps(runs["new"]), steps(runs["same"])
    steps_per_fit = 5 * -(-lesson.lesson_config().n_train // 32)
    assert new["fitted"].iterations == steps_per_fit
    assert new["recompiled"].iterations == 0                  # a new Adam starts from zero
    assert same["recompiled"].iterations == steps_per_fit     # the same object keeps its state
    assert same["refitted"].iterations == 2 * steps_per_fit
    for s in (new, same):
        assert s["fitted"].tracker[1] > 0 and s["recompiled"].tracker == (0.0, 0.0)  # metrics reset


def test_clone_model_and_a_new_build_give_fresh_weights(runs):
    s = steps(runs["new"])
    assert s["clone"].fingerprint != s["refitted"].fingerprint       # clone_model re-initialises
    assert s["clone"].fingerprint == s["built"].fingerprint          # ... with the seeded initializers
    assert s["fresh"].fingerprint == s["built"].fingerprint
    assert s["other"].fingerprint != s["built"].fingerprint          # another seed, other weights
    assert s["clone"].loss == pytest.approx(runs["new"].initial_loss, rel=1e-5)


def test_fingerprint_sees_a_one_ulp_change():
    import keras

    from core.models import build_model

    model = build_model(lesson.lesson_config())
    before = lesson.fingerprint(model)
    weights = model.get_weights()
    weights[0] = weights[0].copy()
    weights[0][0, 0] = np.nextafter(weights[0][0, 0], np.float32(np.inf))
    model.set_weights(weights)
    assert lesson.fingerprint(model) != before
    assert keras.models.clone_model(model) is not model
