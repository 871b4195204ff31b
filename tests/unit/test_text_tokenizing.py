"""Tokenizers: round trips where each scheme allows them, spans, unknowns, byte fallback, and the
corpus facts the tokenization page reports (checked here against plain Python counts)."""

from __future__ import annotations

import random

import pytest

from core.text import analysis, corpus
from core.text.tokenizing import (NEWLINE, SPACE_MARK, UNK, BpeTokenizer, ByteTokenizer, CharTokenizer,
                                  WordTokenizer, coverage, make_tokenizer, word_forms)

TRAIN = corpus.lines(split="train")
ALL = corpus.lines(split="all")


@pytest.fixture(scope="module")
def bpe():
    return BpeTokenizer.train(TRAIN, 1000)


@pytest.fixture(scope="module")
def bpe_fallback():
    return BpeTokenizer.train(TRAIN, 1000, byte_fallback=True)


def random_text(rng: random.Random, n: int = 40) -> str:
    """Any Unicode: Hangul (seen and unseen syllables), Latin, digits, emoji, spaces, newlines."""
    pools = [[chr(c) for c in range(0xAC00, 0xAC00 + 11172, 37)], list("abcXYZ019 .,!?"), ["😀", "λ", "é", "\t"],
             [" ", "  ", NEWLINE]]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(n))


def test_bytes_round_trip_any_text():
    tok, rng = ByteTokenizer(), random.Random(0)
    for _ in range(200):
        text = random_text(rng)
        assert tok.decode(tok.encode(text).ids) == text
    assert len(tok.encode("토")) == 3 and len(tok.encode("a")) == 1 and len(tok.encode("😀")) == 4


def test_characters_round_trip_and_unknowns():
    tok = CharTokenizer.train(TRAIN)
    for line in ALL:
        enc = tok.encode(line)
        if enc.n_unknown == 0:
            assert tok.decode(enc.ids) == line
    assert tok.decode(tok.encode("\n".join(TRAIN[:20])).ids) == "\n".join(TRAIN[:20])
    enc = tok.encode("a😀b")
    assert enc.tokens == ["a", "😀", "b"] and enc.unknown == [False, True, False] and enc.ids[1] == 0
    assert tok.decode(enc.ids) == f"a{UNK}b"


def test_words_round_trip_for_single_spaced_known_words():
    tok = WordTokenizer.train(TRAIN)
    for line in TRAIN:
        assert tok.decode(tok.encode(line).ids) == " ".join(line.split())
    enc = tok.encode("  The   cat\nsleeps  ")
    assert enc.tokens == ["The", "cat", "sleeps"] and enc.spans == [(2, 5), (8, 11), (12, 18)]
    assert tok.encode("Kerasification").ids == [0]


def test_bpe_round_trips_every_corpus_line_and_multiline_text(bpe):
    for line in TRAIN:
        assert bpe.decode(bpe.encode(line).ids) == line
    text = "\n".join(TRAIN[:30]) + "\n\nThe  cat   sleeps. \n"
    assert bpe.decode(bpe.encode(text).ids) == text


def test_bpe_with_byte_fallback_round_trips_any_text(bpe_fallback):
    rng = random.Random(1)
    for _ in range(200):
        text = random_text(rng).lstrip(" \t")  # SentencePiece-style BPE drops a line's leading space
        text = NEWLINE.join(part.lstrip(" \t") for part in text.split(NEWLINE))
        enc = bpe_fallback.encode(text)
        assert enc.n_unknown == 0
        assert bpe_fallback.decode(enc.ids) == text


def test_bpe_unseen_word_is_split_into_known_pieces(bpe, bpe_fallback):
    enc = bpe.encode("Kerasification")
    assert len(enc) > 1 and enc.n_unknown == 0, "an unseen word of seen characters needs no <unk>"
    assert "".join(enc.tokens).replace(SPACE_MARK, "") == "Kerasification"
    emoji = bpe.encode("😀")
    assert UNK in emoji.tokens and emoji.n_unknown == 1
    fallback = bpe_fallback.encode("😀")
    assert fallback.tokens[-4:] == ["<0xF0>", "<0x9F>", "<0x98>", "<0x80>"]


def test_spans_point_at_the_text(bpe):
    text = "고양이가 정원에서 잔다.\nThe cat sleeps."
    for tok in (bpe, CharTokenizer.train(TRAIN), WordTokenizer.train(TRAIN)):
        enc = tok.encode(text)
        for token, (start, end) in zip(enc.tokens, enc.spans):
            piece = text[start:end]
            if token == NEWLINE or tok.name != "bpe":
                assert piece == token
            else:  # "▁cat" covers " cat": the mark stands for the space before the word
                assert piece.lstrip(" ") == token.lstrip(SPACE_MARK), (tok.name, token, piece)


def test_bpe_vocabulary_size_and_longer_vocab_shorter_sequences():
    held_out = corpus.text(split="val")
    lengths = []
    for size in (600, 1000, 2000):
        tok = BpeTokenizer.train(TRAIN, size)
        assert tok.vocab_size == size
        lengths.append(len(tok.encode(held_out)))
    assert lengths[0] >= lengths[1] >= lengths[2]
    small = BpeTokenizer.train(TRAIN, 100)
    assert small.vocab_size >= analysis.alphabet_size(corpus.LANGS), "BPE never goes below its alphabet"


def test_make_tokenizer_rejects_unknown_scheme():
    with pytest.raises(ValueError, match="unknown tokenization scheme"):
        make_tokenizer("sentencepiece", TRAIN)


def test_corpus_facts_shown_on_the_page():
    # Korean: particles make whitespace words sparse, so more held-out words are unknown.
    words = WordTokenizer.train(TRAIN)
    ko, en = coverage(words, corpus.lines(("ko",), "val")), coverage(words, corpus.lines(("en",), "val"))
    known = set(w for line in TRAIN for w in line.split())
    manual_ko = [w not in known for line in corpus.lines(("ko",), "val") for w in line.split()]
    assert ko.unknown == sum(manual_ko) and ko.tokens == len(manual_ko)
    assert ko.unknown_share > en.unknown_share
    # 모델 appears with several particles attached.
    forms = dict(word_forms(corpus.lines(("ko",)), "모델"))
    assert {"모델은", "모델이", "모델을"} <= set(forms)
    assert forms["모델은"] == sum(line.split().count("모델은") for line in corpus.lines(("ko",)))
    # Hangul syllables dominate the alphabet.
    letters = analysis.alphabet(corpus.LANGS)
    assert sum(map(analysis.is_hangul_syllable, letters)) > len(letters) / 2


def test_held_out_split_is_disjoint_and_complete():
    train, val = corpus.lines(split="train"), corpus.lines(split="val")
    assert len(train) + len(val) == len(ALL) and len(val) == sum(
        len(corpus.read_lines(lang, kind)) // corpus.HOLDOUT_EVERY for lang in corpus.LANGS for kind in corpus.KINDS)
    stats = corpus.stats()
    assert stats["ko"]["bytes"] > 2 * stats["ko"]["chars"] and stats["en"]["bytes"] == stats["en"]["chars"]


@pytest.mark.parametrize("scheme", ["characters", "words", "bpe", "bytes"])
def test_decomposed_hangul_is_composed_before_tokenizing(scheme, bpe):
    """"한국어 토큰" typed as jamo (NFD: 13 code points for 5 syllables) tokenizes exactly as the
    composed text: no unknown jamo."""
    import unicodedata

    composed = "한국어 토큰"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) == 14 and decomposed != composed  # 13 jamo and the space
    tok = bpe if scheme == "bpe" else make_tokenizer(scheme, TRAIN, 1000)
    assert tok.encode(decomposed).ids == tok.encode(composed).ids
    assert tok.encode(decomposed).n_unknown == tok.encode(composed).n_unknown
    if scheme == "characters":
        assert tok.encode(decomposed).n_unknown == 0 and len(tok.encode(decomposed)) == 6
