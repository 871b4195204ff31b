"""Korean that reads naturally: a particle after a value fits the value's last sound (chosen by
`core.i18n.particle`, never glued blindly), and one term per concept (core/glossary.json)."""

import json
import re

import pytest

from core.i18n import LOCALES_DIR, catalogue, final_consonant, particle, t


@pytest.mark.parametrize("value, form, expected", [
    ("#0", "은", "은"), ("#1118", "는", "은"), ("#286", "은", "은"), ("#2", "은", "는"), ("#9", "이", "가"),
    ("빵", "와", "과"), ("고양이", "과", "와"), ("cat", "와", "과"), ("dog", "와", "와"), ("model", "으로", "로"),
    ("번역해줘", "으로", "로"), ("모델", "으로", "로"), ("학습률", "으로", "로"), ("손실", "로", "로"),
    ("0.07", "로", "로"), ("0.10", "로", "으로"), ("0.5", "으로", "로"), ("12.5%", "이", "가"), ("10", "는", "은"),
    ("100", "로", "으로"), ("1,000", "를", "을"), ("20000", "는", "은"), ("3", "가", "이"), ("(5,)", "은", "는"),
    ("SGD", "은", "는"), ("ReLU", "은", "는"), ("Adam", "는", "은"), ("line", "가", "이"), ("cake", "을", "를"),
    ("gpt-4o-mini", "으로", "로"), ("**0.95**", "이", "가"), ("⏎", "은", "은(는)"), ("", "을", "을(를)"),
    ("빵", "와의", "과의"), ("7", "으로는", "로는"), ("3", "로는", "으로는"), ("값", "이나", "이나"), ("나무", "이나", "나"),
])
def test_particle_fits_the_last_sound(value, form, expected):
    assert particle(value, form) == expected


def test_final_consonant_reads_numbers_as_koreans_say_them():
    # 영 일 이 삼 사 오 육 칠 팔 구 / 십 백 천 만 억 조
    assert [final_consonant(d) for d in "0123456789"] == [21, 8, 0, 16, 0, 0, 1, 8, 8, 0]
    assert [final_consonant(10 ** n) for n in (1, 2, 3, 4, 7, 8, 12)] == [17, 1, 4, 4, 4, 1, 0]
    assert final_consonant("0.30") == 21  # 영 점 삼 영: the last digit on its own


def test_a_particle_format_goes_through_the_helper_in_t():
    assert t("config.error.not_finite", "ko", field="학습률").startswith("학습률은 ")
    assert t("config.error.not_finite", "ko", field="배치 크기").startswith("배치 크기는 ")
    # A number format and a particle together: `{n:,을}` style.
    from core.i18n import _FORMATTER
    assert _FORMATTER.format("{n:,을} 넘습니다", n=12000) == "12,000을 넘습니다"
    assert _FORMATTER.format("{n:.1f로}", n=0.5) == "0.5로"


# The particles whose spelling depends on the sound before them, as the whole run of Hangul
# right after a value (so the counters 개, 가지, 번째, 입니다… are not mistaken for them).
_VARIABLE = re.compile(r"(으로|로|이나|나|이라|라|이랑|랑|은|는|을|를|과|와|이|가)"
                       r"(는|도|서|의|고|면|나|란|라는)?$")
_AFTER_VALUE = re.compile(r"(?<!%)\{([^{}:]+)\}(\*\*)?([가-힣]+)")


def test_no_korean_particle_follows_a_value_blindly():
    bad = []
    for key, text in catalogue("ko").items():
        for match in _AFTER_VALUE.finditer(text):
            run = match.group(3)
            if _VARIABLE.match(run) and not run.startswith(("이고", "이며", "이지", "이었", "이라서", "이므로")):
                bad.append(f"{key}: …{text[max(0, match.start() - 12):match.end() + 4]}…")
    assert not bad, "write {x:은} (or rewrite) so the particle fits the value:\n" + "\n".join(bad)


def test_the_scan_catches_a_glued_particle():
    assert _VARIABLE.match("는") and _VARIABLE.match("와의") and _VARIABLE.match("으로")
    assert not _VARIABLE.match("가지") and not _VARIABLE.match("개") and not _VARIABLE.match("번째")


# Beside the catalogues, not among them: it is a rule about the messages, not a set of messages.
GLOSSARY = json.loads((LOCALES_DIR.parent / "glossary.json").read_text(encoding="utf-8"))["terms"]


def _prose(key: str, text: str) -> str:
    """Korean prose of a message: code spans and placeholders out; a quote of the lecture
    (the `claim` messages) keeps the lecture's own words."""
    return "" if ".claim" in key else re.sub(r"`[^`]*`|\{[^{}]*\}", "", text)


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_one_korean_term_per_concept(concept):
    entry = GLOSSARY[concept]
    ko = catalogue("ko")
    found = [f"{key}: {m.group()}" for key, text in ko.items() for pattern in entry["forbidden_ko"]
             for m in re.finditer(pattern, _prose(key, text))]
    assert not found, f"use {entry['ko']!r}: {found}"
    assert any(entry["ko"] in text for text in ko.values()), f"{entry['ko']!r} is in no message: drop it"
