"""What `model.compile()` really resets, measured in Keras 3.

The lecture says: model.compile() 일 때만 모델이 초기화 된다 (the model is (re)initialised
only when `model.compile()` is called). The experiment: build a model, compile, fit, fingerprint the
weights, compile again, fingerprint again, fit again, and watch the loss; then see what does give
fresh weights (building the model again, `keras.models.clone_model`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.config import ExperimentConfig

# How the second compile() gets its optimizer: each resets a different amount of state.
RECOMPILE_CHOICES = ("new", "same", "string")
EPOCH_CHOICES = (5, 10, 20, 40)


def lesson_config(seed: int = 0) -> ExperimentConfig:
    """Small and quick with model.fit: two moons with some noise, so the loss keeps falling."""
    return ExperimentConfig(dataset="moons", n_samples=300, noise=0.25, hidden=(16, 16),
                            activation="relu", learning_rate=0.01, batch_size=32, seed=seed).validate()


def fingerprint(model) -> str:
    """The first 10 hex digits of SHA-256 over every weight's bytes: any change to any weight,
    however small, gives a different fingerprint."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight, dtype=np.float32).tobytes())
    return digest.hexdigest()[:10]


def weight_sum(model) -> float:
    """Σ|w| over every weight: a number that shows *how much* the weights moved."""
    return float(sum(np.abs(w).sum() for w in model.get_weights()))


@dataclass
class Step:
    """The state of a model after one line of the experiment."""

    code: str                  # the line that ran
    fingerprint: str
    weight_sum: float
    loss: float                # model.evaluate on the training set (inference mode)
    iterations: int | None     # model.optimizer.iterations; None when there is no optimizer
    tracker: tuple[float, float] | None  # the "loss" metric's (total, count); None if absent
    learning_rate: float | None = None   # the optimizer's learning rate, read back from Keras


@dataclass
class CompileExperiment:
    steps: list[Step] = field(default_factory=list)
    history_before: list[float] = field(default_factory=list)  # fit #1's loss per epoch
    history_after: list[float] = field(default_factory=list)   # fit #2's loss per epoch
    initial_loss: float = 0.0
    keras_version: str = ""
    seconds: float = 0.0

    def step(self, code_prefix: str) -> Step:
        return next(s for s in self.steps if s.code.startswith(code_prefix))


def _tracker(model) -> tuple[float, float] | None:
    """(total, count) of the model's running mean of the loss, the state fit() logs from."""
    for metric in model.metrics:
        if metric.name == "loss":
            total, count = (float(v) for v in metric.variables)
            return total, count
    return None


def _compile(model, how: str, optimizer, learning_rate: float):
    import keras

    if how == "same":        # the very optimizer object fit #1 used
        model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    elif how == "string":    # Keras builds a new Adam with its default learning rate (0.001)
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    else:                    # a new optimizer object
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                      metrics=["accuracy"])


def compile_experiment(epochs: int = 20, recompile: str = "new", seed: int = 0,
                       on_epoch: Callable[[int, int], None] | None = None) -> CompileExperiment:
    """Run the experiment; `on_epoch(done, total)` is called after every training epoch."""
    import keras

    from core.datasets import split_for
    from core.models import build_model

    started = time.perf_counter()
    config = lesson_config(seed)
    data = split_for(config)
    x, y = data.x_train, data.y_train.astype("float32")
    out = CompileExperiment(keras_version=keras.__version__)
    done = [0]
    progress = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: (done.__setitem__(0, done[0] + 1),
                                          on_epoch and on_epoch(done[0], 2 * epochs)))

    def record(code: str, model) -> None:
        optimizer = getattr(model, "optimizer", None)
        tracker = _tracker(model) if model.compiled else None  # read before evaluate() resets it
        loss = float(model.evaluate(x, y, verbose=0)[0]) if model.compiled else _loss(model, x, y)
        out.steps.append(Step(code, fingerprint(model), weight_sum(model), loss,
                              int(optimizer.iterations) if optimizer is not None else None, tracker,
                              float(optimizer.learning_rate) if optimizer is not None else None))

    keras.utils.set_random_seed(seed)  # fit() shuffles with the global generators
    model = build_model(config)                      # weights are created here
    record("model = build_model(config)", model)
    optimizer = keras.optimizers.Adam(config.learning_rate)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    record("model.compile(optimizer=Adam(0.01), …)", model)
    out.initial_loss = out.steps[-1].loss
    fit = model.fit(x, y, batch_size=config.batch_size, epochs=epochs, verbose=0, callbacks=[progress])
    out.history_before = [float(v) for v in fit.history["loss"]]
    record(f"model.fit(x, y, epochs={epochs})", model)
    _compile(model, recompile, optimizer, config.learning_rate)
    record(RECOMPILE_CODE[recompile], model)
    fit = model.fit(x, y, batch_size=config.batch_size, epochs=epochs, verbose=0, callbacks=[progress])
    out.history_after = [float(v) for v in fit.history["loss"]]
    record(f"model.fit(x, y, epochs={epochs})  # again", model)
    clone = keras.models.clone_model(model)          # same architecture, weights from initializers
    record("clone = keras.models.clone_model(model)", clone)
    fresh = build_model(config)                      # a new model from the same seeded config
    record("fresh = build_model(config)", fresh)
    other = build_model(config.replace(seed=seed + 1))
    record("other = build_model(config.replace(seed=seed + 1))", other)
    out.seconds = time.perf_counter() - started
    return out


RECOMPILE_CODE = {
    "new": "model.compile(optimizer=Adam(0.01), …)  # again, a new Adam",
    "same": "model.compile(optimizer=optimizer, …)  # again, the same Adam object",
    "string": "model.compile(optimizer=\"adam\", …)  # again, by name",
}


def _loss(model, x, y) -> float:
    """Binary cross-entropy of an uncompiled model, the same number evaluate() would give."""
    import keras

    return float(keras.losses.BinaryCrossentropy()(y.reshape(-1, 1), model(x, training=False)))
