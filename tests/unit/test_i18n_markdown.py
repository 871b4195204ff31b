"""Translated markdown renders its bold: CommonMark does not close `**` after punctuation when
a letter follows, which Korean particles after numbers and brackets do all the time."""

import re

import pytest

from core.i18n import keep_bold, t

markdown_it = pytest.importorskip("markdown_it")


def _html(text: str) -> str:
    return markdown_it.MarkdownIt("commonmark").render(text)


@pytest.mark.parametrize("text", ["**99.90%**가 높습니다", "**와인 (특성 13개, 품종 3개)**는 예제마다",
                                  "정확도는 **0.95.**입니다"])
def test_bold_that_ends_in_punctuation_before_a_letter_renders(text):
    assert "**" in _html(text)  # the problem: CommonMark leaves the asterisks on screen
    fixed = keep_bold(text)
    assert "**" not in _html(fixed) and "<strong>" in _html(fixed)


@pytest.mark.parametrize("text", ["**ok**입니다", "plain **bold** text", "**x**, then", "no bold at all"])
def test_bold_that_already_renders_is_left_alone(text):
    assert keep_bold(text) == text


def test_every_korean_message_with_values_renders_its_bold():
    text = t("structure.build.notice", "ko", data="와인 (특성 13개, 품종 3개)", d=13, w1=5, p1=70, f1="13×5+5",
             hidden="(5,)", out=3, by_hand=88, total=88, match="✓", dim="`hidden_1`")
    assert text.startswith("**와인") and "<strong>" in _html(text)
    assert "**" not in _html(text)


@pytest.mark.parametrize("text", ["*x*", "__init__", "`code`", "[a](javascript:x)", "![i](x.png)", "<script>1</script>",
                                  "a & b", "~~gone~~", "$x^2$", ":red[alert]", "back\\slash", "한국어 **굵게**",
                                  "ｌａｎｇ", "a b"])
def test_literal_text_renders_as_itself(text):
    """Quoted into a message, somebody's text shows as typed: no emphasis, link, tag or code."""
    import html
    import re

    from core.i18n import literal

    rendered = _html(f"Ignored: {literal(text)}").strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered[3:-4]
    assert not re.search(r"<[a-z]", inner), inner  # no element of any kind
    assert html.unescape(inner) == f"Ignored: {text}"
    # Streamlit's own marks (colour directives, math) are not left as raw characters either.
    assert ":" not in literal(text) and "$" not in literal(text)


def test_literal_shortens_and_drops_control_characters():
    from core.i18n import literal

    assert literal("n" * 300, 30) == "n" * 29 + "…"
    assert literal("a\x00b\nc") == "abc"


def test_two_bold_spans_in_one_sentence_both_render():
    """The old pattern matched from the first span's closing `**` to the second's opening one and
    moved a mark into the middle of a number: "about chance (0**.07**)"."""
    for lang in ("en", "ko"):
        text = t("embeddings.notice", lang, vocab="1,024", zeros="99.90", dim=16, diff="1.2e-07", purity0="0.10",
                 chance="0.07", epoch=3, purity="0.45", best="0.50", n_words=60, word="cat", same=2, overfit="")
        html = _html(text)
        assert "**" not in html, html
        assert "<strong>0.07</strong>" in html


class _Sample:
    """A value for any field: `text` where it is shown as given, `number` where the message
    formats it (`{x:.2f}`)."""

    def __init__(self, text: str, number: float):
        self.text, self.number = text, number

    def __format__(self, spec: str) -> str:
        return format(self.number, spec) if spec else self.text

    def __str__(self) -> str:
        return self.text


# Values as pages pass them: decimals, percentages, a tuple, words in both scripts, symbols.
SAMPLES = [("0.07", 0.07), ("12.5%", 0.125), ("(5,)", 5.0), ("고양이", 1.0), ("cat", 2.0), ("1,797", 1797.0),
           ("–", 0.0), ("-3", -3.0)]


def _messages():
    import string

    from core.i18n import LANGUAGES, catalogue

    for lang in LANGUAGES:
        for key, text in catalogue(lang).items():
            if "%{" in text:  # a Plotly hover template: Plotly fills it, not t()
                continue
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            yield lang, key, fields


@pytest.mark.parametrize("sample", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_message_in_both_languages_renders_its_bold(sample):
    """No `**` left on screen, for every message, whatever the values."""
    bad = []
    for lang, key, fields in _messages():
        text = t(key, lang, **{f: _Sample(*sample) for f in fields}) if fields else t(key, lang)
        html = _html(text)
        html = re.sub(r"<code>.*?</code>", "", html, flags=re.S)  # `**kwargs` in code is meant
        if "**" in html:
            bad.append(f"{lang} {key}: {text[:120]}")
    assert not bad, "\n".join(bad)
