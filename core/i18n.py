"""Messages in English and Korean.

Catalogues live in `core/locales/<lang>/<namespace>.json` (one file per page or concern, so
that work on one page never edits another page's strings). A key is `namespace.path.to.msg`.
Both languages must have identical key sets: `tests/unit/test_boundaries.py` enforces it.
"""

from __future__ import annotations

import json
import re
import string
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, flattened to dotted keys."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        messages.update(_flatten(data, f"{path.stem}."))
    return messages


def normalize_language(lang: object) -> str:
    """Any value (from a URL, say) to a supported language code; unknown -> English."""
    text = str(lang or "").strip().lower()[:5]
    return text if text in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **kwargs) -> str:
    """The message `key` in `lang`, formatted with `kwargs`.

    A key missing in Korean falls back to English, and a key missing everywhere shows
    itself, so a typo is visible on screen instead of crashing a lesson. A Korean particle
    written as a field's format (`{idx:은}`) is chosen from the value's last sound."""
    text = catalogue(normalize_language(lang)).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    if kwargs:
        try:
            text = _FORMATTER.format(text, **kwargs)
        except (KeyError, IndexError, ValueError, AttributeError):
            return text
    return keep_bold(text)


# The particles whose form depends on the sound before them: (after a consonant, after a vowel).
# 으로/로 also takes 로 after ㄹ. Longer forms first so that 이나 is not read as 이 + 나.
PARTICLES = (("으로", "로"), ("이나", "나"), ("이라", "라"), ("이랑", "랑"), ("은", "는"), ("이", "가"),
             ("을", "를"), ("과", "와"))
_RIEUL = 8  # the index of ㄹ among a Hangul syllable's final consonants
_DIGIT_FINAL = dict(zip("0123456789", (21, 8, 0, 16, 0, 0, 1, 8, 8, 0)))  # 영 일 이 삼 사 오 육 칠 팔 구
_POWER_FINAL = (17, 1, 4)  # 십 백 천
_LETTER_FINAL = {"l": 8, "m": 16, "n": 4, "r": 8}  # 엘 엠 엔 알; every other letter's name ends in a vowel
_NASAL_FINAL = {"m": 16, "n": 4, "l": 8}  # ㅁ ㄴ ㄹ
_VOWELS = set("aeiouy")


def _number_final(digits: str, decimal: bool) -> int:
    if decimal:  # 0.07 is read 영 점 영 칠: the last digit on its own
        return _DIGIT_FINAL[digits[-1]]
    zeros = len(digits) - len(digits.rstrip("0"))
    if int(digits) == 0 or zeros == 0:
        return _DIGIT_FINAL[digits[-1]]
    if zeros <= 3:
        return _POWER_FINAL[zeros - 1]
    return (4, 1, 0)[min((zeros - 4) // 4, 2)]  # 만 (10^4..10^7), 억 (10^8..), 조 (10^12..)


def _word_final(word: str) -> int:
    """The final consonant of a Latin word as Koreans say it (cat 캣, model 모델, dog 도그)."""
    if len(word) == 1 or word.isupper():  # a letter or an acronym: the last letter's name
        return _LETTER_FINAL.get(word[-1].lower(), 0)
    w = word.lower()
    if w.endswith("ng"):
        return 21
    if w.endswith("e") and len(w) > 2 and w[-2] not in _VOWELS:  # silent e: line 라인, cake 케이크
        return _NASAL_FINAL.get(w[-2], 0)
    if w[-1] in _NASAL_FINAL:
        return _NASAL_FINAL[w[-1]]
    if w[-1] in "ktpc" and w[-2] in _VOWELS and (len(w) < 3 or w[-3] not in _VOWELS):
        return {"k": 1, "c": 1, "t": 19, "p": 17}[w[-1]]  # one short vowel + k/t/p: 북 캣 팁
    return 0


def final_consonant(value: object) -> int | None:
    """The final consonant (0 = none, 8 = ㄹ, …) of `value` read aloud in Korean, or None when
    it cannot be told (a symbol, an empty string)."""
    text = str(value).rstrip(" )]}'\"`*»”’.,;:!?…")
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28
    if last == "%":
        return 0  # 퍼센트
    number = re.search(r"[0-9][0-9,]*$", text)
    if number:
        return _number_final(number.group().replace(",", ""), text[:number.start()].endswith("."))
    word = re.search(r"[A-Za-z]+$", text)
    return _word_final(word.group()) if word else None


def particle(value: object, form: str) -> str:
    """The particle `form` (either spelling: 은 or 는, 으로 or 로, 와의 …) that fits after
    `value`; both spellings (은(는)) when the value's sound cannot be told."""
    for after_consonant, after_vowel in PARTICLES:
        for spelling in (after_consonant, after_vowel):
            if form.startswith(spelling):
                rest = form[len(spelling):]
                final = final_consonant(value)
                if final is None:
                    return f"{after_consonant}({after_vowel}){rest}"
                vowel_form = final == 0 or (final == _RIEUL and after_consonant == "으로")
                return (after_vowel if vowel_form else after_consonant) + rest
    return form


class _ParticleFormatter(string.Formatter):
    """str.format, plus a Korean particle at the end of a field's format: `{n:,을}`."""

    def format_field(self, value, format_spec):
        match = re.search(r"[가-힣]+$", format_spec)
        if not match:
            return super().format_field(value, format_spec)
        shown = super().format_field(value, format_spec[:match.start()])
        return shown + particle(shown, match.group())


_FORMATTER = _ParticleFormatter()


# `**99.9%**가`: CommonMark does not close bold after punctuation when a letter follows (the
# delimiter is not "right-flanking"), so the asterisks showed on screen. Korean particles
# follow numbers and brackets all the time; taking the particle into the bold fixes it. The
# same holds, mirrored, for an opening `**` between a letter and punctuation (`값**(5,)**`).
# The `**` are paired in order, outside code spans: one pattern over the whole text once
# matched from one span's closing `**` to the next span's opening one ("(0**.07**)").
_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")


def keep_bold(markdown: str) -> str:
    """`**X%**가` -> `**X%가**`: bold that ends in punctuation right before a letter."""
    code = [m.span() for m in _CODE_SPAN.finditer(markdown)]
    marks = [m.start() for m in re.finditer(r"\*\*", markdown) if not any(a <= m.start() < b for a, b in code)]
    out, last = [], 0
    for start, end in zip(marks[0::2], marks[1::2]):
        inner = markdown[start + 2:end]
        before = re.search(r"\w+$", markdown[last:start]) if _is_punctuation(inner[:1]) else None
        after = re.match(r"\w+", markdown[end + 2:]) if _is_punctuation(inner[-1:]) else None
        head, tail = (before.group() if before else ""), (after.group() if after else "")
        out += [markdown[last:start - len(head)], f"**{head}{inner}{tail}**"]
        last = end + 2 + len(tail)
    out.append(markdown[last:])
    return "".join(out)


def _is_punctuation(char: str) -> bool:
    return bool(char) and not (char.isalnum() or char.isspace() or char in "_*")


_MARKS = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]<>&~$:"})  # inline marks; [ ] cover ![…](…)


def literal(text: str, limit: int = 40) -> str:
    """Somebody's text (a link's parameter, a file name) quoted in a markdown message: shortened
    to `limit` characters, control characters dropped, and every mark markdown, HTML or
    Streamlit (`:red[…]`, `$…$`) would act on written as a character reference."""
    text = "".join(ch for ch in str(text) if ch.isprintable())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.translate(_MARKS)


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return key in catalogue(normalize_language(lang))
