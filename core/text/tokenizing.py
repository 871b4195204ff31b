"""Four ways to cut text into tokens, behind one small interface.

    characters  one token per Unicode character (for Korean: one per syllable block, 음절)
    words       split on whitespace, as a person might
    bpe         byte pair encoding, learned from our corpus with Hugging Face `tokenizers`
    bytes       the UTF-8 bytes: what byte-level models see (a Hangul syllable is 3 bytes)

Every tokenizer has `encode(text) -> Encoding` (tokens, ids, character spans, which tokens are
unknown) and `decode(ids) -> str`. Id 0 is `<unk>` wherever a vocabulary can miss.

Round trips, `decode(encode(x)) == x`:
    characters  when every character was seen in training (else it becomes <unk>)
    words       when every word was seen and words are separated by single spaces
    bpe         when every character was seen (or byte fallback is on); spaces and newlines
                are kept, except whitespace at the very start of a line
    bytes       always
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Protocol

UNK = "<unk>"
NEWLINE = "\n"
SPACE_MARK = "\u2581"  # "▁": how SentencePiece-style BPE marks "a space came before this token"
SCHEMES = ("characters", "words", "bpe", "bytes")


def nfc(text: str) -> str:
    """Text in Unicode NFC. Hangul typed on some systems (macOS file names, pasted text) arrives
    decomposed: "한" as the three jamo ᄒ ᅡ ᆫ, none of which a vocabulary trained on composed
    syllables has seen ("한국어 토큰" gave 13 unknown tokens). Every encode composes first, so
    an Encoding's spans are offsets into the NFC text."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Encoding:
    tokens: list[str]                  # the tokens as the tokenizer sees them
    ids: list[int]
    spans: list[tuple[int, int]]       # [start, end) character offsets into the encoded text
    unknown: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_unknown(self) -> int:
        return sum(self.unknown)


class Tokenizer(Protocol):
    name: str

    @property
    def vocab_size(self) -> int: ...

    def encode(self, text: str) -> Encoding: ...

    def decode(self, ids: Iterable[int]) -> str: ...

    def id_to_token(self, token_id: int) -> str: ...


class VocabTokenizer:
    """Shared part of the character and word tokenizers: a list of strings, id = position."""

    name = "vocab"

    def __init__(self, vocab: Iterable[str]):
        self.vocab = [UNK] + [v for v in vocab if v != UNK]
        self.index = {token: i for i, token in enumerate(self.vocab)}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def id_to_token(self, token_id: int) -> str:
        return self.vocab[token_id] if 0 <= token_id < len(self.vocab) else UNK

    def token_to_id(self, token: str) -> int | None:
        return self.index.get(token)

    def _encode_pieces(self, pieces: list[tuple[str, int, int]]) -> Encoding:
        ids = [self.index.get(piece, 0) for piece, _, _ in pieces]
        return Encoding([piece for piece, _, _ in pieces], ids, [(s, e) for _, s, e in pieces],
                        [i == 0 for i in ids])


class CharTokenizer(VocabTokenizer):
    name = "characters"

    @classmethod
    def train(cls, lines: Iterable[str]) -> CharTokenizer:
        """Vocabulary: every character of the training text, most frequent first."""
        counts = Counter(NEWLINE.join(lines))
        counts[NEWLINE] += 1
        return cls(token for token, _ in counts.most_common())

    def encode(self, text: str) -> Encoding:
        return self._encode_pieces([(ch, i, i + 1) for i, ch in enumerate(nfc(text))])

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.id_to_token(int(i)) for i in ids)


class WordTokenizer(VocabTokenizer):
    name = "words"

    @classmethod
    def train(cls, lines: Iterable[str], max_size: int | None = None) -> WordTokenizer:
        """Vocabulary: the whitespace-separated words of the training text, most frequent first."""
        counts = Counter(word for line in lines for word in line.split())
        return cls(token for token, _ in counts.most_common(max_size))

    def encode(self, text: str) -> Encoding:
        return self._encode_pieces([(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", nfc(text))])

    def decode(self, ids: Iterable[int]) -> str:
        # Whitespace was thrown away by encode: one space between words is all we can restore.
        return " ".join(self.id_to_token(int(i)) for i in ids)


class ByteTokenizer:
    """The 256 possible UTF-8 bytes; nothing is ever unknown, but Korean costs 3 tokens a syllable."""

    name = "bytes"
    vocab_size = 256

    def id_to_token(self, token_id: int) -> str:
        return f"<0x{int(token_id):02X}>"

    def encode(self, text: str) -> Encoding:
        tokens, ids, spans = [], [], []
        for i, ch in enumerate(nfc(text)):
            for byte in ch.encode("utf-8"):
                tokens.append(f"<0x{byte:02X}>")
                ids.append(byte)
                spans.append((i, i + 1))  # every byte of a character points at that character
        return Encoding(tokens, ids, spans, [False] * len(ids))

    def decode(self, ids: Iterable[int]) -> str:
        return bytes(int(i) for i in ids).decode("utf-8", errors="replace")


def train_bpe(lines: Iterable[str], vocab_size: int, byte_fallback: bool = False):
    """Learn a byte pair encoding from `lines` with Hugging Face `tokenizers`.

    Starting from single characters, BPE repeatedly merges the most frequent adjacent pair
    into a new token until the vocabulary has `vocab_size` entries. Spaces become "▁" and stay
    attached to the following word (SentencePiece style), so decoding can restore them; dots
    and commas are split off so that "garden." and "garden" share the token "▁garden"."""
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import decoders, models, pre_tokenizers, trainers

    special = [UNK] + ([f"<0x{b:02X}>" for b in range(256)] if byte_fallback else [])
    tokenizer = HFTokenizer(models.BPE(unk_token=UNK, byte_fallback=byte_fallback))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Metaspace(),
                                                       pre_tokenizers.Punctuation()])
    metaspace = decoders.Metaspace()
    tokenizer.decoder = decoders.Sequence([decoders.ByteFallback(), metaspace]) if byte_fallback else metaspace
    trainer = trainers.BpeTrainer(vocab_size=int(vocab_size), special_tokens=special, show_progress=False)
    tokenizer.train_from_iterator(list(lines), trainer)
    return tokenizer


class BpeTokenizer:
    """A trained BPE plus one extra token for the line break: each line is encoded on its own
    and the lines are joined by the newline id, which keeps decoding exact across lines."""

    name = "bpe"

    def __init__(self, hf_tokenizer, byte_fallback: bool = False):
        self.hf = hf_tokenizer
        self.byte_fallback = byte_fallback
        self.newline_id = hf_tokenizer.get_vocab_size()  # one past the learned vocabulary

    @classmethod
    def train(cls, lines: Iterable[str], vocab_size: int, byte_fallback: bool = False) -> BpeTokenizer:
        # One id is kept for the newline token, so the whole vocabulary has `vocab_size` entries.
        return cls(train_bpe(lines, vocab_size - 1, byte_fallback), byte_fallback)

    @property
    def vocab_size(self) -> int:
        return self.newline_id + 1

    def id_to_token(self, token_id: int) -> str:
        if token_id == self.newline_id:
            return NEWLINE
        return self.hf.id_to_token(int(token_id)) or UNK

    def token_to_id(self, token: str) -> int | None:
        return self.newline_id if token == NEWLINE else self.hf.token_to_id(token)

    def encode(self, text: str) -> Encoding:
        tokens, ids, spans, unknown = [], [], [], []
        start = 0
        for n, line in enumerate(nfc(text).split(NEWLINE)):
            if n:
                tokens.append(NEWLINE)
                ids.append(self.newline_id)
                spans.append((start - 1, start))
                unknown.append(False)
            if line:
                enc = self.hf.encode(line)
                tokens += enc.tokens
                ids += enc.ids
                spans += [(start + s, start + e) for s, e in enc.offsets]
                unknown += [token == UNK for token in enc.tokens]
            start += len(line) + 1
        return Encoding(tokens, ids, spans, unknown)

    def decode(self, ids: Iterable[int]) -> str:
        lines, current = [], []
        for token_id in ids:
            if int(token_id) == self.newline_id:
                lines.append(current)
                current = []
            else:
                current.append(int(token_id))
        lines.append(current)
        return NEWLINE.join(self.hf.decode(line, skip_special_tokens=False) if line else ""
                            for line in lines)


def make_tokenizer(scheme: str, lines: list[str], vocab_size: int = 1000,
                   byte_fallback: bool = False) -> Tokenizer:
    """A tokenizer of `scheme` trained on `lines` (the BPE vocabulary size only for "bpe")."""
    if scheme == "characters":
        return CharTokenizer.train(lines)
    if scheme == "words":
        return WordTokenizer.train(lines)
    if scheme == "bpe":
        return BpeTokenizer.train(lines, vocab_size, byte_fallback)
    if scheme == "bytes":
        return ByteTokenizer()
    raise ValueError(f"unknown tokenization scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")


def display_token(token: str) -> str:
    """How a token is printed in a chart or a metric: the newline as ⏎, the space mark as _, and
    the character model's space token as ␣ (printed as is, a metric and a bar label were blank)."""
    if token == NEWLINE:
        return "⏎"
    if token == " ":
        return "␣"
    return token.replace(SPACE_MARK, "_")


@dataclass(frozen=True)
class Coverage:
    """How a tokenizer does on a set of lines it was not trained on."""

    lines: int
    chars: int
    tokens: int
    unknown: int

    @property
    def tokens_per_line(self) -> float:
        return self.tokens / max(1, self.lines)

    @property
    def chars_per_token(self) -> float:
        return self.chars / max(1, self.tokens)

    @property
    def unknown_share(self) -> float:
        return self.unknown / max(1, self.tokens)


def coverage(tokenizer: Tokenizer, lines: list[str]) -> Coverage:
    encodings = [tokenizer.encode(line) for line in lines]
    return Coverage(len(lines), sum(len(line) for line in lines), sum(len(e) for e in encodings),
                    sum(e.n_unknown for e in encodings))


def word_forms(lines: Iterable[str], stem: str, limit: int = 12) -> list[tuple[str, int]]:
    """Whitespace words that start with `stem`, most frequent first: 모델, 모델은, 모델을, …
    In Korean, particles (조사) attach to the word, so one noun becomes many "words"."""
    counts = Counter(word.strip(".,!?") for line in lines for word in line.split()
                     if word.startswith(stem))
    return counts.most_common(limit)
