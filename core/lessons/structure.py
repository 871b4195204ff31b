"""Computations behind the model-structure page: a model's layers and shapes, what a hidden
layer does to the data's dimension, rank vs dimension of real tensors, and three ways
(Sequential, Functional, subclassed) of writing the same model.

Every number the page shows is computed here from a real Keras model or tensor. TensorFlow is
imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.config import CAPS, ExperimentConfig
# Rank vs dimension lives in its own module; these names stay importable from here.
from core.lessons.structure_rank import TENSOR_KINDS, VOCAB_SIZE, TensorFacts, tensor_example  # noqa: F401

# Tabular data sets whose input dimension the learner changes (13, 64, 30 and 10 features).
STRUCTURE_DATASETS = ("wine", "digits", "breast_cancer", "diabetes")
MAX_LAYERS = 6           # hidden layers on this page (the deep-network page goes further)
DEFAULT_HIDDEN = (5,)    # the lecture: 13-d wine data -> a 5-d hidden layer
# Epochs per data set: about 1,000-1,500 mini-batch steps, a few seconds on 2 cores.
EPOCHS = {"wine": 200, "digits": 25, "breast_cancer": 60, "diabetes": 100}


class WidthsError(ValueError):
    """Unreadable hidden-layer widths; `key` and `params` name the message for the page."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(f"{key}: {params}")


def parse_widths(text: str) -> tuple[int, ...]:
    """'5' or '16, 8' -> (16, 8). Raises WidthsError with a message key for the page."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise WidthsError("empty")
    if len(parts) > MAX_LAYERS:
        raise WidthsError("too_many", n=len(parts), cap=MAX_LAYERS)
    widths = []
    for part in parts:
        try:
            width = int(part)
        except ValueError:
            raise WidthsError("not_a_number", value=part[:20]) from None
        if not 1 <= width <= CAPS["width"]:
            raise WidthsError("out_of_range", value=width, cap=CAPS["width"])
        widths.append(width)
    return tuple(widths)


def structure_config(dataset: str = "wine", hidden: tuple[int, ...] = DEFAULT_HIDDEN,
                     skip: bool = False, batchnorm: bool = False, seed: int = 0) -> ExperimentConfig:
    """The project's ExperimentConfig for a tabular data set, so `build_model` and `Trainer`
    build and train exactly the model the graph shows."""
    config = ExperimentConfig().with_dataset(dataset)
    return config.replace(hidden=tuple(hidden), skip=skip, batchnorm=batchnorm, seed=seed,
                          epochs=EPOCHS[dataset], batch_size=32, learning_rate=0.01,
                          val_split=0.2).validate()


# ---- the layer table ------------------------------------------------------------------------

@dataclass(frozen=True)
class LayerRow:
    name: str
    kind: str
    output_shape: str
    params: int          # what Keras counts (layer.weights)
    formula: str         # how to count them by hand
    by_hand: int         # the hand count, from the shapes alone


def layer_rows(model) -> list[LayerRow]:
    """One row per layer, with Keras' parameter count beside a count from the shapes alone:
    Dense = (inputs + 1) x units (a weight per input and a bias per unit), BatchNorm = 4 x units
    (gamma, beta, and the moving mean and variance), everything else 0."""
    from core.model_graph import model_graph

    graph = model_graph(model)
    order = {layer.name: i for i, layer in enumerate(model.layers)}  # Keras' own layer order
    rows = []
    for node in sorted(graph.nodes, key=lambda n: order.get(n.name.split("#")[0], len(order))):
        layer = model.get_layer(node.name.split("#")[0])
        fan_in = [graph.nodes[p].output_shape[-1] for p in node.parents]
        width = node.output_shape[-1] if node.output_shape else None
        if node.kind == "Dense":
            bias = bool(layer.use_bias)
            by_hand = (fan_in[0] + (1 if bias else 0)) * width
            formula = f"({fan_in[0]} + 1) × {width}" if bias else f"{fan_in[0]} × {width}"
        elif node.kind == "BatchNormalization":
            by_hand, formula = 4 * width, f"4 × {width}"
        else:
            by_hand, formula = 0, "0"
        rows.append(LayerRow(node.name, node.kind, node.shape_text, node.params, formula, by_hand))
    return rows


def shape_trace(model, x: np.ndarray) -> list[tuple[str, tuple[int, ...]]]:
    """Run a real batch through the model and record the shape of every layer's output."""
    import keras

    names = [layer.name for layer in model.layers]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    outputs = probe(np.asarray(x, "float32"), training=False)
    return [(n, tuple(int(d) for d in o.shape)) for n, o in zip(names, outputs)]


def sample_batch(dataset: str, n: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The first `n` examples of a data set (standardized, as the models see them)."""
    from core.datasets import DATASETS

    x, y = DATASETS[dataset].load(DATASETS[dataset].default_samples, 0.0, seed)
    return x[:n], y[:n]


# ---- training: what the hidden layer does to the data ---------------------------------------

@dataclass
class StructureRun:
    config: ExperimentConfig
    epochs: list[int]
    train_metric: list[float]
    val_metric: list[float]
    metric: str                      # "accuracy" or "mae"
    inputs: np.ndarray               # (n, input_dim) probe examples, sorted by label
    labels: np.ndarray               # (n,)
    hidden: list[np.ndarray]         # one (n, width_i) array per hidden block, same order
    block_names: list[str]
    first_perfect_epoch: int | None  # first epoch with 100 % training accuracy
    seconds: float = 0.0
    params: int = 0
    # Nearest-class-mean accuracy on the raw inputs and on each hidden block's output: a
    # simple measure of how well each space separates the classes (None for regression).
    centroid_input: float | None = None
    centroid_hidden: list[float] = field(default_factory=list)
    n_fit: int = 0                   # training points the class means come from
    n_held: int = 0                  # validation points the separation is measured on

    @property
    def final_train(self) -> float:
        return self.train_metric[-1]

    @property
    def final_val(self) -> float:
        return self.val_metric[-1]


def train_structure(config: ExperimentConfig,
                    progress: Callable[[float], None] | None = None) -> StructureRun:
    """Train `build_model(config)` with the project's Trainer and read every hidden block's
    output on the data after training."""
    from core.models import block_output_names
    from core.training import Trainer

    started = time.perf_counter()
    trainer = Trainer(config, snapshots=1, use_xla=False)
    epochs, train_metric, val_metric = [], [], []
    last = None
    for record in trainer.run():
        epochs.append(record.epoch)
        train_metric.append(record.train_metric)
        val_metric.append(record.val_metric)
        if record.snapshot is not None:
            last = record.snapshot
        if progress is not None and record.epoch % 5 == 0:
            progress(record.epoch / config.epochs)
    probe = trainer.probe_set
    order = np.argsort(probe.labels, kind="stable")  # group examples by class (or target)
    hidden = [h[order] for h in (last.hidden if last is not None else [])]
    perfect = None
    if trainer.metric_name == "accuracy":
        perfect = next((e for e, m in zip(epochs, train_metric) if m >= 1.0), None)
    run = StructureRun(config, epochs, train_metric, val_metric, trainer.metric_name,
                       probe.x[order], probe.labels[order], hidden, block_output_names(config),
                       perfect, time.perf_counter() - started, trainer.model.count_params())
    if trainer.metric_name == "accuracy":
        run.centroid_input, run.centroid_hidden = trainer.with_model(
            lambda model: held_out_separation(model, config, trainer.data))
        run.n_fit, run.n_held = len(trainer.data.x_train), len(trainer.data.x_val)
    return run


def held_out_separation(model, config: ExperimentConfig, data) -> tuple[float, list[float]]:
    """Nearest-class-mean accuracy on the validation points, the class means taken from the
    training points: on the raw inputs and on every hidden block's output. The validation
    points were never trained on, so this measures the space, not memorisation."""
    from core.models import probe_model

    probe = probe_model(model, config)

    def blocks(x):
        out = probe(np.asarray(x, "float32"), training=False)
        return [np.asarray(h) for h in (out if isinstance(out, (list, tuple)) else [out])]

    y_train, y_val = data.y_train.reshape(-1), data.y_val.reshape(-1)
    hidden = [centroid_accuracy(h_val, y_val, h_train, y_train)
              for h_train, h_val in zip(blocks(data.x_train), blocks(data.x_val))]
    return centroid_accuracy(data.x_val, y_val, data.x_train, y_train), hidden


def centroid_accuracy(features: np.ndarray, labels: np.ndarray, fit_features: np.ndarray | None = None,
                      fit_labels: np.ndarray | None = None) -> float:
    """Share of examples whose nearest class mean (Euclidean, after scaling every column to
    unit variance) is their own class's: how cleanly a space separates the classes. Scaling and
    class means come from (`fit_features`, `fit_labels`) when given (held-out use), else from
    the examples themselves."""
    z = np.asarray(features, "float64")
    fit = z if fit_features is None else np.asarray(fit_features, "float64")
    fit_labels = labels if fit_labels is None else fit_labels
    mean, std = fit.mean(axis=0), fit.std(axis=0)
    scale = lambda a: (a - mean) / np.where(std > 0, std, 1.0)  # noqa: E731  (n, d)
    classes = np.unique(fit_labels)
    means = np.stack([scale(fit)[fit_labels == c].mean(axis=0) for c in classes])  # (classes, d)
    distance = ((scale(z)[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)  # (n, classes)
    return float(np.mean(classes[distance.argmin(axis=1)] == labels))


def kernel_rank(model, layer: str = "hidden_1") -> int:
    """The rank of a Dense kernel (float64 SVD): the dimension of the space its pre-activation
    outputs can span. A layer of w units on d inputs spans at most min(d, w) dimensions."""
    return int(np.linalg.matrix_rank(np.asarray(model.get_layer(layer).kernel.numpy(), "float64")))


def dimension_sentence(rank: int, d: int, w1: int, lang: str) -> str:
    """The lecture's "13-d to 5-d" only when the layer is narrower than its input; a wider
    layer is described by its measured rank (`kernel_rank`) instead."""
    from core.i18n import t

    key = "structure.build.dim_reduce" if w1 < d else "structure.build.dim_widen"
    return t(key, lang, d=d, w1=w1, rank=rank)


# ---- three ways to write the same model -----------------------------------------------------

def build_sequential(config: ExperimentConfig):
    """The same MLP as `build_model(config)`, written as a keras.Sequential list of layers
    (same layer names and initializer seeds, so the same starting weights)."""
    import keras
    from keras import layers

    from core.models import output_activation

    base_seed = config.seed * 1000
    stack = [keras.Input(shape=(config.input_dim,), name="inputs")]
    for i, width in enumerate(config.hidden, start=1):
        stack.append(layers.Dense(width, kernel_initializer=keras.initializers.GlorotUniform(
            seed=base_seed + i), name=f"hidden_{i}"))
        stack.append(layers.Activation(config.activation, name=f"activation_{i}"))
    stack.append(layers.Dense(config.n_outputs, activation=output_activation(config.task),
                              kernel_initializer=keras.initializers.GlorotUniform(seed=base_seed + 999),
                              name="output"))
    return keras.Sequential(stack, name="sequential_mlp")


@functools.lru_cache(maxsize=1)
def subclassed_mlp_class():
    """Defines (once) the subclassed version: layers are created in __init__, wired in call()."""
    import keras
    from keras import layers

    class SubclassedMLP(keras.Model):
        def __init__(self, hidden, n_outputs, activation="relu", output_activation="softmax",
                     seed=0, **kwargs):
            # **kwargs PACKS every other keyword argument (name=..., trainable=...) into a dict;
            # **kwargs in the call below UNPACKS that dict back into keyword arguments, so
            # keras.Model.__init__ receives exactly what the caller passed.
            super().__init__(**kwargs)
            self.received_kwargs = dict(kwargs)
            init = lambda offset: keras.initializers.GlorotUniform(seed=seed * 1000 + offset)  # noqa: E731
            self.hidden_layers = [layers.Dense(width, activation=activation, kernel_initializer=init(i),
                                               name=f"hidden_{i}")
                                  for i, width in enumerate(hidden, start=1)]
            self.output_layer = layers.Dense(n_outputs, activation=output_activation,
                                             kernel_initializer=init(999), name="output")

        def call(self, x):
            for layer in self.hidden_layers:
                x = layer(x)
            return self.output_layer(x)

    return SubclassedMLP


def build_subclassed(config: ExperimentConfig, **kwargs):
    """An instance of the subclassed MLP for `config`; extra keyword arguments (name=,
    trainable=) travel through **kwargs to keras.Model.__init__."""
    from core.models import output_activation

    cls = subclassed_mlp_class()
    model = cls(config.hidden, config.n_outputs, activation=config.activation,
                output_activation=output_activation(config.task), seed=config.seed, **kwargs)
    # A subclassed model has no weights until it first sees data: one call with a zero batch
    # of the right shape creates them (keras.Model.build cannot infer them from call()).
    model(np.zeros((1, config.input_dim), "float32"))
    return model


@dataclass
class StyleResult:
    style: str                 # "sequential", "functional" or "subclassed"
    model_name: str
    params: int
    trainable_params: int
    n_layers: int
    output: np.ndarray         # (n, n_outputs) on the sample batch
    max_weight_diff: float     # vs the Functional model, over every weight
    max_output_diff: float     # vs the Functional model


@dataclass
class ThreeWays:
    styles: list[StyleResult]
    x: np.ndarray
    received_kwargs: dict      # what the subclass's **kwargs packed
    subclass_name: str
    subclass_trainable: bool

    def by_style(self, style: str) -> StyleResult:
        return next(s for s in self.styles if s.style == style)

    @property
    def max_output_diff(self) -> float:
        return max(s.max_output_diff for s in self.styles)


def _count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def three_ways(config: ExperimentConfig, x: np.ndarray, name: str = "my_mlp",
               trainable: bool = True) -> ThreeWays:
    """Build the same plain MLP three ways from the same seed and compare parameters, weights
    and outputs on the batch `x`. Skips and BatchNorm are left out: Sequential cannot skip."""
    from core.models import build_model

    config = config.replace(skip=False, batchnorm=False, dropout=0.0, l2=0.0)
    models = {
        "sequential": build_sequential(config),
        "functional": build_model(config),
        "subclassed": build_subclassed(config, name=name, trainable=trainable),
    }
    x = np.asarray(x, "float32")
    reference_weights = models["functional"].get_weights()
    reference_output = np.asarray(models["functional"](x, training=False))
    results = []
    for style, model in models.items():
        weights = model.get_weights()
        weight_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(weights, reference_weights))
        if len(weights) != len(reference_weights):
            weight_diff = float("inf")
        output = np.asarray(model(x, training=False))
        results.append(StyleResult(style, model.name, model.count_params(),
                                    _count(model.trainable_weights), len(model.layers), output,
                                    weight_diff, float(np.max(np.abs(output - reference_output)))))
    sub = models["subclassed"]
    return ThreeWays(results, x, dict(sub.received_kwargs), sub.name, bool(sub.trainable))
