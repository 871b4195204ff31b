"""Looking inside an embedding table: lookup vs one-hot, neighbours, groups, a 2-D map.

An `Embedding(vocab, dim)` layer holds a (vocab, dim) matrix W. For token id i it returns row
W[i]. Multiplying a one-hot vector e_i (vocab wide, a single 1) by W gives the same row: the
layer is a cheaper way to compute `one_hot(ids) @ W`, which is what a Dense layer without bias
would do with one-hot input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.text.tokenizing import SPACE_MARK


@dataclass
class LookupDemo:
    ids: list[int]
    rows: np.ndarray          # (n_tokens, dim) from the Keras Embedding layer
    one_hot: np.ndarray       # (n_tokens, vocab)
    via_matmul: np.ndarray    # (n_tokens, dim) = one_hot @ W, computed by a Dense layer
    max_difference: float     # between the two ways: 0 up to float rounding

    @property
    def one_hot_width(self) -> int:
        return self.one_hot.shape[1]

    @property
    def sparsity(self) -> float:
        """Share of zeros in the one-hot input."""
        return float(1.0 - np.count_nonzero(self.one_hot) / self.one_hot.size)


def lookup_vs_one_hot(table: np.ndarray, ids: list[int]) -> LookupDemo:
    """Run real Keras layers both ways: Embedding(ids) and Dense(use_bias=False)(one_hot(ids))
    with the Dense kernel set to the same table."""
    import keras

    vocab, dim = table.shape
    ids_array = np.asarray(ids, dtype="int32")  # (n_tokens,)
    embedding = keras.layers.Embedding(vocab, dim)
    embedding.build((None,))
    embedding.set_weights([table])
    rows = np.asarray(embedding(ids_array))  # (n_tokens, dim)

    one_hot = np.asarray(keras.ops.one_hot(ids_array, vocab))  # (n_tokens, vocab)
    dense = keras.layers.Dense(dim, use_bias=False)
    dense.build((None, vocab))
    dense.set_weights([table])
    via_matmul = np.asarray(dense(one_hot))  # (n_tokens, dim)
    return LookupDemo(list(ids), rows, one_hot, via_matmul, float(np.max(np.abs(rows - via_matmul), initial=0.0)))


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-12)
    return unit @ unit.T


def nearest(table: np.ndarray, token_id: int, candidates: list[int], k: int = 6) -> list[tuple[int, float]]:
    """The k candidates whose rows point in the most similar direction (cosine similarity)."""
    cands = [c for c in candidates if c != token_id]
    rows = table[cands]  # (n, dim)
    q = table[token_id]
    sims = rows @ q / np.maximum(np.linalg.norm(rows, axis=1) * np.linalg.norm(q), 1e-12)
    order = np.argsort(-sims, kind="stable")[:k]
    return [(cands[i], float(sims[i])) for i in order]


def group_token_ids(tokenizer, groups: dict[str, tuple[str, ...]]) -> dict[str, list[tuple[str, int]]]:
    """Which words of each group are single tokens of this vocabulary ("▁cat" preferred: the word
    with a space before it, as in running text)."""
    out: dict[str, list[tuple[str, int]]] = {}
    for name, words in groups.items():
        found = []
        for word in words:
            token_id = tokenizer.token_to_id(SPACE_MARK + word)
            if token_id is None:
                token_id = tokenizer.token_to_id(word)
            if token_id is not None:
                found.append((word, int(token_id)))
        if len(found) >= 2:  # a group of one cannot cluster
            out[name] = found
    return out


@dataclass
class GroupScore:
    purity: float   # share of each word's k nearest group words that are in its own group
    chance: float   # the same share for a random table (expected value)
    n_words: int
    n_groups: int


def group_purity(table: np.ndarray, groups: dict[str, list[tuple[str, int]]], k: int = 3) -> GroupScore:
    """Among all group words, look at each word's k nearest neighbours (cosine similarity) and
    count how many share its group. Random rows score `chance`; meaningful rows score higher."""
    labels, ids = [], []
    for g, (name, members) in enumerate(groups.items()):
        for _, token_id in members:
            labels.append(g)
            ids.append(token_id)
    labels_arr = np.array(labels)
    n = len(ids)
    if n < 3:
        return GroupScore(float("nan"), float("nan"), n, len(groups))
    sims = cosine_matrix(table[ids])  # (n, n)
    np.fill_diagonal(sims, -np.inf)
    k = min(k, n - 1)
    hits, chance = 0.0, 0.0
    for i in range(n):
        neighbours = np.argsort(-sims[i], kind="stable")[:k]
        hits += np.mean(labels_arr[neighbours] == labels_arr[i])
        chance += (np.sum(labels_arr == labels_arr[i]) - 1) / (n - 1)
    return GroupScore(float(hits / n), float(chance / n), n, len(groups))


def pca_basis(table: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, the two leading principal directions (dim, 2) and the share of variance each explains."""
    mean = table.mean(axis=0)
    _, s, vt = np.linalg.svd(table - mean, full_matrices=False)
    variance = s ** 2 / max(np.sum(s ** 2), 1e-12)
    return mean, vt[:2].T, variance[:2]


def project(table: np.ndarray, mean: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """(vocab, dim) -> (vocab, 2) on a fixed basis, so that frames of a training run share axes."""
    return (table - mean) @ basis


def translation_pairs(tokenizer, groups: dict[str, dict[str, tuple[str, ...]]]) -> list[tuple[str, int, str, int]]:
    """(English word, id, Korean word, id) for words at the same place of the same group
    (cat/고양이, red/빨간, …) when both are single tokens."""
    en, ko = group_token_ids(tokenizer, groups["en"]), group_token_ids(tokenizer, groups["ko"])
    pairs = []
    for name, words in groups["en"].items():
        en_ids, ko_ids = dict(en.get(name, [])), dict(ko.get(name, []))
        for en_word, ko_word in zip(words, groups["ko"][name]):
            if en_word in en_ids and ko_word in ko_ids:
                pairs.append((en_word, en_ids[en_word], ko_word, ko_ids[ko_word]))
    return pairs


def rank_of(table: np.ndarray, token_id: int, target: int, candidates: list[int]) -> int:
    """Where `target` comes among `candidates` ordered by cosine similarity to `token_id` (1 = nearest)."""
    order = [c for c, _ in nearest(table, token_id, candidates, k=len(candidates))]
    return order.index(target) + 1 if target in order else len(order) + 1
