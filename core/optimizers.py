"""Optimizers: one registry of factories over `keras.optimizers`.

Each entry knows its Keras class and the hyper-parameters it fixes (momentum, nesterov, …),
so `make(learning_rate)` returns a fresh optimizer: optimizers carry state (momenta, step
counts) and must never be shared between runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping


@dataclass(frozen=True)
class Optimizer:
    name: str
    label: str
    keras_class: str
    # The hyper-parameters this entry passes to the Keras class besides the learning rate.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # A learning rate that works for small MLPs, proposed when a learner picks it.
    default_lr: float = 0.01
    year: int | None = None

    def make(self, learning_rate: float, **hyper):
        """A fresh `keras.optimizers.Optimizer` with `defaults` overridden by `hyper`."""
        import keras  # Lazily: the registry is listed by pages that never train.

        params = {**self.defaults, **hyper}
        return getattr(keras.optimizers, self.keras_class)(learning_rate=float(learning_rate), **params)

    def code(self, learning_rate: float) -> str:
        """The Python expression that builds this optimizer, for generated scripts."""
        args = [f"learning_rate={learning_rate!r}"] + [f"{k}={v!r}" for k, v in self.defaults.items()]
        return f"keras.optimizers.{self.keras_class}({', '.join(args)})"


def _o(name, label, keras_class, defaults=None, default_lr=0.01, year=None) -> Optimizer:
    return Optimizer(name, label, keras_class, MappingProxyType(dict(defaults or {})), default_lr, year)


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in [
        _o("sgd", "SGD", "SGD", default_lr=0.1, year=1951),
        _o("momentum", "SGD + momentum (0.9)", "SGD", {"momentum": 0.9}, default_lr=0.03, year=1964),
        _o("nesterov", "Nesterov momentum (0.9)", "SGD", {"momentum": 0.9, "nesterov": True},
           default_lr=0.03, year=1983),
        _o("adagrad", "Adagrad", "Adagrad", default_lr=0.1, year=2011),
        _o("rmsprop", "RMSprop", "RMSprop", default_lr=0.003, year=2012),
        _o("adam", "Adam", "Adam", default_lr=0.01, year=2014),
        _o("adamw", "AdamW (weight decay 0.004)", "AdamW", {"weight_decay": 0.004}, default_lr=0.01,
           year=2017),
        _o("nadam", "Nadam", "Nadam", default_lr=0.01, year=2016),
    ]
}
