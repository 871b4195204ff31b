"""/structure: class separation measured on held-out points (scikit-learn's NearestCentroid
on standardised features as the oracle), and the rank behind "a layer cannot add information"."""

import numpy as np
import pytest

from core.datasets import make_split
from core.lessons import structure as lesson
from tests.claims.conftest import SEEDS


@pytest.mark.parametrize("seed", SEEDS)
def test_held_out_nearest_class_mean_matches_scikit_learn(seed):
    from sklearn.neighbors import NearestCentroid
    from sklearn.preprocessing import StandardScaler

    config = lesson.structure_config("wine", seed=seed)
    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, seed, config.features)
    y_train, y_val = data.y_train.reshape(-1), data.y_val.reshape(-1)
    scaler = StandardScaler().fit(data.x_train)
    oracle = NearestCentroid().fit(scaler.transform(data.x_train), y_train)
    expected = float(np.mean(oracle.predict(scaler.transform(data.x_val)) == y_val))
    assert lesson.centroid_accuracy(data.x_val, y_val, data.x_train, y_train) == pytest.approx(expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_wider_layer_spans_at_most_its_inputs(seed):
    from core.models import build_model

    for width in (16, 5):
        config = lesson.structure_config("wine", (width,)).replace(seed=seed)
        model = build_model(config)
        kernel = np.asarray(model.get_layer("hidden_1").kernel.numpy(), np.float64)  # (13, width)
        singular = np.linalg.svd(kernel, compute_uv=False)
        rank = int(np.sum(singular > singular.max() * max(kernel.shape) * np.finfo(np.float32).eps))
        assert rank == min(13, width) == lesson.kernel_rank(model)
        # The pre-activation outputs on real data span exactly that many dimensions.
        x = make_split(config.dataset, config.n_samples, config.noise, config.val_split, seed,
                       config.features).x_train.astype(np.float64)
        assert np.linalg.matrix_rank(x @ kernel, tol=1e-6) == rank
        text = lesson.dimension_sentence(lesson.kernel_rank(model), 13, width, "en")
        if width > 13:
            assert f"span at most {rank} dimensions" in text and "13차원에서" not in text
        else:
            assert "13차원에서" in text and "span at most" not in text


def _nearest_mean(train, y_train, val, y_val) -> float:
    from sklearn.neighbors import NearestCentroid
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(train)
    oracle = NearestCentroid().fit(scaler.transform(train), y_train)
    return float(np.mean(oracle.predict(scaler.transform(val)) == y_val))


@pytest.fixture(scope="module")
def separation():
    from core.lessons import structure_seeds

    return structure_seeds.separation_spread(lesson.structure_config("wine"), SEEDS)


def test_hidden_separation_over_seeds_matches_a_float64_oracle(separation):
    """Every seed's two percentages: scikit-learn on the raw split, and on the first hidden
    layer recomputed in float64 NumPy (relu(x W + b)) from that seed's trained weights."""
    config = lesson.structure_config("wine")
    assert config.activation == "relu" and not config.skip and not config.batchnorm
    assert [r.seed for r in separation.runs] == list(SEEDS) and len(SEEDS) >= 5
    for run in separation.runs:
        data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, run.seed,
                          config.features)
        y_train, y_val = data.y_train.reshape(-1), data.y_val.reshape(-1)
        assert (run.n_fit, run.n_held) == (len(y_train), len(y_val))
        assert run.inputs == pytest.approx(_nearest_mean(data.x_train, y_train, data.x_val, y_val))
        kernel, bias = (np.asarray(w, np.float64) for w in run.first_layer)
        hidden = lambda x: np.maximum(np.asarray(x, np.float64) @ kernel + bias, 0.0)  # noqa: E731
        expected = _nearest_mean(hidden(data.x_train), y_train, hidden(data.x_val), y_val)
        assert abs(run.hidden - expected) <= 1 / len(y_val) + 1e-12  # float32 vs 64: one point at most


def test_the_page_run_is_the_first_seed_of_the_spread(separation):
    run = lesson.train_structure(lesson.structure_config("wine"))
    assert separation.runs[0].seed == run.config.seed == 0
    assert (run.centroid_input, run.centroid_hidden[0]) == pytest.approx(
        (separation.runs[0].inputs, separation.runs[0].hidden))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_separation_sentence_says_what_holds_in_every_seed(separation, lang):
    from core.i18n import t
    from core.lessons import structure_seeds

    inputs = np.array([r.inputs for r in separation.runs])
    hidden = np.array([r.hidden for r in separation.runs])
    higher, lower = int(np.sum(hidden > inputs)), int(np.sum(hidden < inputs))
    expected = "hidden_better" if higher == 5 else "input_better" if lower == 5 else "mixed"
    numbers = structure_seeds.separation_numbers(separation, lang)
    assert numbers["c_in"] == f"{inputs.mean():.1%} ({inputs.min():.1%}–{inputs.max():.1%})" or \
        inputs.min() == inputs.max() == float(numbers["c_in"].rstrip("%")) / 100
    assert numbers["c_hid"].startswith(f"{hidden.mean():.1%}")
    assert numbers["compare"] == t(f"structure.hidden.compare.{expected}", lang, n=5, higher=higher,
                                   lower=lower, same=5 - higher - lower)
    if lang == "en":
        assert ("in all 5 seeds" in numbers["compare"]) == (expected != "mixed")
        assert (f"higher in {higher} of 5 seeds" in numbers["compare"]) == (expected == "mixed")
