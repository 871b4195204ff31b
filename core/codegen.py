"""Turn an ExperimentConfig into a standalone Keras script that reproduces the run.

The script contains the very data-generating functions the app runs (their source is copied
with `inspect`), builds the same model layer by layer with the same names and seeds as
`core.models.build_model`, and trains it with the ordinary `model.fit`, the code a learner
would write. (The app trains with a compiled loop instead; the model, data, loss, optimizer,
batch size and epochs are the same.)
"""

from __future__ import annotations

import inspect
import textwrap
from functools import partial

from core import datasets, schedules
from core.activations import ACTIVATIONS
from core.config import ExperimentConfig
from core.losses import LOSSES
from core.models import output_activation
from core.optimizers import OPTIMIZERS


def _source(fn) -> str:
    return textwrap.dedent(inspect.getsource(fn)).strip()


def _data_code(config: ExperimentConfig) -> str:
    ds = datasets.get_dataset(config.dataset)
    if ds.source == "upload":
        return _upload_data_code(config, ds)
    gen = ds.generator
    parts = [_source(datasets.standardize)]
    if isinstance(gen, partial):
        parts.append(_source(gen.func))
        call = f"{gen.func.__name__}({gen.args[0]!r}, N_SAMPLES, NOISE, rng)"
    else:
        parts.append(_source(gen))
        call = f"{gen.__name__}(N_SAMPLES, NOISE, rng)"
    lines = ["\n\n\n".join(parts), "", "",
             "rng = np.random.default_rng(SEED)",
             f"x, y = {call}",
             "x = standardize(x)  # zero mean, unit variance per feature"]
    if ds.task == "regression":
        lines.append("y = standardize(np.asarray(y, dtype='float64').reshape(-1, 1)).reshape(-1)")
    else:
        lines.append("y = np.asarray(y).astype('int64')")
    stratify = "None" if ds.task == "regression" else "y"
    lines += [
        "idx_train, idx_val = train_test_split(np.arange(len(x)), test_size=VAL_SPLIT, random_state=SEED,",
        f"                                     stratify={stratify})",
        "idx_train, idx_val = np.sort(idx_train), np.sort(idx_val)",
    ]
    lines += _feature_code(config, ds)
    lines += ["x_train, y_train, x_val, y_val = x[idx_train], y[idx_train], x[idx_val], y[idx_val]"]
    loss = LOSSES[config.loss]
    if ds.task != "regression" and loss.target == "onehot":
        lines += ["# One-hot targets: one column per class.",
                  f"y_train, y_val = np.eye({ds.n_classes})[y_train], np.eye({ds.n_classes})[y_val]"]
    elif ds.task != "regression" and loss.target == "value" and ds.task == "multiclass":
        lines += ["# MSE on classes: regress the one-hot vectors.",
                  f"y_train, y_val = np.eye({ds.n_classes})[y_train], np.eye({ds.n_classes})[y_val]"]
    return "\n".join(lines)


def _feature_code(config: ExperimentConfig, ds) -> list[str]:
    """2-D points expanded into the chosen Playground inputs (no lines for other data)."""
    if not ds.is_2d:
        return []
    feats = ", ".join(f"{datasets.FEATURE_LABELS[f]}" for f in config.features)
    exprs = {"x1": "p[:, 0]", "x2": "p[:, 1]", "x1_sq": "p[:, 0] ** 2", "x2_sq": "p[:, 1] ** 2",
             "x1_x2": "p[:, 0] * p[:, 1]", "sin_x1": "np.sin(p[:, 0])", "sin_x2": "np.sin(p[:, 1])"}
    cols = ", ".join(exprs[f] for f in config.features)
    return ["", f"# Input features: {feats}",
            "p = x", f"x = np.stack([{cols}], axis=1).astype('float32')  # (n, {len(config.features)})"]


def _upload_data_code(config: ExperimentConfig, ds) -> str:
    """An uploaded CSV: the script reads the same file (save it next to the script)."""
    features = list(ds.feature_names)
    target = ds.label.split(" → ", 1)[-1]
    lines = [_source(datasets.standardize), "", "",
             "import pandas as pd", "",
             f"frame = pd.read_csv('data.csv', sep={ds.separator!r})  # the file you uploaded",
             f"features = {features!r}",
             f"frame = frame.dropna(subset=features + [{target!r}])",
             "x = standardize(frame[features].to_numpy(dtype='float64'))"]
    if ds.task == "regression":
        lines.append(f"y = standardize(frame[[{target!r}]].to_numpy(dtype='float64')).reshape(-1)")
    else:
        lines.append(f"y = pd.factorize(frame[{target!r}], sort=True)[0].astype('int64')")
    stratify = "None" if ds.task == "regression" else "y"
    lines += [
        "idx_train, idx_val = train_test_split(np.arange(len(x)), test_size=VAL_SPLIT, random_state=SEED,",
        f"                                     stratify={stratify})",
        "idx_train, idx_val = np.sort(idx_train), np.sort(idx_val)",
    ]
    lines += _feature_code(config, ds)
    lines += ["x_train, y_train, x_val, y_val = x[idx_train], y[idx_train], x[idx_val], y[idx_val]"]
    if ds.task == "multiclass" and LOSSES[config.loss].target in ("onehot", "value"):
        lines.append(f"y_train, y_val = np.eye({ds.n_classes})[y_train], np.eye({ds.n_classes})[y_val]")
    return "\n".join(lines)


def _model_code(config: ExperimentConfig) -> str:
    act = ACTIVATIONS[config.activation].keras_name
    reg = f"keras.regularizers.L2({config.l2!r})" if config.l2 > 0 else "None"
    lines = [
        f"regularizer = {reg}",
        "",
        "",
        "def init(offset):",
        "    # One integer seed per layer: the same initial weights on every run.",
        "    return keras.initializers.GlorotUniform(seed=SEED * 1000 + offset)",
        "",
        "",
        f"inputs = keras.Input(shape=({config.input_dim},), name='inputs')",
        "h = inputs",
    ]
    prev = config.input_dim
    for i, width in enumerate(config.hidden, start=1):
        lines.append(f"z = layers.Dense({width}, kernel_initializer=init({i}), "
                     f"kernel_regularizer=regularizer, name='hidden_{i}')(h)")
        if config.batchnorm:
            lines.append(f"z = layers.BatchNormalization(name='batchnorm_{i}')(z)")
        lines.append(f"z = layers.Activation('{act}', name='activation_{i}')(z)")
        if config.dropout > 0:
            lines.append(f"z = layers.Dropout({config.dropout!r}, seed=SEED * 1000 + {500 + i}, "
                         f"name='dropout_{i}')(z)")
        if config.skip:
            if prev != width:
                lines.append(f"shortcut = layers.Dense({width}, use_bias=False, kernel_initializer=init({100 + i}), "
                             f"kernel_regularizer=regularizer, name='shortcut_{i}')(h)  # projection")
            else:
                lines.append("shortcut = h")
            lines.append(f"z = layers.Add(name='residual_{i}')([shortcut, z])  # skip connection")
        lines.append("h = z")
        prev = width
    lines += [
        f"outputs = layers.Dense({config.n_outputs}, activation='{output_activation(config.task)}', "
        "kernel_initializer=init(999),",
        "                       kernel_regularizer=regularizer, name='output')(h)",
        "model = keras.Model(inputs, outputs, name='keras_lens_mlp')",
    ]
    return "\n".join(lines)


def _schedule_code(config: ExperimentConfig, batch: int) -> str:
    """The learning rate: a number, or Keras' schedule over optimizer steps (core.schedules)."""
    if config.lr_schedule == "none":
        return f"learning_rate = {config.learning_rate!r}\n"
    steps = schedules.steps_per_epoch(config.n_train, batch)
    decay = schedules.decay_steps(config.lr_schedule, config.epochs, steps)
    return (f"# {steps} optimizer steps per epoch; the schedule counts steps, not epochs.\n"
            f"learning_rate = {schedules.keras_code(config.lr_schedule, config.learning_rate, decay)}\n")


def _callbacks_code(config: ExperimentConfig) -> str:
    """Early stopping as Keras callbacks: patience on the validation loss, a target loss."""
    lines = ["callbacks = []"]
    if config.patience:
        lines.append(f"callbacks.append(keras.callbacks.EarlyStopping(monitor='val_loss', patience={config.patience}))")
    if config.target_loss:
        lines += ["# Stop as soon as the validation loss is at or below the target.",
                  "callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(",
                  f"    model, 'stop_training', model.stop_training or logs['val_loss'] <= {config.target_loss!r})))"]
    return "\n".join(lines) + "\n"


def generate_script(config: ExperimentConfig) -> str:
    """A runnable Python script (str). `EPOCHS=2 python script.py` runs a short version."""
    config.validate()
    ds = datasets.get_dataset(config.dataset)
    loss = LOSSES[config.loss]
    metric = "'mae'" if ds.task == "regression" else "'accuracy'"
    batch = min(config.batch_size, config.n_train)
    header = f'''"""Keras Lens experiment, generated from these settings (shareable link parameters):
    {" ".join(f"{k}={v}" for k, v in config.to_query_params().items())}

Data: {ds.label} ({ds.task}); model: {config.input_dim} -> {" -> ".join(map(str, config.hidden)) or "(no hidden layer)"} -> {config.n_outputs}
({config.count_params()} parameters); loss: {loss.label}; optimizer: {OPTIMIZERS[config.optimizer].label}.
Run: python this_file.py   (set EPOCHS=2 in the environment for a quick check)
"""

import json
import os

import numpy as np
import keras
from keras import layers
from sklearn.model_selection import train_test_split

SEED = {config.seed}
N_SAMPLES = {config.n_samples}
NOISE = {config.noise!r}
VAL_SPLIT = {config.val_split!r}
EPOCHS = int(os.environ.get("EPOCHS", {config.epochs}))
BATCH_SIZE = {batch}  # {"full batch" if batch >= config.n_train else ("SGD: one example per step" if batch == 1 else "mini-batch")}
'''
    train = f'''{_schedule_code(config, batch)}model.compile(
    optimizer={OPTIMIZERS[config.optimizer].code(config.learning_rate).replace(
        f"learning_rate={config.learning_rate!r}", "learning_rate=learning_rate", 1)},
    loss=keras.losses.{loss.keras_name}(),
    metrics=[{metric}],
)
model.summary()
{_callbacks_code(config)}history = model.fit(x_train, y_train, validation_data=(x_val, y_val), batch_size=BATCH_SIZE,
                    epochs=EPOCHS, shuffle=True, verbose=2, callbacks=callbacks)
final = {{name: float(values[-1]) for name, values in history.history.items()}}
print(json.dumps(final))
'''
    return "\n".join([header, "# ---- data " + "-" * 78, _data_code(config), "",
                      "# ---- model " + "-" * 77, _model_code(config), "",
                      "# ---- training " + "-" * 74, train])
