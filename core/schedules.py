"""Learning-rate schedules: the Lab's choices, written once as Keras' own schedules.

A schedule is a factor on the learning rate that depends on the optimizer's step count, as in
`keras.optimizers.schedules` (which a generated script uses: `keras_code`). The Lab's trainer
multiplies its learning-rate variable by `factor(...)` inside the compiled step instead of
handing Keras a schedule object, so that the base learning rate stays a variable a learner can
change during a run. Every schedule here is linear in the initial learning rate, so
`lr * factor(step)` equals Keras' `Schedule(lr, ...)(step)` (tests/unit/test_lab_engine.py).
"""

from __future__ import annotations

import math

from core.config import LR_SCHEDULES

# The few numbers a schedule needs, fixed so that one choice says everything:
STEP_PARTS = 4          # "step": the rate halves every quarter of the run's epochs
STEP_RATE = 0.5
EXPONENTIAL_RATE = 0.1  # "exponential": down to a tenth by the last epoch, smoothly
COSINE_ALPHA = 0.01     # "cosine": down to 1 % of the rate by the last epoch, then kept there

__all__ = ["LR_SCHEDULES", "decay_steps", "factor", "keras_schedule", "keras_code", "steps_per_epoch"]


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """Optimizer steps in one epoch: every full batch and the partial last one (as `fit`)."""
    return max(1, math.ceil(n_train / max(1, min(batch_size, n_train))))


def decay_steps(kind: str, epochs: int, steps: int) -> int:
    """The schedule's `decay_steps` in optimizer steps, for a run of `epochs` epochs."""
    if kind == "step":
        return steps * max(1, epochs // STEP_PARTS)
    return steps * max(1, epochs)


def factor(kind: str, step, decay: float):
    """The multiplier on the learning rate at optimizer step `step` (a TensorFlow tensor in,
    a float32 tensor out); the same arithmetic as Keras' schedules with an initial rate of 1."""
    import tensorflow as tf

    step = tf.cast(step, tf.float32)
    decay = tf.cast(decay, tf.float32)
    if kind == "step":
        return tf.pow(tf.constant(STEP_RATE, tf.float32), tf.floor(step / decay))
    if kind == "exponential":
        return tf.pow(tf.constant(EXPONENTIAL_RATE, tf.float32), step / decay)
    if kind == "cosine":
        done = tf.minimum(step, decay) / decay
        return (1 - COSINE_ALPHA) * 0.5 * (1.0 + tf.cos(math.pi * done)) + COSINE_ALPHA
    return tf.constant(1.0, tf.float32)


def keras_code(kind: str, learning_rate: float, decay: int) -> str:
    """The Python expression for the schedule in a generated script (the plain rate for none)."""
    if kind == "step":
        return (f"keras.optimizers.schedules.ExponentialDecay({learning_rate!r}, decay_steps={decay}, "
                f"decay_rate={STEP_RATE!r}, staircase=True)")
    if kind == "exponential":
        return (f"keras.optimizers.schedules.ExponentialDecay({learning_rate!r}, decay_steps={decay}, "
                f"decay_rate={EXPONENTIAL_RATE!r})")
    if kind == "cosine":
        return f"keras.optimizers.schedules.CosineDecay({learning_rate!r}, decay_steps={decay}, alpha={COSINE_ALPHA!r})"
    return repr(learning_rate)


def keras_schedule(kind: str, learning_rate: float, decay: int):
    """The Keras schedule object itself (or the float rate), as the generated script builds it."""
    import keras  # noqa: F401  (the expression below refers to it)

    return eval(keras_code(kind, learning_rate, decay), {"keras": keras})  # noqa: S307 (our own text)
