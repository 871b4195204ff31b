"""core.splitting against scikit-learn's own train_test_split (the same indices, exactly), and the
digits read from scikit-learn's file against its load_digits."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.utils.extmath import _approximate_mode  # noqa: E402

from core import splitting  # noqa: E402
from core.datasets import DATASETS, bundled_digits, split  # noqa: E402


def _sklearn(n: int, labels, fraction: float, seed: int):
    train, val = train_test_split(np.arange(n), test_size=fraction, random_state=seed, stratify=labels)
    return np.sort(train), np.sort(val)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("fraction", [0.1, 0.2, 0.25, 0.33, 0.5])
def test_stratified_matches_sklearn(seed, fraction):
    rng = np.random.default_rng(100 + seed)
    for n_classes, n in [(2, 30), (3, 178), (10, 1797), (4, 97), (7, 250)]:
        # Uneven classes, every one with >= 2 members (sklearn's own requirement).
        labels = np.concatenate([np.arange(n_classes).repeat(2), rng.integers(0, n_classes, n - 2 * n_classes)])
        labels = rng.permutation(labels)
        ours = splitting.stratified(labels, fraction, seed)
        theirs = _sklearn(n, labels, fraction, seed)
        assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1]), (n_classes, n)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n", [10, 101, 442, 1000])
def test_shuffled_matches_sklearn(seed, n):
    ours = [np.sort(part) for part in splitting.shuffled(n, 0.2, seed)]
    theirs = _sklearn(n, None, 0.2, seed)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("seed", [0, 1, 7, 42, 1234])
def test_every_registry_data_set_splits_as_sklearn(name, seed):
    ds = DATASETS[name]
    x, y = ds.load(min(ds.default_samples or 300, 600), 0.1, seed)
    stratify = y if ds.task != "regression" else None
    ours = split(x, y, 0.2, seed, ds.task)
    theirs = _sklearn(len(x), stratify, 0.2, seed)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("seed", range(10))
def test_approximate_mode_with_ties(seed):
    counts = np.array([2, 2, 2, 1, 5, 5])
    for draws in range(1, 17):
        ours = splitting.approximate_mode(counts, draws, np.random.RandomState(seed))
        assert np.array_equal(ours, _approximate_mode(counts, draws, np.random.RandomState(seed)))


def test_errors_where_sklearn_raises():
    with pytest.raises(ValueError):
        splitting.stratified(np.array([0, 0, 0, 1]), 0.5, 0)  # a class with one member
    with pytest.raises(ValueError):
        splitting.stratified(np.arange(6) % 3, 0.2, 0)  # 2 validation rows for 3 classes
    with pytest.raises(ValueError):
        splitting.sizes(10, 1.0)


def test_bundled_digits_are_load_digits():
    from sklearn.datasets import load_digits

    pixels, labels = bundled_digits()
    bunch = load_digits()
    assert pixels.dtype == bunch.data.dtype and np.array_equal(pixels, bunch.data)
    assert np.array_equal(labels, bunch.target) and len(labels) == 1797


def test_digit_images_as_before():
    """The vector-search page's images and split, as scikit-learn's own calls make them."""
    from sklearn.datasets import load_digits

    from core.text import vector_search as vs

    digits, bunch = vs.load_digit_images(), load_digits()
    assert np.array_equal(digits.images, bunch.images.astype("float32"))
    assert np.array_equal(digits.pixels, bunch.data.astype("float32"))
    assert np.array_equal(digits.labels, bunch.target)
    config = vs.DIGITS_CONFIG
    train, val = _sklearn(len(bunch.target), bunch.target, config.val_split, config.seed)
    assert np.array_equal(digits.train_idx, train) and np.array_equal(digits.val_idx, val)
