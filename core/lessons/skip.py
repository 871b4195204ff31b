"""Computations behind the parallel/skip page: two branches merged by Add or Concatenate, the
"ensemble" reading of residual nets (delete one block at test time), and a small U-Net.

TensorFlow is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.config import ExperimentConfig
from core.model_graph import ModelGraph, model_graph

MERGES = ("add", "concatenate")
BRANCH_INPUT = "wine"   # 13 features, 3 classes: the lecture's running example


# ---- two branches from one input ------------------------------------------------------------

def build_two_branch(input_dim: int, width_h: int, width_h1: int, merge: str, n_outputs: int = 3,
                     seed: int = 0):
    """inputs -> H = Dense(width_h) and H1 = Dense(width_h1), side by side -> merge -> output.
    `merge` "add" is `Add()([H, H1])`, "concatenate" is `Concatenate(axis=1)([H, H1])`.
    Raises Keras' own ValueError when Add gets different widths."""
    import keras
    from keras import layers

    init = lambda offset: keras.initializers.GlorotUniform(seed=seed * 1000 + offset)  # noqa: E731
    inputs = keras.Input(shape=(input_dim,), name="inputs")                         # (batch, 13)
    H = layers.Dense(width_h, activation="relu", kernel_initializer=init(1), name="H")(inputs)
    H1 = layers.Dense(width_h1, activation="relu", kernel_initializer=init(2), name="H1")(inputs)
    if merge == "add":
        merged = layers.Add(name="add")([H, H1])                         # (batch, width_h)
    elif merge == "concatenate":
        merged = layers.Concatenate(axis=1, name="concatenate")([H, H1])  # (batch, width_h + width_h1)
    else:
        raise ValueError(f"unknown merge {merge!r}; choose one of {', '.join(MERGES)}")
    outputs = layers.Dense(n_outputs, activation="softmax", kernel_initializer=init(3),
                           name="output")(merged)
    return keras.Model(inputs, outputs, name=f"two_branches_{merge}")


@dataclass
class BranchResult:
    merge: str
    width_h: int
    width_h1: int
    graph: ModelGraph | None      # the built keras.Model's layer graph, or None when Keras refused
    error: str | None             # Keras' own error message when it refused
    H: np.ndarray | None = None        # (n, width_h) branch outputs on the sample batch
    H1: np.ndarray | None = None       # (n, width_h1)
    merged: np.ndarray | None = None   # (n, merged width)
    params: int = 0

    @property
    def merged_width(self) -> int | None:
        return None if self.merged is None else int(self.merged.shape[1])


def two_branches(width_h: int, width_h1: int, merge: str, x: np.ndarray, seed: int = 0) -> BranchResult:
    """Build the two-branch model; on success run `x` through it and keep H, H1 and the merge."""
    import keras

    try:
        model = build_two_branch(x.shape[1], width_h, width_h1, merge, seed=seed)
    except ValueError as err:  # Keras: "Inputs have incompatible shapes. Received shapes (4,) and (6,)"
        return BranchResult(merge, width_h, width_h1, None, str(err))
    probe = keras.Model(model.input, [model.get_layer(n).output for n in ("H", "H1", merge)])
    H, H1, merged = (np.asarray(v) for v in probe(np.asarray(x, "float32"), training=False))
    return BranchResult(merge, width_h, width_h1, model_graph(model), None, H, H1, merged, model.count_params())


# ---- the ensemble reading of residual nets: delete blocks at test time ---------------------

LESION_DATASET = "digits"   # 64 features, 10 classes: hard enough that a broken net shows


def lesion_config(depth: int = 6, width: int = 32, skip: bool = True, epochs: int = 20,
                  seed: int = 0) -> ExperimentConfig:
    """Equal-width MLP on the digits: block 1 changes 64 -> width (so it cannot be deleted
    from the plain net), blocks 2..depth keep the width, so "delete = identity" is defined."""
    return (ExperimentConfig().with_dataset(LESION_DATASET)
            .replace(hidden=(width,) * depth, skip=skip, epochs=epochs, seed=seed, batch_size=64,
                     learning_rate=0.01, loss="sparse_categorical_crossentropy", val_split=0.2)
            .validate())


def lesioned_forward(model, config: ExperimentConfig, x: np.ndarray, deleted=()) -> np.ndarray:
    """The trained model's forward pass with some blocks deleted, in NumPy with the model's
    own weights. Residual net: a deleted block's branch contributes 0 and the shortcut passes
    its input through. Plain net: a deleted block is replaced by the identity."""
    from core.activations import ACTIVATIONS

    act = ACTIVATIONS[config.activation].fn
    h = np.asarray(x, "float64")                                   # (n, 64)
    for i in range(1, len(config.hidden) + 1):
        kernel, bias = (np.asarray(w, "float64") for w in model.get_layer(f"hidden_{i}").get_weights())
        branch = act(h @ kernel + bias)                            # (n, width)
        if config.skip:
            names = {layer.name for layer in model.layers}
            shortcut = h
            if f"shortcut_{i}" in names:                            # projection when widths differ
                shortcut = h @ np.asarray(model.get_layer(f"shortcut_{i}").get_weights()[0], "float64")
            h = shortcut if i in deleted else shortcut + branch
        else:
            h = h if i in deleted else branch
    kernel, bias = (np.asarray(w, "float64") for w in model.get_layer("output").get_weights())
    logits = h @ kernel + bias                                     # (n, classes)
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True)


@dataclass
class NetLesion:
    skip: bool
    config: ExperimentConfig
    base_accuracy: float                  # nothing deleted
    per_block: dict[int, float]           # block -> validation accuracy with it deleted
    by_count: list[tuple[int, float, float, float]]  # (k deleted, mean, min, max accuracy)
    keras_gap: float                      # max |NumPy forward - Keras predict|, nothing deleted
    n_paths: int                          # input-to-output paths in the Keras graph
    params: int
    seconds: float
    val_history: list[float] = field(default_factory=list)
    graph: ModelGraph | None = field(default=None, repr=False)  # the trained model's layer graph
    weights: list[np.ndarray] = field(default_factory=list, repr=False)  # its get_weights()

    @property
    def mean_deleted(self) -> float:
        return float(np.mean(list(self.per_block.values())))

    @property
    def worst_deleted(self) -> float:
        return float(min(self.per_block.values()))

    def keras_model(self):
        """The trained net, rebuilt from its weights: a result holds plain arrays, so reading
        one from a file never imports TensorFlow."""
        from core.models import build_model

        model = build_model(self.config)
        model.set_weights(self.weights)
        return model


@dataclass
class LesionResult:
    plain: NetLesion
    residual: NetLesion
    blocks: list[int]                     # the deletable blocks (2..depth)
    chance: float                         # 1 / classes
    # A linear classifier (softmax regression on the raw pixels) on the same split: the
    # reference for "with every block deleted it still scores ...".
    linear_accuracy: float = float("nan")
    n_val: int = 0

    @property
    def nets(self) -> tuple[NetLesion, NetLesion]:
        return self.plain, self.residual


MAX_SUBSETS = 48  # per deletion count k, sampled (seeded) when there are more


def _subsets(blocks: list[int], k: int, seed: int) -> list[tuple[int, ...]]:
    combos = list(itertools.combinations(blocks, k))
    if len(combos) > MAX_SUBSETS:
        rng = np.random.default_rng(seed + k)
        combos = [combos[i] for i in sorted(rng.choice(len(combos), MAX_SUBSETS, replace=False))]
    return combos


def lesion_net(config: ExperimentConfig, progress: Callable[[float], None] | None = None) -> NetLesion:
    """Train one net with the project's Trainer, then delete blocks at test time."""
    from core.training import Trainer

    started = time.perf_counter()
    trainer = Trainer(config, snapshots=1, use_xla=False)
    history = []
    for record in trainer.run():
        history.append(record.val_metric)
        if progress is not None:
            progress(record.epoch / config.epochs)
    seconds = time.perf_counter() - started
    x, y = trainer.data.x_val, trainer.data.y_val

    def accuracy(deleted) -> float:
        return float(np.mean(lesioned_forward(trainer.model, config, x, deleted).argmax(1) == y))

    blocks = list(range(2, len(config.hidden) + 1))
    per_block = {b: accuracy((b,)) for b in blocks}
    by_count = []
    for k in range(len(blocks) + 1):
        scores = [accuracy(subset) for subset in _subsets(blocks, k, config.seed)]
        by_count.append((k, float(np.mean(scores)), float(np.min(scores)), float(np.max(scores))))
    keras_probs = trainer.predict(x)
    gap = float(np.max(np.abs(keras_probs - lesioned_forward(trainer.model, config, x))))
    graph = model_graph(trainer.model)
    return NetLesion(config.skip, config, accuracy(()), per_block, by_count, gap, graph.n_paths(),
                     trainer.model.count_params(), seconds, history, graph, trainer.model.get_weights())


def lesion_experiment(depth: int = 6, width: int = 32, epochs: int = 20, seed: int = 0,
                      progress: Callable[[float, str], None] | None = None) -> LesionResult:
    """Train a plain and a residual MLP (same widths, data, seed), then delete blocks."""
    nets = []
    for n, skip in enumerate((False, True)):
        step = (lambda f, n=n, skip=skip: progress((n + f) / 2, "residual" if skip else "plain")) \
            if progress else None
        nets.append(lesion_net(lesion_config(depth, width, skip, epochs, seed), step))
    linear, n_val = linear_baseline(nets[1].config)
    return LesionResult(nets[0], nets[1], list(range(2, depth + 1)), 1.0 / 10, linear, n_val)


def linear_baseline(config: ExperimentConfig) -> tuple[float, int]:
    """(validation accuracy, validation points) of multinomial logistic regression on the raw
    inputs, scikit-learn's defaults (L2, C = 1), on the split the nets were trained on."""
    from sklearn.linear_model import LogisticRegression

    from core.datasets import make_split

    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    model = LogisticRegression(max_iter=2000).fit(data.x_train, data.y_train.reshape(-1))
    return float(model.score(data.x_val, data.y_val.reshape(-1))), len(data.x_val)


def baseline_sentence(result: LesionResult, lang: str) -> str:
    """Where the residual net with every block deleted stands against the linear classifier,
    beyond two standard errors of the validation set or not."""
    from core.i18n import t

    pruned, linear = result.residual.by_count[-1][1], result.linear_accuracy
    p = min(max(linear, 1.0 / result.n_val), 1.0 - 1.0 / result.n_val)
    noise = 2.0 * np.sqrt(2.0 * p * (1.0 - p) / result.n_val)
    outcome = "above" if pruned - linear > noise else "below" if linear - pruned > noise else "level"
    return t(f"skip.lesion.baseline.{outcome}", lang, linear=f"{100 * linear:.0f} %",
             res_all=f"{100 * pruned:.0f} %", n_val=result.n_val, noise=f"{100 * noise:.0f}")


# ---- a small U-Net on 8x8 digits ------------------------------------------------------------

UNET_MERGES = ("concatenate", "add", "none")


def build_unet(merge: str = "concatenate", seed: int = 0):
    """Encoder 8x8 -> 4x4 -> 2x2, decoder back to 8x8. `merge` joins each decoder stage with
    the encoder stage of the same size: "concatenate" (the U-Net paper), "add" (the lecture's
    `Add()([H, H1])`), or "none" (a plain encoder-decoder, no skips)."""
    import keras
    from keras import layers

    if merge not in UNET_MERGES:
        raise ValueError(f"unknown merge {merge!r}; choose one of {', '.join(UNET_MERGES)}")
    init = lambda offset: keras.initializers.GlorotUniform(seed=seed * 1000 + offset)  # noqa: E731
    conv = lambda filters, name, offset, act="relu": layers.Conv2D(  # noqa: E731
        filters, 3, padding="same", activation=act, kernel_initializer=init(offset), name=name)

    def join(decoder, encoder, name):
        if merge == "concatenate":
            return layers.Concatenate(name=name)([decoder, encoder])  # channels add up
        if merge == "add":
            return layers.Add(name=name)([decoder, encoder])          # same channels needed
        return decoder

    image = keras.Input(shape=(8, 8, 1), name="noisy")                # (batch, 8, 8, 1)
    e1 = conv(8, "enc_1", 1)(image)                                   # (batch, 8, 8, 8)
    e2 = conv(16, "enc_2", 2)(layers.MaxPooling2D(2, name="down_1")(e1))   # (batch, 4, 4, 16)
    b = conv(4, "bottleneck", 3)(layers.MaxPooling2D(2, name="down_2")(e2))  # (batch, 2, 2, 4)
    d2 = conv(16, "dec_2", 4)(layers.UpSampling2D(2, name="up_2")(b))   # (batch, 4, 4, 16)
    d2 = join(d2, e2, "skip_2")
    d1 = conv(8, "dec_1", 5)(layers.UpSampling2D(2, name="up_1")(d2))   # (batch, 8, 8, 8)
    d1 = join(d1, e1, "skip_1")
    clean = conv(1, "clean", 6, act="sigmoid")(d1)                    # (batch, 8, 8, 1)
    return keras.Model(image, clean, name=f"unet_{merge}")


def unet_data(noise: float = 0.35, seed: int = 0, n_train: int = 800, n_val: int = 300):
    """Digits scaled to 0..1 with Gaussian noise added (clipped): the task is to undo it."""
    import sklearn.datasets

    images = sklearn.datasets.load_digits().images.astype("float32") / 16.0  # (1797, 8, 8)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    clean = images[order][..., None]                                          # (1797, 8, 8, 1)
    noisy = np.clip(clean + rng.normal(0.0, noise, clean.shape), 0.0, 1.0).astype("float32")
    train, val = slice(0, n_train), slice(n_train, n_train + n_val)
    return noisy[train], clean[train], noisy[val], clean[val]


@dataclass
class UNetRun:
    merge: str
    val_mse: float                # denoised vs clean, validation images
    noisy_mse: float              # the noisy input vs clean: what doing nothing scores
    history: list[float]          # training MSE per epoch
    noisy: np.ndarray             # (k, 8, 8) validation examples
    denoised: np.ndarray          # (k, 8, 8)
    clean: np.ndarray             # (k, 8, 8)
    params: int
    seconds: float
    graph: ModelGraph | None = field(default=None, repr=False)  # the trained model's layer graph
    weights: list[np.ndarray] = field(default_factory=list, repr=False)  # its get_weights()
    seed: int = 0

    def keras_model(self):
        """The trained U-Net, rebuilt from its weights (as NetLesion.keras_model)."""
        model = build_unet(self.merge, self.seed)
        model.set_weights(self.weights)
        return model


def train_unet(merge: str, epochs: int = 10, noise: float = 0.35, seed: int = 0,
               progress: Callable[[float], None] | None = None, n_examples: int = 6) -> UNetRun:
    """Train one U-Net variant to denoise digits (MSE, Adam) and measure it on held-out images."""
    import keras

    started = time.perf_counter()
    x_train, y_train, x_val, y_val = unet_data(noise, seed)
    model = build_unet(merge, seed)
    # No XLA: compiling the convolutions costs more than the few hundred steps it would save.
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", jit_compile=False)
    callbacks = []
    if progress is not None:
        callbacks.append(keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: progress((epoch + 1) / epochs)))
    # The data were shuffled once with the seed; shuffle=False keeps the run reproducible.
    fit = model.fit(x_train, y_train, batch_size=40, epochs=epochs, shuffle=False, verbose=0,
                    callbacks=callbacks)
    denoised = np.asarray(model(x_val, training=False))  # (n_val, 8, 8, 1); one eager call
    return UNetRun(merge, float(np.mean((denoised - y_val) ** 2)), float(np.mean((x_val - y_val) ** 2)),
                   [float(v) for v in fit.history["loss"]], x_val[:n_examples, ..., 0],
                   denoised[:n_examples, ..., 0], y_val[:n_examples, ..., 0], model.count_params(),
                   time.perf_counter() - started, model_graph(model), model.get_weights(), seed)
