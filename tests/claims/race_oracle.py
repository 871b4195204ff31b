"""Independent re-runs of a seed race, instead of the project's compiled Trainer:

- `fit_final`: Keras' own `model.fit` (full batch, no shuffling), read with `model.evaluate`;
  on this loaded 2-core machine its per-epoch overhead allows only short runs;
- `numpy_final`: the whole run in NumPy float64, forward pass, backpropagation and Adam
  written out here (a Dense MLP with a sigmoid output and binary cross-entropy, as the races'
  binary tasks build it). Only the initial weights come from `build_model`.
"""

from __future__ import annotations

import numpy as np


def fit_final(config, epochs: int | None = None, eager: bool = False) -> dict[str, float]:
    """Final training and validation loss and validation accuracy of `config` trained full batch
    with `model.fit` (Keras' own loop, per epoch, with its callbacks), or with `eager=True` by
    an eager GradientTape loop (no tf.function at all: fast enough for 300 steps here, where
    model.fit's per-epoch overhead took minutes on a loaded machine)."""
    import keras

    from core.datasets import make_split
    from core.losses import LOSSES, encode_targets
    from core.models import build_model
    from core.optimizers import OPTIMIZERS

    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    y_train = encode_targets(data.y_train, data.task, config.loss, data.n_classes)
    y_val = encode_targets(data.y_val, data.task, config.loss, data.n_classes)
    model = build_model(config)
    optimizer = OPTIMIZERS[config.optimizer].make(config.learning_rate)
    model.compile(optimizer=optimizer, loss=LOSSES[config.loss].keras, jit_compile=False)
    n = len(data.x_train)
    if eager:
        import tensorflow as tf

        x, y, loss_fn = tf.constant(data.x_train, tf.float32), tf.constant(y_train), LOSSES[config.loss].keras
        for _ in range(epochs or config.epochs):
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                          model.trainable_variables))
    else:
        model.fit(data.x_train.astype("float32"), y_train, batch_size=n, epochs=epochs or config.epochs,
                  shuffle=False, verbose=0)
    train_loss = model.evaluate(data.x_train.astype("float32"), y_train, batch_size=n, verbose=0)
    val_loss = model.evaluate(data.x_val.astype("float32"), y_val, batch_size=len(data.x_val), verbose=0)
    p = np.asarray(model.predict(data.x_val.astype("float32"), verbose=0), np.float64)
    labels = data.y_val.reshape(-1)
    guess = (p.reshape(-1) > 0.5).astype(int) if p.shape[1] == 1 else p.argmax(axis=1)
    return {"train_loss": float(train_loss), "val_loss": float(val_loss),
            "val_metric": float(np.mean(guess == labels))}


def _activation(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and f'(z) in float64, from their definitions."""
    from scipy.special import erf

    if name == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(np.float64)
    if name == "swish":  # z sigmoid(z)
        s = 1.0 / (1.0 + np.exp(-z))
        return z * s, s + z * s * (1.0 - s)
    if name == "gelu":  # exact GELU: z Phi(z)
        phi = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
        cdf = 0.5 * (1.0 + erf(z / np.sqrt(2.0)))
        return z * cdf, cdf + z * phi
    raise ValueError(name)


def _bce(p: np.ndarray, y: np.ndarray) -> float:
    """Keras' binary cross-entropy on probabilities: clipped to [1e-7, 1 - 1e-7]."""
    p = np.clip(p, 1e-7, 1.0 - 1e-7)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))))


def numpy_final(config) -> dict[str, float]:
    """Train a plain Dense MLP (config.hidden, config.activation, sigmoid output) full batch
    with Adam (Keras' defaults: beta 0.9 / 0.999, epsilon 1e-7) in float64."""
    from core.datasets import make_split
    from core.models import build_model

    assert config.loss == "binary_crossentropy" and config.optimizer == "adam", config
    assert not (config.skip or config.batchnorm or config.dropout or config.l2), config
    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    weights = [w.astype(np.float64) for w in build_model(config).get_weights()]  # kernel, bias, ...
    x, y = data.x_train.astype(np.float64), data.y_train.reshape(-1, 1).astype(np.float64)  # (n, d), (n, 1)
    m = [np.zeros_like(w) for w in weights]
    v = [np.zeros_like(w) for w in weights]

    def forward(inputs):
        h, cache = inputs, []
        for i in range(0, len(weights) - 2, 2):
            z = h @ weights[i] + weights[i + 1]  # (n, width)
            a, da = _activation(config.activation, z)
            cache.append((h, da))
            h = a
        p = 1.0 / (1.0 + np.exp(-(h @ weights[-2] + weights[-1])))  # (n, 1)
        return p, h, cache

    for step in range(1, config.epochs + 1):
        p, h, cache = forward(x)
        inside = ((p > 1e-7) & (p < 1.0 - 1e-7)).astype(np.float64)  # the clip passes no gradient
        grad_z = (p - y) / len(y) * inside  # d mean BCE / d logit, (n, 1)
        grads = [None] * len(weights)
        grads[-2], grads[-1] = h.T @ grad_z, grad_z.sum(axis=0)
        back = grad_z @ weights[-2].T  # (n, width)
        for layer in range(len(cache) - 1, -1, -1):
            h_in, da = cache[layer]
            back = back * da
            grads[2 * layer], grads[2 * layer + 1] = h_in.T @ back, back.sum(axis=0)
            back = back @ weights[2 * layer].T
        rate = config.learning_rate * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            weights[i] = weights[i] - rate * m[i] / (np.sqrt(v[i]) + 1e-7)
    p_train = forward(x)[0]
    p_val = forward(data.x_val.astype(np.float64))[0]
    y_val = data.y_val.reshape(-1, 1).astype(np.float64)
    return {"train_loss": _bce(p_train, y), "val_loss": _bce(p_val, y_val),
            "val_metric": float(np.mean((p_val > 0.5) == (y_val > 0.5)))}


# How far the float32 Trainer and this float64 run may end apart after 300 full-batch steps.
# They agree to 1e-7 after 20 steps. Smooth activations (swish, GELU) stay within 2e-3 to the
# end; ReLU's kink amplifies rounding (a point crossing 0 switches a unit off), and its runs end
# apart by up to 0.18 in validation loss (measured: spiral, seed 1, 0.344 vs 0.491 on one CPU;
# 0.315 vs 0.491 on an AMD EPYC with AVX-512, whose kernels round otherwise).
DRIFT = {"relu": 0.2, "swish": 0.01, "gelu": 0.01}


def drift(config) -> float:
    return DRIFT[config.activation]


def possible_outcomes(oracle_diffs, lesson_diffs, margin: float) -> set[str]:
    """The outcomes ("all" … "none", core.lessons.seed_race.outcome) the oracle's per-seed
    differences allow: a seed whose gap is below `margin` in either run may count either way."""
    from core.lessons.seed_race import outcome

    sure = sum(d > 0 for d, e in zip(oracle_diffs, lesson_diffs) if abs(d) >= margin and abs(e) >= margin)
    unsure = sum(abs(d) < margin or abs(e) < margin for d, e in zip(oracle_diffs, lesson_diffs))
    return {outcome(sure + k, len(oracle_diffs)) for k in range(unsure + 1)}


def assert_race_matches_fit(race, a: str, b: str, measure: str = "val_loss") -> None:
    """Every run of the race against the NumPy float64 run from the same config and seed; the
    verdict "a beats b in k seeds" re-derived from the oracle's numbers."""
    import pytest

    from core.lessons.seed_race import outcome

    oracle = {(name, s): numpy_final(race.configs[name].replace(seed=s, batch_size=5000))
              for name in (a, b) for s in race.seeds}
    for (name, seed), numbers in oracle.items():
        tolerance = drift(race.configs[name])
        run = race.runs[name, seed].final
        assert run["train_loss"] == pytest.approx(numbers["train_loss"], rel=3 * tolerance + 1e-3), (name, seed)
        assert run[measure] == pytest.approx(numbers[measure], abs=tolerance), (name, seed)
    margin = max(drift(race.configs[a]), drift(race.configs[b]))
    oracle_diffs = [oracle[b, s][measure] - oracle[a, s][measure] for s in race.seeds]
    lesson_diffs = list(race.differences(a, b, measure).values)
    for d, e in zip(oracle_diffs, lesson_diffs):
        if abs(d) >= margin and abs(e) >= margin:
            assert (d > 0) == (e > 0), (oracle_diffs, lesson_diffs)
    assert outcome(race.wins(a, b, measure), len(race.seeds)) in possible_outcomes(oracle_diffs, lesson_diffs,
                                                                                   margin)
