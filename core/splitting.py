"""The train/validation split, in NumPy: scikit-learn's `train_test_split` (shuffled, stratified
for classification), step for step with the same random draws, without importing scikit-learn.

Importing `sklearn.model_selection` takes about a second on an idle server (over 3 s while
TensorFlow's import holds Python's lock), and the Lab's data preview and the vector-search
page need the split before their first screen. tests/unit/test_splitting.py checks that both
functions return exactly scikit-learn's indices over many seeds, sizes, fractions and label sets.
"""

from __future__ import annotations

import math

import numpy as np


def sizes(n_samples: int, val_fraction: float) -> tuple[int, int]:
    """(n_train, n_val): the held-out part rounded up, as scikit-learn does for a fraction."""
    if not 0.0 < float(val_fraction) < 1.0:
        raise ValueError(f"val_fraction={val_fraction} should be between 0 and 1")
    n_val = math.ceil(float(val_fraction) * n_samples)
    n_train = n_samples - n_val
    if n_train == 0:
        raise ValueError(f"with n_samples={n_samples} and val_fraction={val_fraction} the training set is empty")
    return n_train, n_val


def _random_state(seed) -> np.random.RandomState:
    """scikit-learn's `check_random_state`: an int seeds a new RandomState, None is NumPy's global one."""
    if seed is None:
        return np.random.mtrand._rand
    return np.random.RandomState(seed)


def approximate_mode(class_counts: np.ndarray, n_draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of `n_draws` to take from each class: the floored proportional share, then one
    more for the classes with the largest remainders, ties drawn at random (scikit-learn's
    `_approximate_mode`)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            floored[rng.choice(inds, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def shuffled(n_samples: int, val_fraction: float, seed) -> tuple[np.ndarray, np.ndarray]:
    """(train_idx, val_idx) of a plain shuffled split (scikit-learn's ShuffleSplit), unsorted."""
    n_train, n_val = sizes(n_samples, val_fraction)
    permutation = _random_state(seed).permutation(n_samples)
    return permutation[n_val:n_val + n_train], permutation[:n_val]


def stratified(labels: np.ndarray, val_fraction: float, seed) -> tuple[np.ndarray, np.ndarray]:
    """(train_idx, val_idx), each class split in proportion (scikit-learn's
    StratifiedShuffleSplit), sorted. Raises ValueError where scikit-learn does."""
    labels = np.asarray(labels)
    n_train, n_val = sizes(len(labels), val_fraction)
    classes, y_indices, class_counts = np.unique(labels, return_inverse=True, return_counts=True)
    if np.min(class_counts) < 2:
        raise ValueError(f"classes with fewer than 2 members: {classes[class_counts < 2].tolist()}")
    if n_train < len(classes) or n_val < len(classes):
        raise ValueError(f"{n_train} training and {n_val} validation rows for {len(classes)} classes")
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    rng = _random_state(seed)
    n_i = approximate_mode(class_counts, n_train, rng)
    t_i = approximate_mode(class_counts - n_i, n_val, rng)
    train, val = [], []
    for i in range(len(classes)):
        members = class_indices[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.extend(members[:n_i[i]])
        val.extend(members[n_i[i]:n_i[i] + t_i[i]])
    # scikit-learn shuffles both lists once more; sorted, the order does not matter.
    return np.sort(np.asarray(train, dtype=int)), np.sort(np.asarray(val, dtype=int))
