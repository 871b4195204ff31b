"""/skip: the linear baseline beside the lesion result, recomputed in float64 NumPy
(multinomial logistic regression with scikit-learn's objective, L2 with C = 1, by gradient
descent) over several seeds' splits."""

import numpy as np
import pytest

from core.datasets import make_split
from core.lessons import skip as lesson
from tests.claims.conftest import SEEDS


def softmax_regression(x, y, n_classes=10, c=1.0, steps=3000, lr=0.5) -> np.ndarray:
    """Minimise sum_i CE_i + ||W||^2 / (2C) (sklearn's objective, bias not penalised)."""
    x = np.asarray(x, np.float64)
    n, d = x.shape
    onehot = np.eye(n_classes)[y]
    w, b = np.zeros((d, n_classes)), np.zeros(n_classes)
    for _ in range(steps):
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) / n  # the objective divided by n, same minimiser
        w -= lr * (x.T @ grad + w / (c * n))
        b -= lr * grad.sum(axis=0)
    return lambda xs: (np.asarray(xs, np.float64) @ w + b).argmax(axis=1)


@pytest.mark.parametrize("seed", SEEDS)
def test_linear_baseline_matches_a_float64_softmax_regression(seed):
    config = lesson.lesion_config(seed=seed)
    accuracy, n_val = lesson.linear_baseline(config)
    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    predict = softmax_regression(data.x_train, data.y_train.reshape(-1))
    expected = float(np.mean(predict(data.x_val) == data.y_val.reshape(-1)))
    assert n_val == len(data.x_val)
    assert abs(accuracy - expected) <= 2.0 / n_val  # the same optimum, up to a point or two
    assert accuracy > 0.9  # "nearly linearly separable"
