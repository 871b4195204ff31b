"""Tokenization page: renders in both languages; every control, set by key, changes what is shown."""

from core.text import corpus
from core.text.tokenizing import BpeTokenizer
from tests.app.conftest import assert_clean, run_page, charts, tables

PAGE = "pages/tokens.py"


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_defaults_in_both_languages(lang):
    at = run_page(PAGE, lang)
    assert_clean(at)
    assert at.text_area(key="tok_text").value == corpus.EXAMPLES["ko" if lang == "ko" else "en"]
    assert len(at.get("html")) >= 8, "four schemes for the text and four for the unseen word"
    assert len(charts(at)) == 4
    assert tables(at), "the Korean/English comparison table"
    assert "**" in at.markdown[-3].value or at.expander, "notice, claim and code are present"


def test_every_control(lang):
    at = run_page(PAGE, lang)
    at.selectbox(key="tok_example").set_value("unseen").run()
    assert_clean(at)
    assert at.text_area(key="tok_text").value == corpus.EXAMPLES["unseen"], "choosing an example fills the text"
    at.radio(key="tok_corpus").set_value("both")
    at.slider(key="tok_vocab").set_value(1500)
    at.toggle(key="tok_fallback").set_value(True)
    at.toggle(key="tok_show_ids").set_value(False)
    at.text_input(key="tok_unseen").set_value("케라스렌즈")
    at.run()
    assert_clean(at)
    text = markdown(at)
    # With byte fallback, BPE writes the emoji as bytes: no <unk>, and the count is the real one.
    fallback_bpe = BpeTokenizer.train(corpus.lines(split="train"), 1500, byte_fallback=True)
    expected = len(fallback_bpe.encode(corpus.EXAMPLES["unseen"]))
    bpe_line = next(line for line in text.splitlines() if line.startswith(("**BPE", "**BPE 서브워드")))
    assert str(expected) in bpe_line and "unknown" not in bpe_line and "미등록" not in bpe_line

    at.radio(key="tok_corpus").set_value("en").run()
    assert_clean(at)
    at.text_area(key="tok_text").set_value("고양이가 잔다").run()
    assert_clean(at)
    at.toggle(key="tok_fallback").set_value(False).run()
    assert "unknown" in markdown(at) or "미등록" in markdown(at), "an English-only vocabulary cannot write Hangul"


def test_small_vocabulary_and_empty_text(lang):
    at = run_page(PAGE, lang)
    at.slider(key="tok_vocab").set_value(100).run()
    assert_clean(at)
    assert at.info, "a vocabulary below the alphabet is explained"
    at.text_area(key="tok_text").set_value("   ").run()
    assert_clean(at)
    assert at.warning


def test_a_learners_own_korean_sentence_has_no_unknowns_by_default(lang):
    """Byte fallback is on by default, and decomposed Hangul (NFD jamo) is composed first; with
    fallback off, the page says which characters the corpus never had."""
    import unicodedata

    at = run_page(PAGE, lang)
    assert at.toggle(key="tok_fallback").value is True
    at.text_area(key="tok_text").set_value(unicodedata.normalize("NFD", "한국어 토큰을 셉니다 👩‍🏫")).run()
    assert_clean(at)
    bpe_line = next(line for line in markdown(at).splitlines() if line.startswith("**BPE"))
    assert "unknown" not in bpe_line and "미등록" not in bpe_line
    assert any("👩" in i.value for i in at.info), "the emoji the corpus never had is named"
