"""Temperature, top-k, entropy and sampling against independent oracles (TensorFlow's softmax,
SciPy's entropy, empirical frequencies), and generation on a stub model whose greedy path is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import entropy as scipy_entropy

from core.text import sampling

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(0, 2.0, size=(6, 50))  # (batch, vocab)


def test_temperature_one_is_tensorflow_softmax():
    import tensorflow as tf

    expected = tf.nn.softmax(tf.constant(LOGITS, tf.float64), axis=-1).numpy()
    np.testing.assert_allclose(sampling.apply_temperature(LOGITS, 1.0), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(sampling.apply_temperature(LOGITS, 0.5), tf.nn.softmax(LOGITS / 0.5).numpy(), atol=1e-12)


@pytest.mark.parametrize("temperature", [0.0, 1e-4])
def test_temperature_zero_is_argmax(temperature):
    probs = sampling.apply_temperature(LOGITS, temperature)
    np.testing.assert_array_equal(probs.argmax(axis=1), LOGITS.argmax(axis=1))
    np.testing.assert_array_equal(probs.max(axis=1), np.ones(len(LOGITS)))
    assert np.count_nonzero(probs) == len(LOGITS)


def test_small_temperature_approaches_argmax():
    ordered = np.sort(LOGITS, axis=1)
    gap = float(np.min(ordered[:, -1] - ordered[:, -2]))  # smallest lead of a winner over the runner-up
    top = LOGITS.argmax(axis=1)
    previous = np.zeros(len(LOGITS))
    for t in (1.0, 0.3, 0.1, gap / 20):
        p_top = sampling.apply_temperature(LOGITS, t)[np.arange(len(LOGITS)), top]
        assert np.all(p_top > previous)
        previous = p_top
    assert np.all(previous > 0.999)  # at T = gap/20: p_top >= 1 / (1 + 49 e^-20)


def test_entropy_matches_scipy_and_rises_with_temperature():
    temperatures = np.array([0.0, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 5.0, 50.0])
    for logits in LOGITS:
        curve = sampling.entropy_curve(logits, temperatures)
        assert curve[0] == 0.0
        assert np.all(np.diff(curve) > 0), curve  # strictly rising for non-constant logits
        assert curve[-1] < np.log2(len(logits)) + 1e-9 and curve[-1] > np.log2(len(logits)) - 0.05
        for t in (0.3, 1.0, 2.0):
            p = sampling.apply_temperature(logits, t)
            assert sampling.entropy_bits(p) == pytest.approx(scipy_entropy(p, base=2), rel=1e-10)


def test_top_k_keeps_the_k_most_likely():
    probs = sampling.apply_temperature(LOGITS, 1.0)
    for k in (1, 3, 10):
        kept = sampling.top_k_filter(probs, k)
        np.testing.assert_allclose(kept.sum(axis=1), 1.0)
        assert np.all(np.count_nonzero(kept, axis=1) == k)
        for row_p, row_kept in zip(probs, kept):
            top = set(np.argsort(-row_p)[:k])
            assert set(np.flatnonzero(row_kept)) == top
            np.testing.assert_allclose(row_kept[list(top)], row_p[list(top)] / row_p[list(top)].sum())
    np.testing.assert_array_equal(sampling.top_k_filter(probs, 0), probs)
    assert np.all(sampling.entropy_bits(sampling.top_k_filter(probs, 3)) <= np.log2(3) + 1e-12)


def test_sampling_frequencies_follow_the_probabilities():
    p = np.array([0.5, 0.25, 0.15, 0.1, 0.0])
    rng = np.random.default_rng(42)
    draws = np.array([sampling.sample(p, rng) for _ in range(20_000)])
    freq = np.bincount(draws, minlength=len(p)) / len(draws)
    np.testing.assert_allclose(freq, p, atol=0.015)
    assert freq[-1] == 0.0, "a token with probability 0 is never drawn"


class StubTokenizer:
    vocab_size = 5

    def encode(self, text):
        class Encoding:
            ids = [int(c) for c in text]
        return Encoding()


class StubLM:
    """Logits favour (last id + 1) mod 5 strongly, so greedy decoding counts 0, 1, 2, 3, 4, 0, …"""

    tokenizer = StubTokenizer()

    def window(self, ids):
        return [0, 0][: max(0, 2 - len(ids))] + list(ids)[-2:]

    def next_logits(self, windows):
        windows = np.asarray(windows)
        logits = np.zeros((len(windows), 5))
        logits[np.arange(len(windows)), (windows[:, -1] + 1) % 5] = 3.0
        return logits


def test_generate_greedy_follows_the_argmax_path():
    samples = sampling.generate(StubLM(), "3", n_tokens=7, temperature=0.0, n_samples=3, seed=5)
    for sample in samples:
        assert sample.ids == [4, 0, 1, 2, 3, 4, 0]
        assert sample.probabilities == [1.0] * 7 and sample.mean_entropy == 0.0


def test_generate_with_temperature_varies_and_is_reproducible():
    first = sampling.generate(StubLM(), "0", n_tokens=30, temperature=2.0, n_samples=3, seed=1)
    again = sampling.generate(StubLM(), "0", n_tokens=30, temperature=2.0, n_samples=3, seed=1)
    assert [s.ids for s in first] == [s.ids for s in again]
    assert len({tuple(s.ids) for s in first}) == 3
    p_hot = sampling.apply_temperature(np.array([0, 3.0, 0, 0, 0]), 2.0)
    assert all(s.mean_entropy == pytest.approx(scipy_entropy(p_hot, base=2)) for s in first)


def test_total_variation_is_the_largest_difference_over_any_set_of_tokens():
    from itertools import chain, combinations

    rng = np.random.default_rng(0)
    for _ in range(5):
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        subsets = chain.from_iterable(combinations(range(5), r) for r in range(6))
        oracle = max(abs(p[list(s)].sum() - q[list(s)].sum()) for s in subsets)
        assert sampling.total_variation(p, q) == pytest.approx(oracle, abs=1e-12)


def test_next_token_summary_against_plain_numpy():
    logits = np.array([0.5, 2.0, -1.0, 2.0, 0.0])
    shown = sampling.next_token(logits, temperature=0.7, top_k=2, n_top=3)
    p = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(shown.p_model, p, rtol=1e-6)
    assert list(shown.top) == [1, 3, 0]  # the tie keeps the lower id first
    assert shown.kept == pytest.approx(p[1] + p[3])
    assert shown.h_model == pytest.approx(-(p * np.log2(p)).sum())
    assert shown.choices == 2  # top-k 2 leaves two tokens to draw
    assert sampling.next_token(logits, 1.0, 0, 2).kept == 1.0
