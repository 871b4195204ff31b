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
             hidden="(5,)", out=3, by_hand=88, total=88, match="✓")
    assert text.startswith("**와인") and "<strong>" in _html(text)
    assert "**" not in _html(text)
