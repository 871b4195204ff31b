"""The live-training engine: a generator of per-epoch records, compiled a chunk of epochs at a time.

Why not `model.fit`? Keras' fit runs a Python loop per batch plus callbacks; for the tiny models
of a lesson that overhead dominates (about 18 epochs/s for a 2-8-8-1 net on 1,000 points). Here a
whole chunk of epochs (shuffle, every mini-batch step, the end-of-epoch evaluation) is one
`tf.function`, XLA-compiled where it compiles, so Python is touched once per chunk. The chunk
length adapts to the measured speed so that a caller can redraw about 15 times a second.

Usage:
    trainer = Trainer(config)
    for record in trainer.run():          # the first record (epoch 0) arrives before compiling
        draw(record)                      # the caller paces drawing; closing the generator stops
    trainer.run(100)                      # "Continue": more epochs, same weights and optimizer
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from core.config import ExperimentConfig
from core.datasets import DataSplit, expand_features, get_dataset, make_split, plane_limits
from core.losses import LOSSES, encode_targets

MAX_CHUNK = 256           # epochs compiled into one call, at most
TARGET_CHUNK_SECONDS = 0.06  # aim: a fresh record batch ~16 times a second
DEFAULT_PROBE_SIZE = 500
DEFAULT_GRID = 48
DEFAULT_SNAPSHOTS = 40
GRAD_PROBE_SIZE = 1000


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


@dataclass
class EpochRecord:
    epoch: int
    train_loss: float
    val_loss: float
    train_metric: float
    val_metric: float
    seconds: float  # wall-clock since the run started
    snapshot: Snapshot | None = None

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


class Trainer:
    """Trains one model for one config; `run()` may be called again to continue."""

    def __init__(self, config: ExperimentConfig, data: DataSplit | None = None, *,
                 probe_size: int = DEFAULT_PROBE_SIZE, grid_size: int = DEFAULT_GRID,
                 snapshots: int = DEFAULT_SNAPSHOTS, use_xla: bool = True, reuse: bool = True):
        self.config = config.validate()
        self.run_id = uuid.uuid4().hex  # identifies this run in caches shared across sessions
        self.data = data or make_split(config.dataset, config.n_samples, config.noise,
                                       config.val_split, config.seed, config.features)
        self.task = self.data.task
        self.n_classes = self.data.n_classes
        self.loss_entry = LOSSES[config.loss]
        self.snapshot_every = max(1, math.ceil(config.epochs / max(1, snapshots)))
        self.history: list[EpochRecord] = []
        self.status = "ready"  # ready -> running -> finished | stopped | diverged
        self.epoch = 0
        self.compile_seconds: float | None = None
        self._stop_requested = False
        self._elapsed = 0.0

        n_train = len(self.data.x_train)
        self.batch_size = int(min(config.batch_size, n_train))
        data = {
            "x_train": self.data.x_train.astype("float32"),
            "y_train": encode_targets(self.data.y_train, self.task, config.loss, self.n_classes),
            "x_val": self.data.x_val.astype("float32"),
            "y_val": encode_targets(self.data.y_val, self.task, config.loss, self.n_classes),
            # Labels as integers for accuracy; real values for regression's MAE.
            "labels_train": self.data.y_train.reshape(-1),
            "labels_val": self.data.y_val.reshape(-1),
        }
        self.probe_set = self._make_probe_set(probe_size)
        self._grid = self._make_grid(grid_size) if self.data.points_train is not None else None

        # The model, optimizer and compiled functions come from a process-wide pool, one set
        # per architecture. TensorFlow keeps several MB for every function it ever traced, so a
        # server that built them anew for every run would grow by that much per run (measured:
        # 25 MB with XLA). A Trainer holds its set while it trains and parks it between runs:
        # its weights and optimizer state are copied out (a few KB) and the set goes back to the
        # pool, where the next session's run of the same architecture finds it compiled.
        self._arrays = data
        self._lease = _Lease(_signature(self.config, self.batch_size, data, use_xla) if reuse else None, use_xla)
        weakref.finalize(self, self._lease.release)
        self._hold()
        self.kernel_layer_names = self._compiled.kernel_layer_names

    # ---- public API ------------------------------------------------------------------------
    def run(self, epochs: int | None = None) -> Iterator[EpochRecord]:
        """Yield one record per epoch, the first (epoch 0, before training) only once per
        trainer. Ends early on stop() or divergence; closing the generator stops too."""
        if self.status == "diverged":
            return
        target = self.epoch + int(epochs if epochs is not None else self.config.epochs)
        self._hold()  # before "running": a failure here leaves the Trainer as it was
        self._stop_requested = False
        self.status = "running"
        start = time.perf_counter() - self._elapsed
        try:
            if not self.history:
                record = self._evaluate_record(0, time.perf_counter() - start, snapshot=True)
                self.history.append(record)
                yield record
                if not record.finite:
                    self.status = "diverged"
                    return
            while self.epoch < target and not self._stop_requested:
                n = self._next_chunk_length(target)
                results = self._train_chunk(n)
                chunk_end = time.perf_counter() - start
                for i in range(n):
                    self.epoch += 1
                    tl, vl, tm, vm = (float(v) for v in results[i])
                    snapshot = None
                    if self._is_snapshot_epoch(self.epoch, target) or not math.isfinite(tl + vl):
                        snapshot = self._snapshot(self.epoch)
                    record = EpochRecord(self.epoch, tl, vl, tm, vm, chunk_end, snapshot)
                    self.history.append(record)
                    yield record
                    if not record.finite:
                        self.status = "diverged"
                        return
                    if self._stop_requested:
                        break
            self.status = "stopped" if self.epoch < target else "finished"
        finally:
            self._elapsed = time.perf_counter() - start
            if self.status == "running":  # the consumer closed us: an interrupted run
                self.status = "stopped"
            self._park()

    def stop(self) -> None:
        """Ask the run to end at the next epoch boundary."""
        self._stop_requested = True

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.with_model(lambda _: self._compiled.predict_fn(np.asarray(x, dtype="float32")).numpy())

    def with_model(self, fn):
        """`fn(model)` with this Trainer's weights loaded, holding its set only meanwhile."""
        with self._lease.lock:
            held = self._lease.compiled is not None
            self._hold()
            try:
                return fn(self._compiled.model)
            finally:
                if not held:
                    self._park()

    @property
    def model(self):
        """The Keras model with this Trainer's weights. Asking for it keeps the set with this
        Trainer from then on (for callers that keep the model); `with_model` does not."""
        with self._lease.lock:
            self._hold()
            self._lease.pinned = True
            return self._compiled.model

    @property
    def metric_name(self) -> str:
        return metric_name(self.task)

    @property
    def epochs_per_second(self) -> float | None:
        return None if not self._seconds_per_epoch else 1.0 / self._seconds_per_epoch

    @property
    def _seconds_per_epoch(self) -> float | None:
        """Smoothed seconds per epoch; a reused set brings the last run's figure, which sizes
        this run's first chunk."""
        return self._lease.seconds_per_epoch

    @property
    def xla(self) -> bool:
        """Whether chunks run XLA-compiled (False after a fallback to a plain graph)."""
        return self._compiled.xla if self._compiled is not None else self._lease.xla

    # ---- holding and parking the compiled set ------------------------------------------------
    @property
    def _compiled(self) -> _Compiled | None:
        return self._lease.compiled

    def _hold(self) -> None:
        """Have a compiled set with this Trainer's state loaded (a no-op while held)."""
        lease = self._lease
        with lease.lock:
            if lease.compiled is not None:
                return
            compiled = _POOL.acquire(lease.signature) if lease.signature is not None else None
            if compiled is None:
                compiled = _Compiled(self.config, self.task, self.batch_size, self._arrays, lease.xla)
                fresh = True
            else:
                fresh = False
            if lease.state is not None:
                if compiled.loaded is not lease.token:  # another Trainer used it meanwhile
                    compiled.load(self.config, self._arrays, lease.state)
            elif not fresh:
                compiled.reset(self.config, self._arrays)
            compiled.loaded = lease.token
            lease.compiled = compiled
            if lease.seconds_per_epoch is None:
                lease.seconds_per_epoch = compiled.seconds_per_epoch

    def _park(self) -> None:
        """Copy this Trainer's state out and give the set back to the pool (unless pinned)."""
        lease = self._lease
        with lease.lock:
            compiled = lease.compiled
            if compiled is None or lease.pinned or lease.signature is None:
                return
            if lease.dirty:  # trained since the last copy
                lease.state, lease.token, lease.dirty = compiled.state(), object(), False
            compiled.loaded = lease.token
            lease.xla = compiled.xla
            lease.compiled = None
            _POOL.release(lease.signature, compiled)

    # ---- compiled functions ----------------------------------------------------------------
    def _train_chunk(self, n: int) -> np.ndarray:
        started = time.perf_counter()
        first = not self._compiled.has_run
        results = self._compiled.train_chunk(n, self.epoch)
        self._lease.dirty = True
        seconds = time.perf_counter() - started
        if first:
            self.compile_seconds = seconds
        else:
            per_epoch = seconds / n
            smoothed = (per_epoch if self._seconds_per_epoch is None
                        else 0.5 * self._seconds_per_epoch + 0.5 * per_epoch)
            self._compiled.seconds_per_epoch = self._lease.seconds_per_epoch = smoothed
        return results[:n]

    def _next_chunk_length(self, target: int) -> int:
        if self._seconds_per_epoch is None:
            n = 1 if not self._compiled.has_run else 4  # compile first, then measure
        else:
            n = int(TARGET_CHUNK_SECONDS / self._seconds_per_epoch)
        n = max(1, min(n, MAX_CHUNK, target - self.epoch))
        # End chunks on snapshot epochs so snapshots show exactly that epoch's network.
        next_snapshot = (self.epoch // self.snapshot_every + 1) * self.snapshot_every
        return max(1, min(n, next_snapshot - self.epoch))

    def _is_snapshot_epoch(self, epoch: int, target: int) -> bool:
        return epoch % self.snapshot_every == 0 or epoch == target

    # ---- records and snapshots -------------------------------------------------------------
    def _evaluate_record(self, epoch: int, seconds: float, snapshot: bool) -> EpochRecord:
        tl, vl, tm, vm = (float(v) for v in self._compiled.evaluate_fn())
        return EpochRecord(epoch, tl, vl, tm, vm, seconds, self._snapshot(epoch) if snapshot else None)

    def _snapshot(self, epoch: int) -> Snapshot:
        compiled = self._compiled
        hidden = []
        if compiled.hidden_fn is not None:
            outputs = compiled.hidden_fn(self.probe_set.x)
            outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            hidden = [np.asarray(o) for o in outputs]
        norms = compiled.grad_norms_fn().numpy()
        grad_norms = {name: float(v) for name, v in zip(self.kernel_layer_names, norms)}
        boundary = confidence = None
        if self._grid is not None:
            pred = compiled.predict_fn(self._grid["inputs"]).numpy()  # (grid*grid, outputs)
            size = self._grid["size"]
            if self.task == "multiclass":
                boundary = pred.argmax(axis=1).reshape(size, size)
                confidence = pred.max(axis=1).reshape(size, size)
            else:
                boundary = pred[:, 0].reshape(size, size)
        return Snapshot(epoch, hidden, grad_norms, boundary, confidence)

    def _make_probe_set(self, size: int) -> ProbeSet:
        data = self.data
        x = np.concatenate([data.x_train, data.x_val])
        labels = np.concatenate([data.y_train, data.y_val])
        is_val = np.concatenate([np.zeros(len(data.x_train), bool), np.ones(len(data.x_val), bool)])
        points = None
        if data.points_train is not None:
            points = np.concatenate([data.points_train, data.points_val])
        if len(x) > size:
            idx = np.sort(np.random.default_rng(self.config.seed).choice(len(x), size, replace=False))
            x, labels, is_val = x[idx], labels[idx], is_val[idx]
            points = points[idx] if points is not None else None
        return ProbeSet(x.astype("float32"), labels, points, is_val)

    def _make_grid(self, size: int) -> dict:
        x_limits, y_limits = plane_limits(np.concatenate([self.data.points_train, self.data.points_val]))
        xs, ys = np.linspace(*x_limits, size), np.linspace(*y_limits, size)
        gx, gy = np.meshgrid(xs, ys)  # (size, size) each; rows follow y
        grid_points = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (size*size, 2)
        inputs = expand_features(grid_points, self.config.features)
        return {"xs": xs, "ys": ys, "size": size, "inputs": inputs}

    @property
    def grid_axes(self) -> tuple[np.ndarray, np.ndarray] | None:
        return None if self._grid is None else (self._grid["xs"], self._grid["ys"])


DATA_KEYS = ("x_train", "y_train", "x_val", "y_val", "labels_train", "labels_val")
MAX_FREE_SETS = 8  # compiled sets kept for later runs, across all architectures


def _signature(config: ExperimentConfig, batch_size: int, data: dict, use_xla: bool) -> tuple:
    """Everything that shapes the traced graphs. Seed, noise, dataset values, learning rate
    and epochs only change numbers held in variables, so they are not part of it."""
    values_only = {"seed", "noise", "learning_rate", "epochs", "dataset", "n_samples", "val_split", "features"}
    graph_fields = tuple((f.name, getattr(config, f.name)) for f in dataclasses.fields(config)
                         if f.name not in values_only)
    shapes = tuple((key, data[key].shape, str(data[key].dtype)) for key in DATA_KEYS)
    return (graph_fields, config.input_dim, config.n_outputs, config.task, batch_size, shapes, use_xla)


class _Lease:
    """A Trainer's hold on a compiled set, kept apart from the Trainer so that a finalizer can
    give the set back without keeping the Trainer alive. Between runs `compiled` is None and
    `state` holds the weights and optimizer variables that the next hold loads again."""

    def __init__(self, signature: tuple | None, xla: bool = True):
        self.signature = signature  # None: a private set, never pooled (reuse=False)
        self.compiled: _Compiled | None = None
        self.state: tuple[list, list] | None = None
        self.token: object | None = None  # marks the set that still has `state` loaded
        self.pinned = False
        self.dirty = False  # trained since `state` was copied
        self.xla = xla
        self.seconds_per_epoch: float | None = None
        self.lock = threading.RLock()

    def release(self) -> None:
        with self.lock:
            compiled, self.compiled = self.compiled, None
            if compiled is not None and self.signature is not None:
                _POOL.release(self.signature, compiled)


class _Compiled:
    """One architecture's model, optimizer, data variables and traced functions.

    The functions read the data and the shuffle seed from variables, never from constants, so
    the same traces (and XLA executables) serve every run of this architecture."""

    def __init__(self, config: ExperimentConfig, task: str, batch_size: int, data: dict, use_xla: bool):
        import tensorflow as tf

        from core.models import build_model, kernel_layers, probe_model

        self.xla = use_xla
        self.loaded: object | None = None  # the token of the parked Trainer state it still holds
        self.has_run = False            # the chunk function has been traced and compiled
        self.seconds_per_epoch: float | None = None
        self.model = build_model(config)
        self.probe = probe_model(self.model, config)
        self.kernel_layer_names = kernel_layers(self.model)
        self.optimizer = _make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)
        self._optimizer_initial = [v.numpy() for v in self.optimizer.variables]
        self.vars = {key: tf.Variable(data[key], trainable=False, name=key) for key in DATA_KEYS}
        self.seed = tf.Variable(_seed32(config.seed), trainable=False, dtype=tf.int64, name="seed")
        self._build_functions(config, task, batch_size)

    def reset(self, config: ExperimentConfig, data: dict) -> None:
        """Start over for a new run: the config's initial weights, a fresh optimizer, new data."""
        from core.models import build_model

        fresh = build_model(config)  # eager and cheap: no functions are traced
        # `variables`, not `weights`: it includes the dropout seed generators' state too.
        for target, source in zip(self.model.variables, fresh.variables, strict=True):
            target.assign(source.value)
        for variable, initial in zip(self.optimizer.variables, self._optimizer_initial, strict=True):
            variable.assign(initial)
        self._set_run_values(config, data)

    def _set_run_values(self, config: ExperimentConfig, data: dict) -> None:
        self.optimizer.learning_rate = config.learning_rate
        for key in DATA_KEYS:
            self.vars[key].assign(data[key])
        self.seed.assign(_seed32(config.seed))

    def state(self) -> tuple[list, list]:
        """The training state: model variables (weights, BatchNorm statistics, dropout seed
        state) and optimizer variables (iterations, moments), as NumPy copies."""
        return ([v.numpy() for v in self.model.variables], [v.numpy() for v in self.optimizer.variables])

    def load(self, config: ExperimentConfig, data: dict, state: tuple[list, list]) -> None:
        """Continue a parked Trainer: its state, learning rate, data and seed."""
        model_values, optimizer_values = state
        for variable, value in zip(self.model.variables, model_values, strict=True):
            variable.assign(value)
        for variable, value in zip(self.optimizer.variables, optimizer_values, strict=True):
            variable.assign(value)
        self._set_run_values(config, data)

    def train_chunk(self, n: int, first_epoch: int) -> np.ndarray:
        import tensorflow as tf

        args = (tf.constant(n, tf.int32), tf.constant(first_epoch, tf.int32))
        try:
            if self.xla:
                try:
                    return self.train_chunk_fn(*args).numpy()
                except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError,
                        tf.errors.InternalError, NotImplementedError):
                    # Some layer/optimizer combinations do not compile with XLA on CPU: fall
                    # back to a plain graph, which is slower to run but always works.
                    self.xla = False
            return self.train_chunk_plain(*args).numpy()
        finally:
            self.has_run = True

    def _build_functions(self, config: ExperimentConfig, task: str, batch: int) -> None:
        import tensorflow as tf

        from core.models import kernel_gradient_norms

        model, optimizer = self.model, self.optimizer
        loss_fn = LOSSES[config.loss].keras
        v = self.vars
        n_train = int(v["x_train"].shape[0])
        n_full, remainder = divmod(n_train, batch)
        seed = self.seed
        has_reg = bool(model.losses)

        def step(xb, yb):
            with tf.GradientTape() as tape:
                pred = model(xb, training=True)
                loss = loss_fn(yb, pred)
                if has_reg:
                    loss = loss + tf.add_n(model.losses)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))

        def evaluate(x, y, labels):
            pred = model(x, training=False)
            return loss_fn(y, pred), _metric(task, labels, pred)

        def evaluate_all():
            tl, tm = evaluate(v["x_train"], v["y_train"], v["labels_train"])
            vl, vm = evaluate(v["x_val"], v["y_val"], v["labels_val"])
            return tf.cast(tf.stack([tl, vl, tm, vm]), tf.float32)

        def train_chunk(n_epochs, first_epoch):
            out = tf.TensorArray(tf.float32, size=MAX_CHUNK, element_shape=(4,))
            x_train, y_train = v["x_train"].value(), v["y_train"].value()
            # A `while` on a tensor, not `for e in tf.range(n_epochs)`: AutoGraph gives range
            # loops a maximum_iterations that XLA must know when compiling, which would compile
            # once per chunk length. This way one compiled function serves every length.
            e = tf.constant(0)
            while e < n_epochs:
                perm = _shuffle(n_train, seed, first_epoch + e)  # (n_train,)
                for b in tf.range(n_full):
                    idx = tf.slice(perm, [b * batch], [batch])  # (batch,)
                    step(tf.gather(x_train, idx), tf.gather(y_train, idx))
                if remainder:
                    idx = tf.slice(perm, [n_full * batch], [remainder])  # (remainder,)
                    step(tf.gather(x_train, idx), tf.gather(y_train, idx))
                out = out.write(e, evaluate_all())
                e += 1
            return out.stack()  # (MAX_CHUNK, 4); rows past n_epochs are unused

        self.train_chunk_fn = tf.function(train_chunk, jit_compile=self.xla)
        self.train_chunk_plain = tf.function(train_chunk, jit_compile=False)
        self.evaluate_fn = tf.function(evaluate_all)
        self.predict_fn = tf.function(lambda x: model(x, training=False))

        n_grad = min(GRAD_PROBE_SIZE, n_train)

        def grad_norms():
            return kernel_gradient_norms(model, loss_fn, v["x_train"][:n_grad], v["y_train"][:n_grad])

        self.grad_norms_fn = tf.function(grad_norms)
        probe = self.probe
        self.hidden_fn = tf.function(lambda x: probe(x, training=False)) if probe is not None else None


class _Pool:
    """Compiled sets not in use, by signature; the least recently freed go first."""

    def __init__(self, max_free: int = MAX_FREE_SETS):
        self.max_free = max_free
        self._free: list[tuple[tuple, _Compiled]] = []
        self._lock = threading.Lock()

    def acquire(self, signature: tuple) -> _Compiled | None:
        with self._lock:
            found = next((i for i, (sig, _) in enumerate(self._free) if sig == signature), None)
            return None if found is None else self._free.pop(found)[1]

    def release(self, signature: tuple, compiled: _Compiled) -> None:
        with self._lock:
            self._free.append((signature, compiled))
            del self._free[:-self.max_free]

    def __len__(self) -> int:
        return len(self._free)


_POOL = _Pool()


def _seed32(seed: int) -> int:
    return int(seed) % 2**32


def _shuffle(n: int, seed, epoch):
    """A permutation of range(n) that depends only on (seed, epoch).

    TensorFlow's random ops give different numbers with and without XLA, so the fallback
    path would shuffle differently. An integer hash (a bijection on uint32: multiply by odd
    constants, xor-shift) gives the same distinct keys everywhere; sorting them shuffles."""
    import tensorflow as tf

    u = tf.uint32
    h = (tf.cast(tf.range(n), u) * tf.constant(0x9E3779B1, u) + tf.cast(seed, u)
         * tf.constant(0x85EBCA77, u) + tf.cast(epoch, u) * tf.constant(0xC2B2AE3D, u))
    for multiplier in (0x7FEB352D, 0x846CA68B):
        h = tf.bitwise.bitwise_xor(h, tf.bitwise.right_shift(h, tf.constant(16, u)))
        h = h * tf.constant(multiplier, u)
    h = tf.bitwise.bitwise_xor(h, tf.bitwise.right_shift(h, tf.constant(16, u)))
    return tf.argsort(tf.bitcast(h, tf.int32))  # (n,)


def _metric(task: str, labels, pred):
    import tensorflow as tf

    if task == "regression":
        return tf.reduce_mean(tf.abs(tf.cast(labels, tf.float32) - pred[:, 0]))
    if task == "binary":
        hits = tf.equal(tf.cast(pred[:, 0] > 0.5, tf.int64), tf.cast(labels, tf.int64))
    else:
        hits = tf.equal(tf.argmax(pred, axis=1), tf.cast(labels, tf.int64))
    return tf.reduce_mean(tf.cast(hits, tf.float32))


def _make_optimizer(config: ExperimentConfig):
    from core.optimizers import OPTIMIZERS

    return OPTIMIZERS[config.optimizer].make(config.learning_rate)


def dataset_task(name: str) -> str:
    return get_dataset(name).task
