"""Build the Keras model for an ExperimentConfig (Functional API, named layers).

Block i (1-based) is, in order:
    hidden_i (Dense)  ->  batchnorm_i (optional)  ->  activation_i  ->  dropout_i (optional)
    ->  residual_i = Add([shortcut, block])  (optional; shortcut_i Dense projects when widths differ)
The block's output, the "hidden representation" the probes look at, is residual_i when skips
are on and activation_i otherwise (dropout is the identity at inference time).
"""

from __future__ import annotations

from core.config import ExperimentConfig


def output_activation(task: str) -> str:
    return {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[task]


def block_output_names(config: ExperimentConfig) -> list[str]:
    """Names of the layers whose outputs are the hidden representations, one per block."""
    prefix = "residual" if config.skip else "activation"
    return [f"{prefix}_{i}" for i in range(1, len(config.hidden) + 1)]


def build_model(config: ExperimentConfig, seed: int | None = None):
    """A fresh, uncompiled `keras.Model` for `config`, its weights drawn from `seed`
    (default: config.seed), so the same config always starts from the same weights."""
    import keras
    from keras import layers

    config.validate()
    base_seed = (config.seed if seed is None else seed) * 1000
    # Every layer gets its own integer seed instead of relying on keras.utils.set_random_seed:
    # global seeds are shared by all sessions of a Streamlit server, which train in threads.
    init = lambda offset: keras.initializers.GlorotUniform(seed=base_seed + offset)  # noqa: E731
    regularizer = keras.regularizers.L2(config.l2) if config.l2 > 0 else None

    inputs = keras.Input(shape=(config.input_dim,), name="inputs")
    h = inputs
    prev_width = config.input_dim
    for i, width in enumerate(config.hidden, start=1):
        z = layers.Dense(width, kernel_initializer=init(i), kernel_regularizer=regularizer,
                         name=f"hidden_{i}")(h)
        if config.batchnorm:
            z = layers.BatchNormalization(name=f"batchnorm_{i}")(z)
        z = layers.Activation(_keras_activation(config.activation),
                              name=f"activation_{i}")(z)
        if config.dropout > 0:
            z = layers.Dropout(config.dropout, seed=base_seed + 500 + i, name=f"dropout_{i}")(z)
        if config.skip:
            # A residual block learns a correction to its input; when the widths differ a
            # linear projection makes the shapes match, as in ResNet's "option B".
            shortcut = h
            if prev_width != width:
                shortcut = layers.Dense(width, use_bias=False, kernel_initializer=init(100 + i),
                                        kernel_regularizer=regularizer, name=f"shortcut_{i}")(h)
            z = layers.Add(name=f"residual_{i}")([shortcut, z])
        h = z
        prev_width = width
    outputs = layers.Dense(config.n_outputs, activation=output_activation(config.task),
                           kernel_initializer=init(999), kernel_regularizer=regularizer,
                           name="output")(h)
    return keras.Model(inputs, outputs, name="keras_lens_mlp")


def _keras_activation(name: str) -> str:
    from core.activations import ACTIVATIONS

    return ACTIVATIONS[name].keras_name


def probe_model(model, config: ExperimentConfig):
    """A model sharing `model`'s layers that returns every block's output (no copies)."""
    import keras

    outputs = [model.get_layer(name).output for name in block_output_names(config)]
    return keras.Model(model.inputs, outputs, name="hidden_probe") if outputs else None


def kernel_layers(model) -> list[str]:
    """Dense layers whose kernels get a gradient-norm readout, in depth order."""
    return [layer.name for layer in model.layers
            if layer.name.startswith("hidden_") or layer.name == "output"]


def kernel_gradient_norms(model, loss_fn, x, y):
    """(n_kernels,) tensor: the L2 norm of d loss / d kernel for every `kernel_layers` layer,
    computed without float32 underflow (`scaled_norm`).

    `stateless_call` reads BatchNorm's statistics and the dropout seeds without updating them,
    so measuring does not change the network that is trained afterwards. Works eagerly and
    inside a `tf.function`."""
    import tensorflow as tf

    trainable = model.trainable_variables
    index = {id(v): i for i, v in enumerate(trainable)}
    kernel_ids = [index[id(model.get_layer(name).kernel)] for name in kernel_layers(model)]
    values = [v.value for v in trainable]
    with tf.GradientTape() as tape:
        tape.watch(values)
        pred, _ = model.stateless_call(values, [v.value for v in model.non_trainable_variables], x, training=True)
        loss = loss_fn(y, pred)
    grads = tape.gradient(loss, values)
    return tf.stack([scaled_norm(grads[i]) for i in kernel_ids])


def scaled_norm(tensor):
    """The L2 norm of `tensor` without underflow: max|g| * ||g / max|g|||.

    `tf.norm` squares every entry first, and in float32 a square below ~1e-45 is 0: a gradient
    whose entries are all about 1e-23 (a 32-layer sigmoid net's first layer) would read as an
    exact 0 although none of its entries is 0. Dividing by the largest entry keeps the squares
    near 1; an all-zero tensor stays 0."""
    import tensorflow as tf

    largest = tf.reduce_max(tf.abs(tensor))
    safe = tf.where(largest > 0, largest, tf.ones_like(largest))
    return largest * tf.norm(tensor / safe)
