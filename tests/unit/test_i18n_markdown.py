"""Translated markdown renders its bold: CommonMark does not close `**` after punctuation when
a letter follows, which Korean particles after numbers and brackets do all the time."""

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
