"""The small bilingual corpus we ship in `data/corpus/` (our own text, public domain).

Two kinds of text in each language:
- `*_lessons.txt`: short explanatory sentences about deep learning, written for this app;
- `*_simple.txt`: simple sentences built from the word groups below (see
  `data/corpus/make_simple_sentences.py`). Words of one group appear in the same places
  ("The cat sleeps…", "The dog sleeps…"), which is exactly what lets a trained embedding put
  them close together, and lets us *measure* that it did.

One sentence per line. Every `HOLDOUT_EVERY`-th line is held out for validation, so that
"unseen text" on the tokenization and next-token pages is real unseen text.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus"
LANGS = ("en", "ko")
KINDS = ("lessons", "simple")
HOLDOUT_EVERY = 10  # line 9, 19, 29, … (0-based) of every file are validation lines

# Word groups: the embedding page colours these tokens and scores how well training clusters
# them. Same meaning, same group name, in both languages.
WORD_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "animals": ("cat", "dog", "bird", "rabbit", "horse", "cow"),
        "colours": ("red", "blue", "green", "yellow", "white", "black"),
        "foods": ("apple", "bread", "rice", "soup", "cake", "cheese"),
        "places": ("school", "park", "library", "market", "kitchen", "garden"),
        "people": ("teacher", "student", "doctor", "farmer", "baker", "child"),
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "numbers": ("one", "two", "three", "four", "five", "six", "seven"),
    },
    "ko": {
        "animals": ("고양이", "강아지", "새", "토끼", "말", "소"),
        "colours": ("빨간", "파란", "초록", "노란", "하얀", "검은"),
        "foods": ("사과", "빵", "밥", "국", "케이크", "치즈"),
        "places": ("학교", "공원", "도서관", "시장", "부엌", "정원"),
        "people": ("선생님", "학생", "의사", "농부", "제빵사", "아이"),
        "days": ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"),
        "numbers": ("하나", "둘", "셋", "넷", "다섯", "여섯", "일곱"),
    },
}


@lru_cache(maxsize=None)
def read_lines(lang: str, kind: str) -> tuple[str, ...]:
    """The non-empty lines of one corpus file."""
    if lang not in LANGS or kind not in KINDS:
        raise ValueError(f"unknown corpus file {lang}_{kind}")
    text = (CORPUS_DIR / f"{lang}_{kind}.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def lines(langs: tuple[str, ...] = LANGS, split: str = "all") -> list[str]:
    """Corpus lines of the given languages, interleaved by file; `split` is "train", "val"
    or "all". The split is by line position, so it is the same on every run."""
    if split not in ("train", "val", "all"):
        raise ValueError(f"unknown split {split!r}")
    out: list[str] = []
    for kind in KINDS:
        for lang in langs:
            for i, line in enumerate(read_lines(lang, kind)):
                held_out = i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1
                if split == "all" or (split == "val") == held_out:
                    out.append(line)
    return out


def text(langs: tuple[str, ...] = LANGS, split: str = "all") -> str:
    return "\n".join(lines(langs, split))


def stats() -> dict[str, dict[str, int]]:
    """Size of each language's text: lines, characters, UTF-8 bytes, whitespace words."""
    out = {}
    for lang in LANGS:
        body = text((lang,))
        out[lang] = {"lines": len(lines((lang,))), "chars": len(body),
                     "bytes": len(body.encode("utf-8")), "words": len(body.split())}
    return out


# Example texts for the tokenization page (the learner can type anything else).
EXAMPLES = {
    "ko": "딥러닝 모델은 토큰 시퀀스를 받아서 다음 토큰을 예측한다.",
    "en": "A deep learning model takes a sequence of tokens and predicts the next token.",
    "mixed": "임베딩 층은 lookup table이고, 학습하는 동안 비슷한 토큰끼리 가까워진다.",
    "unseen": "케라스렌즈는 tokenizationally 새로운 단어를 만들어 낸다 😀",
}
# The same sentence in both languages, to compare sequence lengths like for like.
PARALLEL = {
    "ko": "고양이가 정원에서 잔다. 학생이 도서관에서 빵을 먹는다.",
    "en": "The cat sleeps in the garden. The student eats the bread in the library.",
}
