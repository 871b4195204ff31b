"""PCA projections of hidden layers: checked against scikit-learn, and kept usable when a
diverged run leaves NaN/Inf or huge values in its activations."""

import numpy as np
from sklearn.decomposition import PCA

from core import probes


def test_pca_matches_scikit_learn_up_to_sign():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)) @ rng.normal(size=(6, 6))
    ours = probes.pca(x, 2)
    theirs = PCA(n_components=2, svd_solver="full").fit(x)
    expected = theirs.transform(x)
    signs = np.sign((ours.coords * expected).sum(axis=0))  # PCA axes are defined up to sign
    np.testing.assert_allclose(ours.coords * signs, expected, atol=1e-8)
    np.testing.assert_allclose(ours.explained, theirs.explained_variance_ratio_, rtol=1e-8)


def test_pca_of_diverged_activations_is_finite_and_does_not_raise():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 4))
    x[3, 1], x[7, 2], x[9, 0] = np.nan, np.inf, -np.inf
    x[:, 3] *= 1e300  # near float64's limit: squaring it would overflow
    proj = probes.pca(x, 2)
    assert np.isfinite(proj.coords).all() and np.isfinite(proj.explained).all()
    all_nan = probes.aligned_projections([np.full((100, 4), np.nan), x], 2)
    assert all(np.isfinite(p.coords).all() for p in all_nan)


def test_aligned_projections_do_not_flip_between_identical_frames():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(80, 5))
    first, second = probes.aligned_projections([x, -x], 2)  # -x: PCA's sign would flip
    np.testing.assert_allclose(first.coords, second.coords, atol=1e-8)
