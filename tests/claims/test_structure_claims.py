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
        text = lesson.dimension_sentence(model, 13, width, "en")
        if width > 13:
            assert f"span at most {rank} dimensions" in text and "13차원에서" not in text
        else:
            assert "13차원에서" in text and "span at most" not in text
