"""Loss functions: one registry, each with its Keras object and an independent NumPy formula.

`numpy(y_true, y_pred)` returns per-sample losses, reducing over the last axis exactly the
way Keras does (mean for MSE/MAE/Huber/BCE, sum for categorical cross-entropy), so that tests
can compare the two sample by sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking logs.
EPSILON = 1e-7
HUBER_DELTA = 1.0


def _mse(y_true, y_pred):
    return np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2, axis=-1)


def _mae(y_true, y_pred):
    return np.mean(np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float)), axis=-1)


def _huber(y_true, y_pred, delta=HUBER_DELTA):
    err = np.abs(np.asarray(y_true, float) - np.asarray(y_pred, float))
    # Quadratic near zero (like MSE), linear far away (like MAE): outliers pull less.
    per = np.where(err <= delta, 0.5 * err**2, delta * err - 0.5 * delta**2)
    return np.mean(per, axis=-1)


def _bce(y_true, y_pred):
    y = np.asarray(y_true, float)
    p = np.clip(np.asarray(y_pred, float), EPSILON, 1.0 - EPSILON)
    return np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)), axis=-1)


def _cce(y_true, y_pred):
    y = np.asarray(y_true, float)
    p = np.asarray(y_pred, float)
    # Keras rescales the predictions to sum to one, then clips, then sums over classes.
    p = p / np.sum(p, axis=-1, keepdims=True)
    p = np.clip(p, EPSILON, 1.0 - EPSILON)
    return -np.sum(y * np.log(p), axis=-1)


def _sparse_cce(y_true, y_pred):
    labels = np.asarray(y_true).astype(int).reshape(-1)  # (batch,)
    p = np.asarray(y_pred, float)
    p = p / np.sum(p, axis=-1, keepdims=True)
    p = np.clip(p, EPSILON, 1.0 - EPSILON)
    return -np.log(p[np.arange(len(labels)), labels])


def _keras(factory_name: str, **kwargs) -> Callable[[], object]:
    def make():
        import keras  # Imported lazily: pages that only plot formulas never load TensorFlow.

        return getattr(keras.losses, factory_name)(**kwargs)

    return make


@dataclass(frozen=True)
class Loss:
    name: str
    label: str
    # Which tasks the loss makes sense for ("binary", "multiclass", "regression").
    tasks: tuple[str, ...]
    # How targets must be shaped for it: "binary" (0/1 column), "onehot", "sparse" (integer
    # labels) or "value" (real numbers; for classification tasks this means one-hot/0-1 targets
    # regressed with squared error, the lecture's "MSE for classification").
    target: str
    numpy: Callable[[np.ndarray, np.ndarray], np.ndarray] = field(repr=False)
    make_keras: Callable[[], object] = field(repr=False)
    keras_name: str = ""

    @property
    def keras(self):
        """A fresh `keras.losses.Loss` instance (fresh so no state is shared between runs)."""
        return self.make_keras()


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in [
        Loss("mse", "mean squared error (MSE)", ("regression", "binary", "multiclass"), "value",
             _mse, _keras("MeanSquaredError"), "MeanSquaredError"),
        Loss("mae", "mean absolute error (MAE)", ("regression",), "value",
             _mae, _keras("MeanAbsoluteError"), "MeanAbsoluteError"),
        Loss("huber", "Huber (delta = 1)", ("regression",), "value",
             _huber, _keras("Huber", delta=HUBER_DELTA), "Huber"),
        Loss("binary_crossentropy", "binary cross-entropy", ("binary",), "binary",
             _bce, _keras("BinaryCrossentropy"), "BinaryCrossentropy"),
        Loss("categorical_crossentropy", "categorical cross-entropy (one-hot)", ("multiclass",),
             "onehot", _cce, _keras("CategoricalCrossentropy"), "CategoricalCrossentropy"),
        Loss("sparse_categorical_crossentropy", "sparse categorical cross-entropy (labels)",
             ("multiclass",), "sparse", _sparse_cce, _keras("SparseCategoricalCrossentropy"),
             "SparseCategoricalCrossentropy"),
    ]
}

# The loss a learner gets when they pick a data set of each task.
DEFAULT_LOSS = {
    "binary": "binary_crossentropy",
    "multiclass": "sparse_categorical_crossentropy",
    "regression": "mse",
}


def losses_for(task: str) -> list[str]:
    """Names of the losses that make sense for a task, in registry order."""
    return [name for name, loss in LOSSES.items() if task in loss.tasks]


def encode_targets(y: np.ndarray, task: str, loss_name: str, n_classes: int) -> np.ndarray:
    """Shape integer labels / real targets into what `loss_name` expects, as float32.

    Returns (n, 1) for binary and regression targets, (n, n_classes) for one-hot, (n,) for
    sparse labels."""
    loss = LOSSES[loss_name]
    y = np.asarray(y)
    if task == "regression":
        return y.reshape(-1, 1).astype("float32")  # (n, 1)
    if task == "binary":
        return y.reshape(-1, 1).astype("float32")  # (n, 1)
    if loss.target == "sparse":
        return y.reshape(-1).astype("int32")  # (n,)
    return np.eye(n_classes, dtype="float32")[y.reshape(-1).astype(int)]  # (n, n_classes)
