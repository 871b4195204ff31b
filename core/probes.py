"""Looking inside a network: PCA projections kept aligned across snapshots, t-SNE, and the
end-of-run summaries (confusion matrix, R², RMSE)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Projection:
    coords: np.ndarray            # (n_points, k)
    explained: np.ndarray         # (k,) explained-variance ratio of each component
    total_dims: int               # the dimension of the space the points live in


def pca(x: np.ndarray, k: int = 2) -> Projection:
    """Principal components by SVD of the centred data. Dimensions beyond the data's width
    are padded with zeros, so a 1-unit layer still gives an (n, k) array to plot."""
    x = np.array(x, dtype="float64")
    n, d = x.shape
    # A diverged run leaves NaN/Inf (or values near float64's limit) in its activations: those
    # entries are zeroed and the rest scaled to at most 1, so the SVD converges and the page
    # shows a flat projection instead of an exception.
    x[~np.isfinite(x)] = 0.0
    magnitude = float(np.abs(x).max()) if x.size else 0.0
    if magnitude > 0:
        x /= magnitude
    centred = x - x.mean(axis=0)
    try:
        _, s, vt = np.linalg.svd(centred, full_matrices=False)  # vt: (min(n, d), d)
    except np.linalg.LinAlgError:
        return Projection(np.zeros((n, k)), np.zeros(k), d)
    if magnitude > 0:
        centred *= magnitude  # back to the activations' own units
    var = s**2
    total = var.sum()
    m = min(k, vt.shape[0])
    coords = np.zeros((n, k))
    coords[:, :m] = centred @ vt[:m].T  # (n, m)
    explained = np.zeros(k)
    if total > 0:
        explained[:m] = var[:m] / total
    return Projection(coords, explained, d)


def procrustes_rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal matrix R minimizing ||source @ R - target|| (Schönemann, 1966)."""
    try:
        u, _, vt = np.linalg.svd(source.T @ target)
    except np.linalg.LinAlgError:  # degenerate (e.g. all-zero) frames: leave them as they are
        return np.eye(source.shape[1])
    return u @ vt


def aligned_projections(snapshots: list[np.ndarray], k: int = 2) -> list[Projection]:
    """PCA of each snapshot's activations, each rotated/reflected onto the previous one.

    PCA axes are only defined up to sign and (for similar variances) rotation, so
    independent projections flip and spin between epochs. An orthogonal Procrustes step
    keeps each frame as close as possible to the one before, without distorting it."""
    out: list[Projection] = []
    for acts in snapshots:
        proj = pca(acts, k)
        if out:
            rotation = procrustes_rotation(proj.coords, out[-1].coords)
            proj = Projection(proj.coords @ rotation, proj.explained, proj.total_dims)
        out.append(proj)
    return out


def tsne(x: np.ndarray, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """A 2-D t-SNE embedding (scikit-learn), for comparison with PCA on the last hidden layer."""
    from sklearn.manifold import TSNE

    x = np.asarray(x, dtype="float64")
    perplexity = min(perplexity, max(2.0, (len(x) - 1) / 3))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[i, j] = how many examples of true class i were predicted as class j."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(labels, int), np.asarray(predicted, int)), 1)
    return counts


def predicted_classes(probabilities: np.ndarray, task: str) -> np.ndarray:
    if task == "binary":
        return (probabilities[:, 0] > 0.5).astype(int)
    return probabilities.argmax(axis=1)


def regression_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    y_true = np.asarray(y_true, float).reshape(-1)
    y_pred = np.asarray(y_pred, float).reshape(-1)
    residual = np.sum((y_true - y_pred) ** 2)
    total = np.sum((y_true - y_true.mean()) ** 2)
    return {"r2": float(1 - residual / total) if total > 0 else float("nan"),
            "rmse": float(np.sqrt(residual / len(y_true)))}
