"""The numbers the Lab's network diagram draws, read from the model at a snapshot epoch.

For each layer only the first SHOWN neurons are kept (the diagram summarises the rest as
"+N"), so a 32-layer, 256-wide net costs a snapshot no more than a few small arrays:
- each shown neuron's activation over a coarse PICTURE_GRID x PICTURE_GRID grid of the input
  plane (2-D data only; the same plane as the decision boundary),
- the incoming weights of each shown neuron (all of them: the inspector writes its formula)
  and its bias.
Everything runs inside one `tf.function` (`network_function`), traced once per compiled set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHOWN = 8          # neurons drawn per layer; wider layers are summarised
PICTURE_GRID = 16  # each neuron's picture is PICTURE_GRID x PICTURE_GRID cells


@dataclass
class NetworkState:
    """The diagram's numbers at one epoch. Layers are the Dense layers in depth order
    (hidden_1 … hidden_L, output); column 0 of the diagram is the input."""

    widths: list[int]                 # full widths: input, hidden_1 … hidden_L, output
    kernels: list[np.ndarray]         # per Dense layer: (full input width, shown outputs)
    biases: list[np.ndarray]          # per Dense layer: (shown outputs,)
    # Per column (input first, output last): (shown, PICTURE_GRID, PICTURE_GRID), rows going
    # up in y as the boundary's; None for data that is not 2-D.
    pictures: list[np.ndarray] | None = None

    def shown(self, column: int) -> int:
        return min(self.widths[column], SHOWN)


def dense_layer_names(depth: int) -> list[str]:
    return [f"hidden_{i}" for i in range(1, depth + 1)] + ["output"]


def output_layer_names(depth: int) -> list[str]:
    """The layers whose outputs are the neurons' activations a = act(w·x + b)."""
    return [f"activation_{i}" for i in range(1, depth + 1)] + ["output"]


def network_function(model, depth: int):
    """A `tf.function` x -> (activations, kernels, biases), each a list over the Dense layers,
    sliced to the first SHOWN neurons. `x` is the picture grid (or one row, for tabular data,
    whose activations are not drawn)."""
    import keras
    import tensorflow as tf

    sub = keras.Model(model.inputs, [model.get_layer(n).output for n in output_layer_names(depth)],
                      name="network_pictures")
    dense = [model.get_layer(n) for n in dense_layer_names(depth)]

    @tf.function
    def read(x):
        outputs = sub([x], training=False)  # a list, as model.inputs (no structure warning)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        activations = [o[:, :SHOWN] for o in outputs]  # (points, shown) each
        kernels = [tf.convert_to_tensor(d.kernel)[:, :SHOWN] for d in dense]  # (in, shown)
        biases = [tf.convert_to_tensor(d.bias)[:SHOWN] for d in dense]
        return activations, kernels, biases

    return read


def read_state(fn, inputs: np.ndarray, input_width: int, widths: list[int], is_2d: bool) -> NetworkState:
    """Run `fn` (network_function) on the picture grid's model inputs (2-D data: (grid², d))
    or on one input row (tabular data), and arrange the result for the diagram."""
    activations, kernels, biases = fn(inputs)
    state = NetworkState([input_width, *widths], [np.asarray(k) for k in kernels], [np.asarray(b) for b in biases])
    if is_2d:
        size = PICTURE_GRID
        columns = [np.asarray(inputs)[:, :SHOWN], *(np.asarray(a) for a in activations)]  # (grid², shown) each
        state.pictures = [c.T.reshape(-1, size, size).astype("float32") for c in columns]
    return state
