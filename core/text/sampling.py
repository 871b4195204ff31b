"""From logits to a chosen token: temperature, top-k, entropy, sampling, generation.

    probabilities = softmax(logits / temperature), then keep the top k and renormalise

Temperature 0 is defined as its limit: all probability on the most likely token (greedy
decoding). Everything here is NumPy, so the page can recompute it on every slider move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GREEDY_BELOW = 1e-3  # temperatures below this are treated as 0 (argmax)


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype="float64")
    z = z - z.max(axis=-1, keepdims=True)  # subtracting the max changes nothing but avoids overflow
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def apply_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T). T -> 0 puts everything on the argmax; T = 1 is the model itself;
    T -> infinity tends to the uniform distribution."""
    logits = np.asarray(logits, dtype="float64")
    if temperature < GREEDY_BELOW:
        probs = np.zeros_like(logits)
        np.put_along_axis(probs, logits.argmax(axis=-1)[..., None], 1.0, axis=-1)
        return probs
    return softmax(logits / temperature)


def top_k_filter(probs: np.ndarray, k: int) -> np.ndarray:
    """Keep the k most likely tokens and renormalise; k <= 0 (or >= vocab) keeps everything."""
    probs = np.asarray(probs, dtype="float64")
    if k <= 0 or k >= probs.shape[-1]:
        return probs
    # The k-th largest value per row; ties at the boundary are broken by position (stable).
    order = np.argsort(-probs, axis=-1, kind="stable")
    keep = np.zeros_like(probs, dtype=bool)
    np.put_along_axis(keep, order[..., :k], True, axis=-1)
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def next_token_distribution(logits: np.ndarray, temperature: float, top_k: int = 0) -> np.ndarray:
    """The distribution a sampler draws the next token from."""
    return top_k_filter(apply_temperature(logits, temperature), top_k)


def entropy_bits(probs: np.ndarray) -> float | np.ndarray:
    """Shannon entropy in bits: 0 when one token is certain, log2(n) when n tokens are equally likely."""
    p = np.asarray(probs, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log2(p), 0.0)
    return terms.sum(axis=-1)


def sample(probs: np.ndarray, rng: np.random.Generator) -> int:
    """Draw one token id from `probs` (inverse-CDF sampling)."""
    cdf = np.cumsum(probs)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), len(probs) - 1))


@dataclass
class Generation:
    prompt_ids: list[int]
    ids: list[int]                 # the generated ids, without the prompt
    probabilities: list[float]     # the probability each chosen token had when it was drawn
    entropies: list[float]         # entropy (bits) of each step's sampling distribution

    @property
    def mean_entropy(self) -> float:
        return float(np.mean(self.entropies)) if self.entropies else 0.0


def generate(lm, prompt: str, n_tokens: int, temperature: float, top_k: int = 0,
             seed: int = 0, n_samples: int = 1) -> list[Generation]:
    """Continue `prompt` with `lm` (a core.text.lm.TrainedLM) one token at a time:
    predict, draw, append the drawn token to the input, predict again. `n_samples`
    continuations are drawn side by side (one batch per step), each with its own random stream."""
    prompt_ids = list(lm.tokenizer.encode(prompt).ids)
    rngs = [np.random.default_rng([seed, i]) for i in range(n_samples)]
    sequences = [list(prompt_ids) for _ in range(n_samples)]
    results = [Generation(prompt_ids, [], [], []) for _ in range(n_samples)]
    for _ in range(n_tokens):
        windows = np.array([lm.window(seq) for seq in sequences])  # (n_samples, context)
        logits = lm.next_logits(windows)  # (n_samples, vocab)
        probs = next_token_distribution(logits, temperature, top_k)  # (n_samples, vocab)
        for i in range(n_samples):
            token = sample(probs[i], rngs[i])
            sequences[i].append(token)
            results[i].ids.append(token)
            results[i].probabilities.append(float(probs[i, token]))
            results[i].entropies.append(float(entropy_bits(probs[i])))
    return results


def entropy_curve(logits: np.ndarray, temperatures: np.ndarray, top_k: int = 0) -> np.ndarray:
    """Entropy (bits) of the sampling distribution at each temperature, for one logits vector."""
    return np.array([entropy_bits(next_token_distribution(logits, t, top_k)) for t in temperatures])


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Total variation distance between two distributions over the same tokens: the largest
    difference in probability they give any one set of tokens (half their L1 distance)."""
    return 0.5 * float(np.abs(np.asarray(p, np.float64) - np.asarray(q, np.float64)).sum())


@dataclass(frozen=True)
class NextToken:
    """One next-token distribution as the page shows it."""

    p_model: np.ndarray   # (vocab,) the model's own distribution, softmax of the logits
    p_sample: np.ndarray  # (vocab,) what sampling draws from, after temperature and top-k
    top: np.ndarray       # (n_top,) token ids, most likely (under the model) first
    h_model: float        # entropy of p_model, bits
    h_sample: float       # entropy of p_sample, bits
    kept: float           # the model's probability of the top_k tokens sampling keeps (1 without)
    choices: int          # tokens that sampling draws more than once in a thousand


def next_token(logits: np.ndarray, temperature: float, top_k: int, n_top: int) -> NextToken:
    p_model = softmax(logits)
    order = np.argsort(-p_model, kind="stable")  # ties keep the lower id first
    p_sample = next_token_distribution(logits, temperature, top_k)
    return NextToken(p_model, p_sample, order[:n_top], float(entropy_bits(p_model)),
                     float(entropy_bits(p_sample)), float(p_model[order[:top_k]].sum()) if top_k else 1.0,
                     int(np.count_nonzero(p_sample > 1e-3)))
