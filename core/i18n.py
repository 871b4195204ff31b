"""Messages in English and Korean.

Catalogues live in `core/locales/<lang>/<namespace>.json` (one file per page or concern, so
that work on one page never edits another page's strings). A key is `namespace.path.to.msg`.
Both languages must have identical key sets: `tests/unit/test_boundaries.py` enforces it.
"""

from __future__ import annotations

import json
import re
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
    itself, so a typo is visible on screen instead of crashing a lesson."""
    text = catalogue(normalize_language(lang)).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    if kwargs:
        try:
            text = text.format(**kwargs)
        except (KeyError, IndexError, ValueError):
            return text
    return keep_bold(text)


# `**99.9%**가`: CommonMark does not close bold after punctuation when a letter follows (the
# delimiter is not "right-flanking"), so the asterisks showed on screen. Korean particles
# follow numbers and brackets all the time; taking the particle into the bold fixes it.
_BOLD_BEFORE_LETTER = re.compile(r"\*\*([^*\n]*?[^\w\s*])\*\*(\w+)")


def keep_bold(markdown: str) -> str:
    """`**X%**가` -> `**X%가**`: bold that ends in punctuation right before a letter."""
    return _BOLD_BEFORE_LETTER.sub(r"**\1\2**", markdown)


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
