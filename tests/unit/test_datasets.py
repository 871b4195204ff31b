import numpy as np
import pytest

from core.config import ExperimentConfig
from core.datasets import DATASETS, FEATURES, expand_features, make_split, split_for


@pytest.mark.parametrize("name", list(DATASETS))
def test_load_shapes_standardized_and_seeded(name):
    ds = DATASETS[name]
    x, y = ds.load(300, 0.1, seed=3)
    assert x.dtype == np.float32 and x.shape == (min(300, ds.max_samples or 300), ds.n_features)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=0), 1, atol=1e-3)
    if ds.task == "regression":
        assert y.dtype == np.float32 and abs(float(y.std()) - 1) < 1e-3
    else:
        assert set(np.unique(y)) == set(range(ds.n_classes))
    x2, y2 = ds.load(300, 0.1, seed=3)
    np.testing.assert_array_equal(x, x2)
    x3, _ = ds.load(300, 0.1, seed=4)
    assert not np.array_equal(x, x3)


def test_split_is_stratified_and_disjoint():
    split = make_split("wine", 178, 0.0, 0.25, 0, ())
    assert len(split.x_train) + len(split.x_val) == 178
    assert set(np.unique(split.y_val)) == {0, 1, 2}


def test_split_for_a_config_uses_every_data_field_of_it():
    config = ExperimentConfig(dataset="circle", n_samples=240, noise=0.3, val_split=0.25, seed=5,
                              features=("x1", "x2", "x1_x2"))
    ours = split_for(config)
    theirs = make_split("circle", 240, 0.3, 0.25, 5, ("x1", "x2", "x1_x2"))
    assert ours.x_train.shape == (180, 3)
    for name in ("x_train", "y_train", "x_val", "y_val", "points_train"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    assert not np.array_equal(ours.x_train, split_for(config.replace(seed=6)).x_train)


def test_xor_labels_follow_the_quadrants_without_noise():
    split = make_split("xor", 400, 0.0, 0.2, 1)
    p = split.points_train
    np.testing.assert_array_equal(split.y_train, (p[:, 0] * p[:, 1] > 0).astype(int))


def test_feature_expansion():
    pts = np.array([[1.0, 2.0], [-0.5, 0.25]])
    out = expand_features(pts, tuple(FEATURES))
    np.testing.assert_allclose(out[0], [1, 2, 1, 4, 2, np.sin(1), np.sin(2)], rtol=1e-6)
