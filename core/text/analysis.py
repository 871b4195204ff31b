"""Measurements behind the tokenization page: the four schemes trained on the corpus, how they
cover held-out Korean and English sentences, and how BPE's sequence length falls as its
vocabulary grows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.text import corpus
from core.text.tokenizing import SCHEMES, Coverage, Tokenizer, coverage, make_tokenizer

CORPUS_CHOICES = {"both": corpus.LANGS, "ko": ("ko",), "en": ("en",)}


def train_schemes(langs: tuple[str, ...], vocab_size: int, byte_fallback: bool = False) -> dict[str, Tokenizer]:
    """Every scheme, trained on the training lines of `langs`."""
    lines = corpus.lines(langs, split="train")
    return {scheme: make_tokenizer(scheme, lines, vocab_size, byte_fallback) for scheme in SCHEMES}


def held_out(tokenizers: dict[str, Tokenizer]) -> dict[str, dict[str, Coverage]]:
    """scheme -> language -> coverage of that language's held-out (validation) lines."""
    return {scheme: {lang: coverage(tok, corpus.lines((lang,), split="val")) for lang in corpus.LANGS}
            for scheme, tok in tokenizers.items()}


def alphabet(langs: tuple[str, ...]) -> set[str]:
    """Distinct characters in the training text: BPE's vocabulary can never be smaller."""
    return set(corpus.text(langs, split="train")) - {"\n"}


def alphabet_size(langs: tuple[str, ...]) -> int:
    return len(alphabet(langs))


def is_hangul_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def sweep_sizes(low: int, high: int, n: int = 9) -> list[int]:
    """Vocabulary sizes for the sweep, spread evenly on a log scale and rounded to tens."""
    sizes = np.unique(np.round(np.geomspace(max(low, 10), max(high, low + 10), n), -1).astype(int))
    return [int(s) for s in sizes]


@dataclass
class Parallel:
    """One sentence in both languages, counted by every scheme."""

    counts: dict[str, dict[str, int]]    # scheme -> language -> tokens
    chars: dict[str, int]                # language -> characters
    bytes: dict[str, int]                # language -> UTF-8 bytes


def parallel_counts(tokenizers: dict[str, Tokenizer], sentences: dict[str, str]) -> Parallel:
    counts = {scheme: {lang: len(tok.encode(text)) for lang, text in sentences.items()}
              for scheme, tok in tokenizers.items()}
    return Parallel(counts, {lang: len(text) for lang, text in sentences.items()},
                    {lang: len(text.encode("utf-8")) for lang, text in sentences.items()})


def pooled(table: dict[str, dict[str, Coverage]], scheme: str) -> Coverage:
    """One scheme's coverage over all languages together."""
    parts = list(table[scheme].values())
    return Coverage(sum(p.lines for p in parts), sum(p.chars for p in parts), sum(p.tokens for p in parts),
                    sum(p.unknown for p in parts))
