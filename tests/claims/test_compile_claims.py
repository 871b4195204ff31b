"""/compile: what the second compile() does to the optimizer (Keras' default learning rate for
"adam" by name), and the sentence comparing "fit() again" with "compile() again, then fit",
recomputed over five seeds with Keras in another mode (eager, no tf.function) and the losses
in float64 NumPy."""

import numpy as np
import pytest

from core.lessons import compile as lesson
from core.lessons import compile_seeds
from tests.claims.conftest import SEEDS

EPOCHS = 5
TOL = 2e-3  # graph vs eager float32 over 2 x 5 epochs of Adam: far below the differences read


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_recompiling_by_name_uses_keras_default_learning_rate(seed):
    import keras

    run = lesson.compile_experiment(epochs=EPOCHS, recompile="string", seed=seed)
    fitted, recompiled = run.steps[2], run.steps[3]
    assert recompiled.learning_rate == pytest.approx(float(keras.optimizers.Adam().learning_rate))
    assert fitted.learning_rate == pytest.approx(lesson.lesson_config(seed).learning_rate)
    assert recompiled.iterations == 0 and fitted.iterations > 0
    assert np.isfinite(run.history_after).all()


def _bce(model, x, y) -> float:
    p = np.clip(np.asarray(model.predict(x, verbose=0), np.float64).reshape(-1), 1e-7, 1 - 1e-7)
    y = np.asarray(y, np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _oracle(seed: int) -> dict:
    """The three second fits of one seed, eagerly, each from a copy of fit #1's weights and
    optimizer (a fresh model and Adam per branch, fit #1 repeated), losses in float64."""
    import keras

    from core.datasets import split_for
    from core.models import build_model

    config = lesson.lesson_config(seed)
    data = split_for(config)
    x, y = data.x_train, data.y_train.astype("float32")
    out = {}
    for branch in ("continue", "new", "string"):
        keras.utils.set_random_seed(seed)
        model = build_model(config)
        model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="binary_crossentropy",
                      run_eagerly=True)
        model.fit(x, y, batch_size=config.batch_size, epochs=EPOCHS, verbose=0)
        out["first"] = _bce(model, x, y)
        if branch != "continue":
            optimizer = keras.optimizers.Adam(config.learning_rate) if branch == "new" else "adam"
            model.compile(optimizer=optimizer, loss="binary_crossentropy", run_eagerly=True)
        keras.utils.set_random_seed(10_000 + seed)
        model.fit(x, y, batch_size=config.batch_size, epochs=EPOCHS, verbose=0)
        out[branch] = _bce(model, x, y)
    return out


@pytest.fixture(scope="module")
def comparison():
    return compile_seeds.compare(EPOCHS, SEEDS), {seed: _oracle(seed) for seed in SEEDS}


@pytest.mark.slow
def test_continue_vs_compile_again_losses_match_an_eager_float64_oracle(comparison):
    c, oracle = comparison
    assert len(SEEDS) >= 5 and [r.seed for r in c.runs] == list(SEEDS)
    for run in c.runs:
        assert run.after_first == pytest.approx(oracle[run.seed]["first"], abs=TOL)
        for branch in compile_seeds.BRANCHES:
            assert run.after_second[branch] == pytest.approx(oracle[run.seed][branch], abs=TOL)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["new", "string"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_continue_vs_compile_again_sentence_follows_every_seed(comparison, how, lang):
    c, oracle = comparison
    diffs = np.array([oracle[s][how] - oracle[s]["continue"] for s in SEEDS])
    clear = np.abs(diffs) > 2 * TOL  # seeds where the oracle's sign is not a rounding matter
    mine = np.array(c.difference(how).values)
    assert (np.sign(mine[clear]) == np.sign(diffs[clear])).all()
    k = int(np.sum(mine < 0))
    assert c.lower_count(how) == k
    expected = "recompile_lower" if k == len(SEEDS) else "continue_lower" if k == 0 else "mixed"
    assert compile_seeds.outcome(c, how) == expected
    text = compile_seeds.comparison_sentence(c, how, lang)
    from core.i18n import t
    assert text.startswith(t(f"compile.seeds.{expected}", lang, n=len(SEEDS), k=k, k_cont=len(SEEDS) - k,
                             diff=c.difference(how).text("+.4f"), how=t(f"compile.seeds.how.{how}", lang)))
    spread = f"{mine.mean():+.4f} ({mine.min():+.4f}–{mine.max():+.4f})"
    assert spread in text
    if lang == "en":
        assert ("in all 5 seeds" in text) == (expected != "mixed")
        assert (f"in {k} of 5 seeds" in text) == (expected == "mixed")
        if how == "string":
            lowered = sum(oracle[s]["string"] < oracle[s]["first"] for s in SEEDS)
            assert c.lowered_count("string") == lowered
            assert ("In all 5 seeds the second fit still lowered" in text) == (lowered == 5)
