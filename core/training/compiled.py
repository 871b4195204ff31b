"""One architecture's compiled set: model, optimizer, data variables and traced functions.

The training step is written as in keras-io's `train_step`, one short function per phase
(forward, gradients, update); `train_epochs` strings whole epochs of steps together so that one
`tf.function` call (XLA-compiled where it compiles) trains a chunk of epochs.

Two versions of that function serve a set: a plain graph, traced in about half a second, and
the XLA one, about twice as fast per epoch but 0.5-1 s more to compile on a quiet 2-core
machine and 20 s or more on a busy one. A set that has never run trains with the plain graph
first, so the first epochs are on screen at once, while `compile_xla_in_background` compiles
the XLA one; the next chunk after it is ready runs with XLA. Same math, same shuffle, same
batches: only the rounding differs (tests/unit/test_training.py compares a switched run with
an all-graph one).

A new architecture built while its learner waits in a class (core.training.loop, `_traced_set`)
goes one step further back: only its mini-batch step is traced, and its first chunk calls
`train_epochs` op by op around that step (`running_eagerly`) until a background thread has
traced the rest (`trace_later`). Same function, same numbers (tests/unit/test_scheduler.py).
"""

from __future__ import annotations

import functools
import threading
import time
import traceback

import numpy as np

from core import schedules
from core.config import ExperimentConfig
from core.losses import LOSSES

MAX_CHUNK = 256           # epochs compiled into one call, at most
# A chunk's rows: losses and metrics in inference mode, then the training-mode loss (the mean
# over the epoch's batches of the loss each step minimised, as `model.fit` reports "loss").
ROW = ("train_loss", "val_loss", "train_metric", "val_metric", "fit_loss")
STOPS = (None, "patience", "target")  # why a chunk ended before its length (index = code)
GRAD_PROBE_SIZE = 1000    # training points the snapshots' gradient norms are measured on
DATA_KEYS = ("x_train", "y_train", "x_val", "y_val", "labels_train", "labels_val")
# One XLA compile at a time in the background, server-wide: the training slots (ui.slots) bound
# the runs to the cores, and compiles for several new architectures at once would crowd them out.
_BACKGROUND_COMPILES = threading.BoundedSemaphore(1)


class _Compiled:
    """One architecture's model, optimizer, data variables and traced functions.

    The functions read the data and the shuffle seed from variables, never from constants, so
    the same traces (and XLA executables) serve every run of this architecture."""

    def __init__(self, config: ExperimentConfig, task: str, batch_size: int, data: dict, use_xla: bool):
        import tensorflow as tf

        from core.models import build_model, kernel_layers, probe_model
        from core.network import network_function

        self.xla = use_xla  # False: plain graph only (asked for, or XLA failed to compile)
        self.xla_ready = threading.Event()  # set once the XLA function is compiled
        self._xla_thread: threading.Thread | None = None
        self._xla_lock = threading.Lock()
        self.loaded: object | None = None  # the token of the parked Trainer state it still holds
        # The lease it was built for, until that lease first holds it: its variables are that
        # run's initial values and data already (pool._Lease.hold skips resetting them).
        self.built_for: object | None = None
        self.has_run = False            # a chunk function has been traced and run
        # Chunks run op by op (`train_epochs` called eagerly, its mini-batch step the traced
        # `step_fn`) until the plain chunk function is traced: a new architecture's learner sees
        # epochs after tracing only the step (core.training.loop, `_traced_set`).
        self.eager_until_traced = False
        self.traced = threading.Event()  # set when a background trace (`trace_later`) has ended
        self._trace_thread: threading.Thread | None = None
        self.snapshots_traced = False   # the snapshot functions have been traced (records.take_snapshot)
        self.chunks_run = {"eager": 0, "plain": 0, "xla": 0}  # how many chunks each way trained
        self.seconds_per_epoch: float | None = None
        self.plain_seconds = 0.0  # spent in plain-graph chunks, over all its runs (loop's XLA decision)
        self.task = task
        self.batch_size = batch_size
        self.loss_fn = LOSSES[config.loss].keras
        # No regularizer objects in the model: the L2 factor is a variable the step reads
        # (`forward`), so it can change during a run. Same penalty as keras.regularizers.L2.
        self.model = build_model(config.replace(l2=0.0))
        self.penalised = [layer.kernel for layer in self.model.layers if hasattr(layer, "kernel")]
        self.probe = probe_model(self.model, config)
        self.network_fn = network_function(self.model, len(config.hidden))  # the diagram's numbers
        self.kernel_layer_names = kernel_layers(self.model)
        self.optimizer = _make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)
        self._optimizer_initial = [v.numpy() for v in self.optimizer.variables]
        self.vars = {key: tf.Variable(data[key], trainable=False, name=key) for key in DATA_KEYS}
        self.seed = tf.Variable(_seed32(config.seed), trainable=False, dtype=tf.int64, name="seed")
        # What may change during a run, read by the compiled step from variables:
        self.schedule = config.lr_schedule  # the kind is traced into the graph (pool signature)
        self.base_lr = tf.Variable(config.learning_rate, trainable=False, dtype=tf.float32, name="base_lr")
        self.decay_steps = tf.Variable(1.0, trainable=False, dtype=tf.float32, name="decay_steps")
        self.l2 = tf.Variable(config.l2, trainable=False, dtype=tf.float32, name="l2")
        # Early stopping, checked after every epoch inside the chunk, so a run stops at exactly
        # the epoch keras.callbacks.EarlyStopping would: patience and target (0 = off), the
        # best validation loss so far and the epochs since it.
        self.patience = tf.Variable(0, trainable=False, dtype=tf.int32, name="patience")
        self.target_loss = tf.Variable(0.0, trainable=False, dtype=tf.float32, name="target_loss")
        self.best_val = tf.Variable(np.inf, trainable=False, dtype=tf.float32, name="best_val")
        self.wait = tf.Variable(0, trainable=False, dtype=tf.int32, name="wait")
        self._trace_functions()

    def _trace_functions(self) -> None:
        """Wrap the module's functions, bound to this set, in `tf.function`s (traced on first call)."""
        import tensorflow as tf

        # One mini-batch step, traced once for every batch size: an epoch's full batches and its
        # partial last batch call the same graph (the batch dimension is left open), where
        # tracing it inline twice cost about a third of the chunk's trace. The callers' graphs
        # inline it again (Grappler, and XLA with the caller's static shapes): same ops to run.
        x, y = self.vars["x_train"], self.vars["y_train"]
        self.step_fn = tf.function(functools.partial(train_step, self), input_signature=[
            tf.TensorSpec([None, *x.shape[1:]], x.dtype), tf.TensorSpec([None, *y.shape[1:]], y.dtype)])
        chunk = functools.partial(train_epochs, self)
        self.train_chunk_fn = tf.function(chunk, jit_compile=self.xla)
        self.train_chunk_plain = tf.function(chunk, jit_compile=False)
        self.evaluate_fn = tf.function(functools.partial(evaluate_all, self))
        self.predict_fn = tf.function(lambda x: self.model(x, training=False))
        self.grad_norms_fn = tf.function(functools.partial(grad_norms, self))
        probe = self.probe
        # [x]: a list, as the model's inputs are (a bare tensor makes Keras warn when called eagerly)
        self.hidden_fn = tf.function(lambda x: probe([x], training=False)) if probe is not None else None

    def reset(self, config: ExperimentConfig, data: dict) -> None:
        """Start over for a new run: the config's initial weights, a fresh optimizer, new data."""
        # `variables`, not `weights`: it includes the dropout seed generators' state too.
        # l2=0: the L2 penalty is added by the step itself (a live value), not by the layers.
        for target, value in zip(self.model.variables, initial_values(config.replace(l2=0.0)), strict=True):
            target.assign(value)
        for variable, initial in zip(self.optimizer.variables, self._optimizer_initial, strict=True):
            variable.assign(initial)
        self._set_run_values(config, data)

    def _set_run_values(self, config: ExperimentConfig, data: dict) -> None:
        for key in DATA_KEYS:
            self.vars[key].assign(data[key])
        self.seed.assign(_seed32(config.seed))
        self.set_live(config)

    def set_live(self, config: ExperimentConfig) -> None:
        """The values a run may change while it goes on (core.config.LIVE_FIELDS), and the
        schedule's length for this run's epochs; read by the next chunk."""
        self.base_lr.assign(config.learning_rate)
        self.optimizer.learning_rate = config.learning_rate
        steps = schedules.steps_per_epoch(int(self.vars["x_train"].shape[0]), self.batch_size)
        self.decay_steps.assign(float(schedules.decay_steps(self.schedule, config.epochs, steps)))
        self.l2.assign(config.l2)
        self.patience.assign(int(config.patience))
        self.target_loss.assign(float(config.target_loss))

    def restart_early_stopping(self) -> None:
        """As EarlyStopping at the start of each `fit`: no best loss yet, no epochs waited."""
        self.best_val.assign(np.inf)
        self.wait.assign(0)

    def state(self) -> tuple[list, list]:
        """The training state: model variables (weights, BatchNorm statistics, dropout seed
        state) and optimizer variables (iterations, moments), as NumPy copies."""
        # With early stopping's counters: a scheduled run parks its set between turns.
        return ([v.numpy() for v in self.model.variables], [v.numpy() for v in self.optimizer.variables],
                [self.best_val.numpy(), self.wait.numpy()])

    def load(self, config: ExperimentConfig, data: dict, state: tuple[list, list]) -> None:
        """Continue a parked Trainer: its state, learning rate, data and seed."""
        model_values, optimizer_values, (best_val, wait) = state
        for variable, value in zip(self.model.variables, model_values, strict=True):
            variable.assign(value)
        for variable, value in zip(self.optimizer.variables, optimizer_values, strict=True):
            variable.assign(value)
        self._set_run_values(config, data)
        self.best_val.assign(best_val)
        self.wait.assign(wait)

    def train_chunk(self, n: int, first_epoch: int) -> tuple[np.ndarray, int, str | None]:
        """Train epochs first_epoch+1 .. first_epoch+n, fewer if early stopping ends the run:
        ((MAX_CHUNK, len(ROW)) rows, epochs trained, why it stopped early or None).
        XLA once it is compiled, the plain graph until then (or for good, after a failure);
        op by op while the set runs eagerly (`running_eagerly`)."""
        import tensorflow as tf

        args = (tf.constant(n, tf.int32), tf.constant(first_epoch, tf.int32))
        if self.running_eagerly:
            results = _unpack(train_epochs(self, *args))
            self.chunks_run["eager"] += 1
            return results
        try:
            if self.xla and self.xla_ready.is_set():
                try:
                    results = _unpack(self.train_chunk_fn(*args))
                    self.chunks_run["xla"] += 1
                    return results
                except _xla_errors():
                    self.xla = False
            traced, started = self.has_run, time.perf_counter()  # a first call traces the plain graph
            results = _unpack(self.train_chunk_plain(*args))
            self.chunks_run["plain"] += 1
            if traced:  # training only, not the trace of its first call
                self.plain_seconds += time.perf_counter() - started
            return results
        finally:
            self.has_run = True

    @property
    def running_eagerly(self) -> bool:
        """Chunks and evaluations run op by op: the plain chunk function is not traced yet."""
        return self.eager_until_traced and not self.has_run

    def evaluate_now(self) -> np.ndarray:
        """[train loss, val loss, train metric, val metric] of the weights now (op by op while
        the set runs eagerly: ~10 ms where tracing the evaluation takes ~0.1 s)."""
        return np.asarray(evaluate_all(self) if self.running_eagerly else self.evaluate_fn())

    def trace_step(self) -> None:
        """Trace the mini-batch step alone (~0.35 s, a third of the whole chunk's trace, which
        reuses it): enough for `running_eagerly` chunks. It is run once too, on the first batch,
        and every variable is put back after: TensorFlow prepares a function for running on
        its first call (~0.1 s), here rather than in the run's first turn."""
        before = [(v, v.numpy()) for v in (*self.model.variables, *self.optimizer.variables)]
        batch = self.batch_size
        self.step_fn(self.vars["x_train"][:batch], self.vars["y_train"][:batch])
        for variable, value in before:
            variable.assign(value)
        self.eager_until_traced = True

    def trace_later(self, place, then=None) -> None:
        """Trace the plain chunk function and the evaluation in a daemon thread (once per set),
        inside `place()` (a place among the builds: core.training.pool), then `then(self)`;
        `traced` is set at the end, also after a failure (the set then goes on eagerly)."""
        with self._xla_lock:
            if self._trace_thread is not None or self.has_run:
                return
            self._trace_thread = threading.Thread(target=self._trace_queued, args=(place, then),
                                                  name="trace-set", daemon=True)
            self._trace_thread.start()

    def _trace_queued(self, place, then) -> None:
        try:
            with place():
                self.trace_rest()
                if then is not None:
                    then(self)
        except Exception:  # noqa: BLE001 - it goes on op by op; the error is for the log
            traceback.print_exc()
        finally:
            self.traced.set()

    def trace_rest(self) -> None:
        """What a set traced for its step alone (`trace_step`) lacks to run as one graph: the
        plain chunk function (which reuses the step's trace) and the evaluation."""
        self.trace_plain()
        self.evaluate_fn()

    def trace_plain(self) -> None:
        """Trace the plain-graph chunk function ahead of a run (zero epochs: nothing trains)."""
        import tensorflow as tf

        self.train_chunk_plain(tf.constant(0, tf.int32), tf.constant(0, tf.int32))
        self.has_run = True

    @property
    def xla_compiling(self) -> bool:
        """The XLA function is being compiled in the background."""
        thread = self._xla_thread
        return thread is not None and thread.is_alive()

    def compile_xla_in_background(self) -> None:
        """Start compiling the XLA function in a daemon thread (once per set)."""
        with self._xla_lock:
            if not self.xla or self.xla_ready.is_set() or self._xla_thread is not None:
                return
            self._xla_thread = threading.Thread(target=self._compile_xla_queued, name="xla-compile", daemon=True)
            self._xla_thread.start()

    def _compile_xla_queued(self) -> None:
        with _BACKGROUND_COMPILES:  # meanwhile the run goes on with the plain graph
            self.compile_xla()

    def compile_xla(self) -> bool:
        """Compile the XLA function now (the caller waits); True when it is ready.

        It is called with zero epochs: XLA compiles the whole chunk function, which then trains
        nothing. That is safe while another thread trains this set with the plain graph:
        TensorFlow releases the variable locks while XLA compiles, and when it runs it holds
        the write locks of the variables it updates from reading them to writing them back, so
        zero epochs write back exactly what they read."""
        import tensorflow as tf

        if not self.xla or self.xla_ready.is_set():
            return self.xla_ready.is_set()
        try:
            self.train_chunk_fn(tf.constant(0, tf.int32), tf.constant(0, tf.int32))
        except _xla_errors():
            self.xla = False
            return False
        self.xla_ready.set()
        return True


@functools.lru_cache(maxsize=64)
def initial_values(config: ExperimentConfig) -> tuple:
    """The config's initial model variables as NumPy arrays. Building a Keras model to read
    them costs ~0.1 s of Python; a classroom starts many runs of the same config at once."""
    from core.models import build_model

    fresh = build_model(config)  # eager: no functions are traced
    return tuple(v.numpy() for v in fresh.variables)


# ---- the training step, one function per phase ----------------------------------------------
def forward(model, loss_fn, x, y, l2=None, kernels=()):
    """The loss of a batch, with the layers in training mode (dropout on, BatchNorm on batch
    statistics) plus the L2 penalty l2 * sum(kernel ** 2) over `kernels` (what
    keras.regularizers.L2 adds per layer) and any penalties the layers add themselves."""
    import tensorflow as tf

    loss = loss_fn(y, model(x, training=True))
    if l2 is not None and kernels:
        loss = loss + l2 * tf.add_n([tf.reduce_sum(tf.square(k)) for k in kernels])
    if model.losses:
        loss = loss + tf.add_n(model.losses)
    return loss


def gradients(model, loss_fn, x, y, l2=None, kernels=()):
    """(the batch's loss, d loss / d weights), by reverse-mode autodiff over `forward`."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = forward(model, loss_fn, x, y, l2, kernels)
    return loss, tape.gradient(loss, model.trainable_variables)


def update(optimizer, model, grads) -> None:
    """One optimizer step: moves the weights (and the optimizer's moments) along `grads`."""
    optimizer.apply_gradients(zip(grads, model.trainable_variables))


def train_step(s: _Compiled, x, y):
    """One mini-batch: the scheduled learning rate, forward, gradients, update; its loss."""
    if s.schedule != "none":  # as Keras: the rate for step `iterations`, before it counts up
        s.optimizer.learning_rate.assign(s.base_lr * schedules.factor(s.schedule, s.optimizer.iterations,
                                                                      s.decay_steps))
    loss, grads = gradients(s.model, s.loss_fn, x, y, s.l2, s.penalised)
    update(s.optimizer, s.model, grads)
    return loss


# ---- whole epochs in one call ---------------------------------------------------------------
def train_epoch(s: _Compiled, x_train, y_train, epoch):
    """One epoch: every full batch of the epoch's shuffle order, then the partial last batch.
    Returns the training-mode loss: the batches' losses weighted by their sizes, as fit's."""
    import tensorflow as tf

    n_train, batch = int(x_train.shape[0]), s.batch_size
    n_full, remainder = divmod(n_train, batch)
    perm = _shuffle(n_train, s.seed, epoch)  # (n_train,)
    total = tf.constant(0.0)
    for b in tf.range(n_full):
        idx = tf.slice(perm, [b * batch], [batch])  # (batch,)
        total += float(batch) * tf.cast(s.step_fn(tf.gather(x_train, idx), tf.gather(y_train, idx)), tf.float32)
    if remainder:
        idx = tf.slice(perm, [n_full * batch], [remainder])  # (remainder,)
        total += float(remainder) * tf.cast(s.step_fn(tf.gather(x_train, idx), tf.gather(y_train, idx)), tf.float32)
    return total / float(n_train)


def train_epochs(s: _Compiled, n_epochs, first_epoch):
    """Train up to `n_epochs` epochs; one row per epoch (ROW), (MAX_CHUNK, len(ROW)) with rows
    past the epochs trained unused (op by op: n_epochs rows), the epochs trained and the
    early-stopping code (STOPS)."""
    import tensorflow as tf

    # MAX_CHUNK rows for XLA's static shapes; op by op just the chunk's (stacking the unwritten
    # rows of MAX_CHUNK fills each with zeros: ~40 ms of Python).
    out = tf.TensorArray(tf.float32, size=int(n_epochs) if tf.executing_eagerly() else MAX_CHUNK,
                         element_shape=(len(ROW),))
    x_train, y_train = s.vars["x_train"].value(), s.vars["y_train"].value()
    # A `while` on a tensor, not `for e in tf.range(n_epochs)`: AutoGraph gives range loops a
    # maximum_iterations that XLA must know when compiling, which would compile once per
    # chunk length. This way one compiled function serves every length.
    e = tf.constant(0)
    stop = tf.constant(0)
    while e < n_epochs and stop == 0:
        fit_loss = train_epoch(s, x_train, y_train, first_epoch + e)
        row = evaluate_all(s)
        out = out.write(e, tf.concat([row, tf.reshape(fit_loss, (1,))], 0))
        e += 1
        stop = early_stop(s, row[1])
    return out.stack(), e, stop  # (MAX_CHUNK, len(ROW)), (), ()


def early_stop(s: _Compiled, val_loss):
    """keras.callbacks.EarlyStopping(monitor="val_loss", patience) after one epoch, and the
    target: 0 go on, 1 patience ran out, 2 the validation loss reached the target."""
    import tensorflow as tf

    improved = val_loss < s.best_val
    s.best_val.assign(tf.where(improved, val_loss, s.best_val))
    s.wait.assign(tf.where(improved, 0, s.wait + 1))
    out_of_patience = tf.logical_and(s.patience > 0, s.wait >= s.patience)
    reached = tf.logical_and(s.target_loss > 0, val_loss <= s.target_loss)
    return tf.where(out_of_patience, 1, tf.where(reached, 2, 0))


# ---- evaluation and snapshots ---------------------------------------------------------------
def evaluate(s: _Compiled, x, y, labels):
    """Loss and metric of the whole of (x, y), layers in inference mode."""
    pred = s.model(x, training=False)
    return s.loss_fn(y, pred), _metric(s.task, labels, pred)


def evaluate_all(s: _Compiled):
    """[train loss, val loss, train metric, val metric] as float32, (4,)."""
    import tensorflow as tf

    v = s.vars
    tl, tm = evaluate(s, v["x_train"], v["y_train"], v["labels_train"])
    vl, vm = evaluate(s, v["x_val"], v["y_val"], v["labels_val"])
    return tf.cast(tf.stack([tl, vl, tm, vm]), tf.float32)


def grad_norms(s: _Compiled):
    """Per-layer kernel gradient norms on the first GRAD_PROBE_SIZE training points."""
    from core.models import kernel_gradient_norms

    n = min(GRAD_PROBE_SIZE, int(s.vars["x_train"].shape[0]))
    return kernel_gradient_norms(s.model, s.loss_fn, s.vars["x_train"][:n], s.vars["y_train"][:n])


def _xla_errors() -> tuple:
    """What a layer/optimizer combination that does not compile with XLA on CPU raises: the
    set then falls back to a plain graph, slower to run but always working."""
    import tensorflow as tf

    return (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, tf.errors.InternalError,
            NotImplementedError)


def _unpack(result) -> tuple[np.ndarray, int, str | None]:
    rows, n, stop = result
    return rows.numpy(), int(n), STOPS[int(stop)]


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
