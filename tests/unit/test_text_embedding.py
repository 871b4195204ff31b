"""Embedding analysis against independent oracles: NumPy indexing, scikit-learn's PCA, brute-force
cosine neighbours, and tables whose group structure is known by construction."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from core.text import corpus, embedding
from core.text.tokenizing import BpeTokenizer

RNG = np.random.default_rng(3)


def test_lookup_equals_one_hot_times_table():
    table = RNG.normal(size=(300, 12)).astype("float32")
    ids = [5, 0, 299, 5, 17]
    demo = embedding.lookup_vs_one_hot(table, ids)
    np.testing.assert_array_equal(demo.rows, table[ids])
    np.testing.assert_allclose(demo.via_matmul, np.eye(300, dtype="float32")[ids] @ table, atol=1e-6)
    assert demo.max_difference < 1e-5
    assert demo.one_hot_width == 300 and demo.sparsity == pytest.approx(1 - 1 / 300)


def test_nearest_is_brute_force_cosine():
    table = RNG.normal(size=(40, 6))
    candidates = list(range(0, 40, 2))
    got = embedding.nearest(table, 4, candidates, k=5)
    unit = table / np.linalg.norm(table, axis=1, keepdims=True)
    sims = {c: float(unit[4] @ unit[c]) for c in candidates if c != 4}
    expected = sorted(sims, key=lambda c: -sims[c])[:5]
    assert [c for c, _ in got] == expected
    np.testing.assert_allclose([s for _, s in got], [sims[c] for c in expected])
    assert embedding.rank_of(table, 4, expected[2], candidates) == 3


def test_group_purity_on_known_structure():
    groups = {f"g{g}": [(f"w{g}{i}", g * 10 + i) for i in range(5)] for g in range(4)}
    clustered = RNG.normal(scale=0.05, size=(40, 8))
    for g in range(4):
        clustered[g * 10:g * 10 + 5] += np.eye(8)[g] * 3  # each group around its own axis
    score = embedding.group_purity(clustered, groups, k=3)
    assert score.purity == 1.0
    assert score.chance == pytest.approx(4 / 19) and score.n_words == 20
    random_scores = [embedding.group_purity(np.random.default_rng(s).normal(size=(40, 8)), groups).purity
                     for s in range(30)]
    assert abs(np.mean(random_scores) - score.chance) < 0.06


def test_pca_matches_scikit_learn():
    table = RNG.normal(size=(200, 10)) @ RNG.normal(size=(10, 10))
    mean, basis, variance = embedding.pca_basis(table)
    reference = PCA(n_components=2).fit(table)
    np.testing.assert_allclose(np.abs(basis.T), np.abs(reference.components_), atol=1e-8)
    np.testing.assert_allclose(variance, reference.explained_variance_ratio_, atol=1e-10)
    xy = embedding.project(table, mean, basis)
    np.testing.assert_allclose(np.abs(xy), np.abs(reference.transform(table)), atol=1e-8)


def test_group_words_and_translation_pairs_are_single_tokens():
    tok = BpeTokenizer.train(corpus.lines(split="train"), 1000)
    groups = embedding.group_token_ids(tok, corpus.WORD_GROUPS["en"])
    assert "animals" in groups
    for members in groups.values():
        for word, token_id in members:
            assert tok.id_to_token(token_id).lstrip("\u2581") == word
    pairs = embedding.translation_pairs(tok, corpus.WORD_GROUPS)
    assert ("cat", tok.token_to_id("\u2581cat"), "고양이", tok.token_to_id("\u2581고양이")) in pairs


def test_map_labels_do_not_pile_up():
    """Labels on the embedding map: the query and its nearest first, none within the gap of another
    (checked pairwise), and a lone point far away still labelled."""
    from core.charts.text import embedding_map, readable_labels

    rng = np.random.default_rng(0)
    xy = np.vstack([rng.normal(0, 0.01, (40, 2)), [[5.0, 5.0]]])  # (41, 2): a tight crowd and one far point
    ranges = ((-1.0, 6.0), (-1.0, 6.0))
    kept = readable_labels(xy, set(range(41)), 3, ranges)
    assert 3 in kept and 40 in kept and len(kept) == 2, "one label for the crowd (the query's), one far away"
    spread = np.array([[x, 0.0] for x in np.linspace(-1, 6, 8)])  # 1.0 apart > 0.09 * 7
    assert readable_labels(spread, set(range(8)), None, ranges) == set(range(8))
    fig = embedding_map(xy, [f"w{i}" for i in range(41)], {i: "a" for i in range(41)}, {"a": "A"}, 3, ranges,
                        ("x", "y"), "other")
    shown = [t for trace in fig.data if trace.mode == "markers+text" for t in trace.text if t]
    assert sorted(shown) == ["w3", "w40"]
