"""Rank vs dimension on the model-structure page: the rank of a tensor (`tf.rank`, how many axes
it has) beside the dimension of the space each example lives in, and beside the rank of a
matrix in linear algebra (`np.linalg.matrix_rank`, how many independent directions its rows
span). The lecture's "tensor rank vs vector-space dimension": one word, different counts.

TensorFlow is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


# ---- rank vs dimension ----------------------------------------------------------------------

TENSOR_KINDS = ("vector", "batch", "images", "tokens", "embedded")


@dataclass
class TensorFacts:
    kind: str
    shape: tuple[int, ...]
    rank: int                 # tf.rank: the number of axes (데이터 형태의 차원)
    axes: list[str]           # a name per axis
    batch_axis: bool          # is axis 0 the batch (examples) axis?
    dimension: int            # numbers per example = dim of the space each example lives in
    n_examples: int
    numbers: int              # total numbers in the tensor
    flattened: bool
    example: np.ndarray = field(repr=False, default=None)  # the first example, as stored


VOCAB_SIZE = 50  # token ids 0..49 for the token examples


def tensor_example(kind: str, batch: int = 32, flatten: bool = False, seq_len: int = 10,
                   embed_dim: int = 8, seed: int = 0) -> TensorFacts:
    """A real tensor of the chosen kind, built with TensorFlow/Keras, and its rank and
    dimension as TensorFlow reports them. `flatten` applies keras.layers.Flatten: the rank
    changes, the dimension does not."""
    import keras
    import tensorflow as tf

    from core.datasets import DATASETS

    rng = np.random.default_rng(seed)
    if kind in ("vector", "batch"):
        x, _ = DATASETS["wine"].load(178, 0.0, seed)
        tensor = tf.constant(x[0] if kind == "vector" else x[:batch])   # (13,) or (batch, 13)
        axes = ["features"] if kind == "vector" else ["batch", "features"]
    elif kind == "images":
        import sklearn.datasets

        images = sklearn.datasets.load_digits().images[:batch] / 16.0  # (batch, 8, 8)
        tensor = tf.constant(images[..., None], tf.float32)  # (batch, 8, 8, 1): NHWC
        axes = ["batch", "height", "width", "channels"]
    elif kind == "tokens":
        ids = rng.integers(0, VOCAB_SIZE, size=(batch, seq_len))
        tensor = tf.constant(ids, tf.int32)  # (batch, seq_len) token ids
        axes = ["batch", "tokens"]
    elif kind == "embedded":
        ids = tf.constant(rng.integers(0, VOCAB_SIZE, size=(batch, seq_len)), tf.int32)
        embed = keras.layers.Embedding(VOCAB_SIZE, embed_dim,
                                       embeddings_initializer=keras.initializers.RandomUniform(
                                           -1, 1, seed=seed))
        tensor = embed(ids)  # (batch, seq_len, embed_dim)
        axes = ["batch", "tokens", "embedding"]
    else:
        raise ValueError(f"unknown tensor kind {kind!r}; choose one of {', '.join(TENSOR_KINDS)}")
    has_batch = axes[0] == "batch"
    if flatten and has_batch and len(axes) > 2:
        tensor = keras.layers.Flatten()(tensor)  # (batch, everything else multiplied)
        axes = ["batch", "flat"]
    rank = int(tf.rank(tensor))
    shape = tuple(int(d) for d in tensor.shape)
    per_example = shape[1:] if has_batch else shape
    return TensorFacts(kind, shape, rank, axes, has_batch, int(np.prod(per_example)),
                       shape[0] if has_batch else 1, int(tf.size(tensor)), flatten and len(axes) == 2
                       and kind in ("images", "embedded"),
                       np.asarray(tensor[0] if has_batch else tensor))


# ---- tf.rank vs the rank of a matrix in linear algebra ---------------------------------------

MATRIX_MAX = 6  # rows and columns of the example matrix


@dataclass
class MatrixRanks:
    matrix: np.ndarray        # (rows, cols) integers
    directions: int           # independent directions it was built from
    tf_rank: int              # tf.rank: number of axes, 2 for every matrix
    matrix_rank: int          # np.linalg.matrix_rank: independent rows (= independent columns)
    singular_values: np.ndarray  # float64, largest first: the zero ones are the lost directions

    @property
    def tolerance(self) -> float:
        """NumPy's own cut-off in matrix_rank: below it a singular value is rounding, not a direction."""
        return float(self.singular_values.max() * max(self.matrix.shape) * np.finfo(np.float64).eps)

    def singular_text(self) -> str:
        """The singular values, those under the cut-off written as 0 with their rounding residue."""
        return ", ".join(f"{v:.2g}" if v > self.tolerance else f"0 ({v:.0e})" for v in self.singular_values)

    @property
    def lost(self) -> int:
        """How far below full rank (min(rows, cols)) the matrix is."""
        return min(self.matrix.shape) - self.matrix_rank


def matrix_example(rows: int = 4, cols: int = 5, directions: int = 3, seed: int = 0) -> MatrixRanks:
    """A rows x cols integer matrix built as (rows x directions) @ (directions x cols), so that
    its rows are combinations of `directions` independent rows; then both "ranks" of it:
    TensorFlow's (how many axes) and linear algebra's (how many independent directions)."""
    import tensorflow as tf

    if not (1 <= rows <= MATRIX_MAX and 1 <= cols <= MATRIX_MAX):
        raise ValueError(f"rows and cols must be 1..{MATRIX_MAX}")
    directions = int(min(max(directions, 1), rows, cols))
    rng = np.random.default_rng(seed)
    while True:
        left = rng.integers(-2, 3, size=(rows, directions))    # (rows, directions)
        right = rng.integers(-2, 3, size=(directions, cols))   # (directions, cols)
        matrix = left @ right                                   # (rows, cols)
        # Small random integers can be dependent by chance: draw again until the product keeps
        # every direction, so the matrix has exactly the rank the learner chose.
        if np.linalg.matrix_rank(matrix.astype(np.float64)) == directions:
            break
    tensor = tf.constant(matrix, tf.float32)
    return MatrixRanks(matrix, directions, int(tf.rank(tensor)),
                       int(np.linalg.matrix_rank(matrix.astype(np.float64))),
                       np.linalg.svd(matrix.astype(np.float64), compute_uv=False))
