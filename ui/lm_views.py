"""What the text pages (embeddings, next-token, prompting) compute with Keras on the shared
next-token model, as ui.stored functions: a default view reads the results (logits, generated
tokens with their probabilities, the lookup-vs-one-hot rows) from files shipped with the app, so
it does not wait for TensorFlow's import; any other call computes them with the real Keras model.

Their live flag is the model's own (shared.LM_PERSIST.page): the pages' one "recompute live"
button retrains the model and recomputes these with it.
"""

from __future__ import annotations

import numpy as np

from core.text import embedding, lm, sampling
from ui import shared, stored

PERSIST = shared.Persist("lm-views", (lm, sampling, embedding), shared.LM_PERSIST.page)


class Model:
    """A trained model as a stored function's argument. Its config decides its weights (the
    model is the one ui.shared trained or read for that config), so its repr, which names the
    call's file and cache entry, is the config's; it carries the model to compute with."""

    __slots__ = ("lm",)

    def __init__(self, trained: lm.TrainedLM):
        self.lm = trained

    def __repr__(self) -> str:
        return f"TrainedLM({self.lm.config!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Model) and other.lm.config == self.lm.config

    def __hash__(self) -> int:
        return hash(self.lm.config)


@stored.function(PERSIST, max_entries=64)
def lookup(model: Model, ids: tuple[int, ...]) -> embedding.LookupDemo:
    """Keras' Embedding layer and a Dense layer on one-hot input, both holding the model's table."""
    return embedding.lookup_vs_one_hot(model.lm.embeddings, list(ids))


@stored.function(PERSIST, max_entries=256)
def logits_for(model: Model, text: str) -> np.ndarray:
    """(vocab,) the model's logits for the token after `text`."""
    return model.lm.logits_for(text)


@stored.function(PERSIST, max_entries=128)
def generate(model: Model, prompt: str, n_tokens: int, temperature: float, top_k: int, seed: int,
             n_samples: int) -> list[sampling.Generation]:
    """sampling.generate: `seed` decides every draw, so a call is the same every time."""
    return sampling.generate(model.lm, prompt, n_tokens, temperature, top_k, seed=seed, n_samples=n_samples)
