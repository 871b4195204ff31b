"""Data sets: one registry. Everything is generated here or shipped inside scikit-learn,
so nothing is downloaded at run time.

`load(n_samples, noise, seed)` returns `(x, y)`: standardized float32 features of shape
(n, d), and integer labels (classification) or standardized float32 targets (regression)
of shape (n,). The 2-D generators follow TensorFlow Playground's shapes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import numpy as np

# Playground-style input features for 2-D data: name -> function of the (n, 2) points.
FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1_sq": lambda p: p[:, 0] ** 2,
    "x2_sq": lambda p: p[:, 1] ** 2,
    "x1_x2": lambda p: p[:, 0] * p[:, 1],
    "sin_x1": lambda p: np.sin(p[:, 0]),
    "sin_x2": lambda p: np.sin(p[:, 1]),
}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1_sq": "x₁²", "x2_sq": "x₂²", "x1_x2": "x₁·x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}


def expand_features(points: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """Map 2-D points (n, 2) to the chosen Playground features (n, len(features))."""
    return np.stack([FEATURES[f](points) for f in features], axis=1).astype("float32")


def plane_limits(points: np.ndarray, pad: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    """The (lo, hi) of x1 and of x2 that frame 2-D points with a margin of `pad` of each span:
    the decision-boundary grid and the data preview show the same plane."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    margin = pad * (hi - lo)
    return np.array([lo[0] - margin[0], hi[0] + margin[0]]), np.array([lo[1] - margin[1], hi[1] + margin[1]])


def standardize(x: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per column; constant columns stay zero instead of dividing by 0."""
    x = np.asarray(x, dtype="float64")
    std = x.std(axis=0)
    std[std == 0] = 1.0
    return ((x - x.mean(axis=0)) / std).astype("float32")


# ---- 2-D generators (raw coordinates; `load` standardizes) ---------------------------------

def _circle(n, noise, rng):
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, n - n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    pts = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)  # (n, 2)
    pts += rng.uniform(-radius, radius, (n, 2)) * noise
    # Like Playground, the label comes from the clean radius: noise moves points across it.
    y = (r < radius * 0.6).astype(int)
    return pts, y


def _xor(n, noise, rng):
    pts = rng.uniform(-5, 5, (n, 2))
    pts += np.sign(pts) * 0.3  # Keep a small gap around the axes, as Playground does.
    y = (pts[:, 0] * pts[:, 1] > 0).astype(int)
    pts += rng.uniform(-5, 5, (n, 2)) * noise
    return pts, y


def _gaussian(n, noise, rng):
    variance = 0.5 + 3.5 * noise / 0.5  # noise 0..0.5 -> variance 0.5..4 (Playground's range)
    y = (np.arange(n) % 2).astype(int)
    centers = np.where(y[:, None] == 1, 2.0, -2.0)
    pts = centers + rng.normal(0, np.sqrt(variance), (n, 2))
    return pts, y


def _spiral(n, noise, rng):
    half = n // 2
    pts, labels = [], []
    for label, delta, count in ((1, 0.0, half), (0, np.pi, n - half)):
        i = np.arange(count)
        r = i / max(count, 1) * 5.0
        t = 1.75 * i / max(count, 1) * 2 * np.pi + delta
        p = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        p += rng.uniform(-1, 1, (count, 2)) * noise * 5.0
        pts.append(p)
        labels.append(np.full(count, label))
    return np.concatenate(pts), np.concatenate(labels).astype(int)


def _moons(n, noise, rng):
    from sklearn.datasets import make_moons

    pts, y = make_moons(n_samples=n, noise=noise, random_state=int(rng.integers(0, 2**31 - 1)))
    return pts, y.astype(int)


def _plane(n, noise, rng):
    pts = rng.uniform(-6, 6, (n, 2))
    y = pts[:, 0] / 6.0 * 0.8 + pts[:, 1] / 6.0 * 0.4 + rng.normal(0, 1, n) * noise
    return pts, y


def _multi_gaussian(n, noise, rng):
    pts = rng.uniform(-6, 6, (n, 2))
    centers = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    signs = np.array([-1, 1, -1, 1, -1, 1], dtype=float)
    d2 = ((pts[:, None, :] - centers[None, :, :]) ** 2).sum(-1)  # (n, 6)
    y = (signs[None, :] * np.exp(-d2 / 2.0)).sum(axis=1) + rng.normal(0, 1, n) * noise * 0.5
    return pts, y


# ---- tabular data shipped with scikit-learn -----------------------------------------------

def bundled_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits, (pixels (1797, 64) float64, labels (1797,) int), read from the
    file scikit-learn ships (sklearn/datasets/data/digits.csv.gz) as its `load_digits` reads it,
    without importing scikit-learn (about a second before a page's first screen).
    tests/unit/test_splitting.py checks both arrays against `load_digits()`."""
    import gzip
    import importlib.util
    from pathlib import Path

    package = importlib.util.find_spec("sklearn")  # finds the package without importing it
    path = Path(package.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def _sklearn_table(loader_name: str, n, noise, rng):
    """A scikit-learn bundled table (no download): optional subsample, standardize, jitter."""
    if loader_name == "load_digits":
        x, y = bundled_digits()
    else:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)()
        x, y = bunch.data, bunch.target
    if n < len(x):
        idx = np.sort(rng.choice(len(x), size=n, replace=False))
        x, y = x[idx], y[idx]
    x = standardize(x)
    # Noise for tabular data: Gaussian jitter in standardized units.
    x = x + rng.normal(0, 1, x.shape) * noise
    return x, y


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    task: str  # "binary", "multiclass" or "regression"
    generator: Callable = field(repr=False)
    n_features: int = 2
    n_classes: int = 2  # 1 for regression
    max_samples: int | None = None  # tabular sets have a fixed size
    default_samples: int = 500
    feature_names: tuple[str, ...] = ("x1", "x2")
    class_names: tuple[str, ...] = ()  # display names of the classes 0, 1, … (an upload's own)
    source: str = ""
    separator: str = ","  # an uploaded CSV's column separator (the exported script reads it so)

    @property
    def is_2d(self) -> bool:
        """Points in a plane: the generated sets, and an upload with two numeric features
        (its decision boundary is drawn like Playground's)."""
        return self.n_features == 2 and (self.max_samples is None or self.source == "upload")

    def load(self, n_samples: int, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(x, y): x standardized float32 (n, d); y int labels or standardized float32 targets."""
        rng = np.random.default_rng(seed)
        n = int(n_samples) if self.max_samples is None else min(int(n_samples), self.max_samples)
        x, y = self.generator(n, float(noise), rng)
        x = standardize(x)
        if self.task == "regression":
            y = standardize(np.asarray(y, dtype="float64").reshape(-1, 1)).reshape(-1)
        else:
            y = np.asarray(y).astype("int64")
        return x, y


def _tab(name, label, task, loader, n_features, n_classes, max_samples, source) -> Dataset:
    return Dataset(name, label, task, partial(_sklearn_table, loader), n_features, n_classes, max_samples,
                   default_samples=max_samples, feature_names=(), source=source)


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset("circle", "circle", "binary", _circle),
        Dataset("xor", "XOR", "binary", _xor),
        Dataset("gaussian", "two Gaussians", "binary", _gaussian),
        Dataset("spiral", "spiral", "binary", _spiral),
        Dataset("moons", "two moons", "binary", _moons),
        Dataset("plane", "plane (regression)", "regression", _plane, n_classes=1),
        Dataset("multi_gaussian", "multi-Gaussian (regression)", "regression", _multi_gaussian,
                n_classes=1),
        _tab("wine", "wine (13 features, 3 cultivars)", "multiclass", "load_wine", 13, 3, 178,
             "sklearn.datasets.load_wine"),
        _tab("digits", "digits (8x8 images, 64 features)", "multiclass", "load_digits", 64, 10,
             1797, "sklearn.datasets.load_digits"),
        _tab("breast_cancer", "breast cancer (30 features)", "binary", "load_breast_cancer", 30, 2,
             569, "sklearn.datasets.load_breast_cancer"),
        _tab("diabetes", "diabetes progression (10 features, regression)", "regression",
             "load_diabetes", 10, 1, 442, "sklearn.datasets.load_diabetes"),
    ]
}


@dataclass
class DataSplit:
    """Train and validation arrays plus what a page needs to label them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    task: str
    n_classes: int
    # The 2-D points before feature expansion (None for tabular data); used for drawing.
    points_train: np.ndarray | None = None
    points_val: np.ndarray | None = None

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])


def split(x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int, task: str):
    """A seeded train/validation split, stratified for classification so every class
    appears on both sides. Returns index arrays (train_idx, val_idx): scikit-learn's
    `train_test_split(np.arange(len(x)), test_size=val_fraction, random_state=seed,
    stratify=...)`, sorted, computed by core.splitting without importing scikit-learn."""
    from core import splitting

    if task != "regression" and np.min(np.bincount(y)) >= 2:
        return splitting.stratified(y, val_fraction, seed)
    train_idx, val_idx = splitting.shuffled(len(x), val_fraction, seed)
    return np.sort(train_idx), np.sort(val_idx)


def make_split(dataset: str, n_samples: int, noise: float, val_fraction: float, seed: int,
               features: tuple[str, ...] = ("x1", "x2")) -> DataSplit:
    """Load a registry data set, split it, and expand 2-D points into the chosen features."""
    ds = get_dataset(dataset)
    x, y = ds.load(n_samples, noise, seed)
    train_idx, val_idx = split(x, y, val_fraction, seed, ds.task)
    points_train = points_val = None
    if ds.is_2d:
        points_train, points_val = x[train_idx], x[val_idx]
        x = expand_features(x, tuple(features))
    return DataSplit(x[train_idx], y[train_idx], x[val_idx], y[val_idx], ds.task,
                     ds.n_classes, points_train, points_val)


def split_for(config) -> DataSplit:
    """The data an ExperimentConfig trains on (its data set, size, noise, split, seed, features)."""
    return make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)


# ---- uploaded data sets (parsed and registered by core.datasets_csv) ------------------------
_UPLOADS: "OrderedDict[str, Dataset]" = OrderedDict()
_MAX_UPLOADS = 32  # process-wide; content-addressed, so sessions uploading one file share it


def get_dataset(name: str) -> Dataset:
    """A registry data set or an uploaded one; KeyError if neither."""
    if name in DATASETS:
        return DATASETS[name]
    return _UPLOADS[name]


def class_names(name: str) -> tuple[str, ...]:
    """The display names of a data set's classes (an uploaded file's own), () when they are
    its numbers or the set is gone; charts then show 0, 1, …"""
    return get_dataset(name).class_names if is_known(name) else ()


def is_known(name: str) -> bool:
    return name in DATASETS or name in _UPLOADS


# The CSV upload lives in core.datasets_csv; its public names stay importable from here, loaded
# on first use (that module imports this one, so a plain import here would be circular).
_CSV_NAMES = frozenset({"CSV_CAPS", "MAX_CLASSIFICATION_LEVELS", "DataError", "csv_error", "parse_csv",
                        "register_csv"})


def __getattr__(name: str):
    if name in _CSV_NAMES:
        from core import datasets_csv

        return getattr(datasets_csv, name)
    raise AttributeError(f"module 'core.datasets' has no attribute {name!r}")
