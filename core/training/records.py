"""What a run reports: one record per epoch, a look inside the network at snapshot epochs, and
the fixed points (probe set, boundary grid) those looks are taken on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.datasets import DataSplit, expand_features, plane_limits
from core.losses import encode_targets
from core.network import NetworkState, read_state


@dataclass
class Snapshot:
    """What the network looks like inside at one epoch."""

    epoch: int
    # One array per hidden block, activations on the probe set: (n_probe, width_i).
    hidden: list[np.ndarray]
    # Layer name -> L2 norm of d loss / d kernel on a fixed batch of training data.
    grad_norms: dict[str, float]
    # For 2-D data: predictions over the grid, (grid, grid); P(class 1) for binary tasks,
    # the winning class for multiclass, the value for regression. None for tabular data.
    boundary: np.ndarray | None = None
    # For multiclass 2-D data: the winning probability per grid cell (confidence shading).
    boundary_confidence: np.ndarray | None = None
    # The network diagram's numbers (core.network): first neurons' pictures, weights, biases.
    network: NetworkState | None = None


@dataclass
class EpochRecord:
    epoch: int
    train_loss: float
    val_loss: float
    train_metric: float
    val_metric: float
    seconds: float  # wall-clock since the run started
    snapshot: Snapshot | None = None
    # The training-mode loss: the mean over the epoch's batches of the loss each step
    # minimised (dropout on, BatchNorm on batch statistics, L2 penalty included), what
    # `model.fit` reports as "loss". NaN at epoch 0. The losses above are measured after the
    # epoch in inference mode, as `model.evaluate` would (without the L2 penalty).
    fit_loss: float = math.nan

    @property
    def finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.train_loss, self.val_loss))


def metric_name(task: str) -> str:
    """Accuracy for classification, mean absolute error for regression."""
    return "mae" if task == "regression" else "accuracy"


@dataclass
class ProbeSet:
    """A fixed sample of points whose hidden activations are recorded at snapshots."""

    x: np.ndarray          # (n_probe, n_features) model inputs
    labels: np.ndarray     # (n_probe,) class labels or targets
    points: np.ndarray | None = None  # (n_probe, 2) the 2-D points, for 2-D data
    is_val: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))


def make_probe_set(data: DataSplit, size: int, seed: int) -> ProbeSet:
    """Up to `size` points of training and validation data, the same ones for a given seed."""
    x = np.concatenate([data.x_train, data.x_val])
    labels = np.concatenate([data.y_train, data.y_val])
    is_val = np.concatenate([np.zeros(len(data.x_train), bool), np.ones(len(data.x_val), bool)])
    points = None
    if data.points_train is not None:
        points = np.concatenate([data.points_train, data.points_val])
    if len(x) > size:
        idx = np.sort(np.random.default_rng(seed).choice(len(x), size, replace=False))
        x, labels, is_val = x[idx], labels[idx], is_val[idx]
        points = points[idx] if points is not None else None
    return ProbeSet(x.astype("float32"), labels, points, is_val)


def make_grid(data: DataSplit, size: int, features) -> dict:
    """A size x size grid over the data's plane, as model inputs, for the decision boundary."""
    x_limits, y_limits = plane_limits(np.concatenate([data.points_train, data.points_val]))
    xs, ys = np.linspace(*x_limits, size), np.linspace(*y_limits, size)
    gx, gy = np.meshgrid(xs, ys)  # (size, size) each; rows follow y
    grid_points = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (size*size, 2)
    inputs = expand_features(grid_points, features)
    return {"xs": xs, "ys": ys, "size": size, "inputs": inputs}


def take_snapshot(compiled, epoch: int, probe_x: np.ndarray, grid: dict | None, picture_inputs: np.ndarray,
                  config, task: str, eager: bool = False) -> Snapshot:
    """The look inside `compiled`'s network now (core.training.compiled._Compiled): hidden
    activations on the probe set, gradient norms, the boundary over `grid`, the diagram's numbers.

    `eager`: run the four functions' Python directly instead of their traced graphs, when they
    are not traced yet (a learner waits for this snapshot): ~0.1 s instead of tracing them,
    0.2-0.45 s of Python. The same computation; only the rounding may differ."""
    eager = eager and not compiled.snapshots_traced
    call = (lambda fn: fn.python_function) if eager else (lambda fn: fn)  # noqa: E731
    hidden = []
    if compiled.hidden_fn is not None:
        outputs = call(compiled.hidden_fn)(probe_x)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        hidden = [np.asarray(o) for o in outputs]
    norms = np.asarray(call(compiled.grad_norms_fn)())
    grad_norms = {name: float(v) for name, v in zip(compiled.kernel_layer_names, norms)}
    boundary = confidence = None
    if grid is not None:
        pred = np.asarray(call(compiled.predict_fn)(grid["inputs"]))  # (grid*grid, outputs)
        size = grid["size"]
        if task == "multiclass":
            boundary = pred.argmax(axis=1).reshape(size, size)
            confidence = pred.max(axis=1).reshape(size, size)
        else:
            boundary = pred[:, 0].reshape(size, size)
    network = read_state(call(compiled.network_fn), picture_inputs, config.input_dim,
                         [*config.hidden, config.n_outputs], grid is not None)
    compiled.snapshots_traced = compiled.snapshots_traced or not eager
    return Snapshot(epoch, hidden, grad_norms, boundary, confidence, network)


def run_arrays(config, data: DataSplit) -> dict:
    """What a run's compiled set holds in its data variables (their shapes are in its signature)."""
    return {
        "x_train": data.x_train.astype("float32"),
        "y_train": encode_targets(data.y_train, data.task, config.loss, data.n_classes),
        "x_val": data.x_val.astype("float32"),
        "y_val": encode_targets(data.y_val, data.task, config.loss, data.n_classes),
        # Labels as integers for accuracy; real values for regression's MAE.
        "labels_train": data.y_train.reshape(-1),
        "labels_val": data.y_val.reshape(-1),
    }
