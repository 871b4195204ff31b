"""Training speed, measured side by side in one process on the same data and model.

1,000-point XOR (800 train / 200 validation), a 2-8-8-1 relu MLP, batch 32, Adam(0.01), seed 0.
Competitors, each timed after a warm-up that pays for tracing/compiling:
  fit     plain `model.fit(..., validation_data=...)`, Keras' default settings;
  trainer `core.training.Trainer` with its default snapshots (hidden activations, gradient
          norms, decision-boundary grid), consumed as fast as possible;
  numpy   a hand-written NumPy MLP with Adam (what TensorFlow Playground does in JavaScript).
All three evaluate train and validation loss once per epoch.

The last two lines are exactly `trainer/fit=<ratio>` and `trainer/numpy=<ratio>`.
Usage: python -m bench.train_speed [--epochs 400]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from core.config import ExperimentConfig  # noqa: E402
from core.datasets import make_split  # noqa: E402

CONFIG = ExperimentConfig(dataset="xor", n_samples=1000, hidden=(8, 8), activation="relu",
                          loss="binary_crossentropy", optimizer="adam", learning_rate=0.01,
                          batch_size=32, seed=0)


def bench_fit(data, epochs: int) -> float:
    import keras

    from core.models import build_model

    model = build_model(CONFIG)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    kwargs = dict(batch_size=32, validation_data=(data.x_val, data.y_val), verbose=0, shuffle=True)
    model.fit(data.x_train, data.y_train, epochs=1, **kwargs)  # warm-up: tracing
    start = time.perf_counter()
    model.fit(data.x_train, data.y_train, epochs=epochs, **kwargs)
    return epochs / (time.perf_counter() - start)


def bench_trainer(data, epochs: int) -> tuple[float, float]:
    from core.training import Trainer

    trainer = Trainer(CONFIG.replace(epochs=epochs + 5), data)
    run = trainer.run()
    for record in run:  # epoch 0 and the first chunks pay for tracing + XLA compiling
        if record.epoch >= 5:
            break
    start, first = time.perf_counter(), trainer.epoch
    for _ in run:
        pass
    rate = (trainer.epoch - first) / (time.perf_counter() - start)
    return rate, trainer.history[-1].val_metric


class NumpyMLP:
    """2-8-8-1 relu MLP, sigmoid output, binary cross-entropy, Adam: forward and backward by hand."""

    def __init__(self, sizes, seed=0, lr=0.01):
        rng = np.random.default_rng(seed)
        self.params = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, like Keras
            self.params += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32"),
                            np.zeros(fan_out, dtype="float32")]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.lr, self.t = lr, 0

    def forward(self, x):
        acts = [x]
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            z = acts[-1] @ self.params[2 * i] + self.params[2 * i + 1]
            acts.append(np.maximum(z, 0) if i < n_layers - 1 else 1 / (1 + np.exp(-z)))
        return acts

    def loss(self, x, y):
        p = np.clip(self.forward(x)[-1][:, 0], 1e-7, 1 - 1e-7)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    def step(self, x, y):
        acts = self.forward(x)
        delta = (acts[-1] - y[:, None]) / len(x)  # dL/dz of sigmoid + BCE, (batch, 1)
        grads = [None] * len(self.params)
        for i in reversed(range(len(self.params) // 2)):
            grads[2 * i] = acts[i].T @ delta
            grads[2 * i + 1] = delta.sum(axis=0)
            if i > 0:
                delta = (delta @ self.params[2 * i].T) * (acts[i] > 0)
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-7
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= self.lr * (m / (1 - b1**self.t)) / (np.sqrt(v / (1 - b2**self.t)) + eps)


def bench_numpy(data, epochs: int) -> float:
    net = NumpyMLP([2, 8, 8, 1])
    rng = np.random.default_rng(0)
    x, y = data.x_train, data.y_train.astype("float32")
    start = time.perf_counter()
    for _ in range(epochs):
        perm = rng.permutation(len(x))
        for b in range(0, len(x), 32):
            idx = perm[b:b + 32]
            net.step(x[idx], y[idx])
        net.loss(x, y), net.loss(data.x_val, data.y_val.astype("float32"))
    return epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--fit-epochs", type=int, default=30)
    args = parser.parse_args()
    data = make_split(CONFIG.dataset, CONFIG.n_samples, CONFIG.noise, CONFIG.val_split, CONFIG.seed)
    fit = bench_fit(data, args.fit_epochs)
    trainer, val_acc = bench_trainer(data, args.epochs)
    numpy_rate = bench_numpy(data, min(args.epochs, 200))
    print(f"data: xor n=1000 (train {len(data.x_train)}, val {len(data.x_val)}), model 2-8-8-1, batch 32, adam")
    print(f"fit_epochs_per_s={fit:.1f}")
    print(f"trainer_epochs_per_s={trainer:.1f}  (final val accuracy {val_acc:.3f})")
    print(f"numpy_epochs_per_s={numpy_rate:.1f}")
    print(f"trainer/fit={trainer / fit:.2f}")
    print(f"trainer/numpy={trainer / numpy_rate:.2f}")


if __name__ == "__main__":
    main()
