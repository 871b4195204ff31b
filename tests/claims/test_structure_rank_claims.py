"""/structure, "tf.rank is not the rank of a matrix": over seeds 0–4 and every shape offered,
tf.rank is the number of axes (2) and the linear-algebra rank is the number of independent
directions, counted here from float64 singular values by hand."""

import itertools

import numpy as np
import pytest

from core.lessons import structure_rank as lesson
from tests.claims.conftest import SEEDS


@pytest.mark.parametrize("seed", SEEDS)
def test_two_ranks_count_different_things(seed):
    for rows, cols in itertools.product(range(1, lesson.MATRIX_MAX + 1), repeat=2):
        for directions in range(1, min(rows, cols) + 1):
            m = lesson.matrix_example(rows, cols, directions, seed)
            assert m.matrix.shape == (rows, cols) and m.matrix.ndim == 2 == m.tf_rank
            s = np.linalg.svd(m.matrix.astype(np.float64), compute_uv=False)
            independent = int(np.sum(s > s.max() * max(rows, cols) * np.finfo(np.float64).eps))
            assert m.matrix_rank == independent == directions
            assert m.lost == min(rows, cols) - directions
            # Every row is a combination of the `directions` rows that span the matrix.
            basis = np.linalg.svd(m.matrix.astype(np.float64))[2][:directions]  # (directions, cols)
            assert np.allclose(m.matrix @ basis.T @ basis, m.matrix)
