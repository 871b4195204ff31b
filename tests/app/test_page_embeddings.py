"""Embeddings page: lookup table, one-hot comparison, the table during training; every control by key."""

from core.text import lm
from tests.app.conftest import assert_clean, run_page, charts

PAGE = "pages/embeddings.py"


def test_defaults_in_both_languages(lang):
    at = run_page(PAGE, lang)
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert "1,000" in metrics.values(), "the one-hot width is the vocabulary size"
    assert "16" in metrics.values()
    assert len(charts(at)) == 5
    epochs = at.select_slider(key="emb_epoch")
    assert epochs.value == 10
    assert at.selectbox(key="emb_query").value is not None


def test_every_control(lang):
    at = run_page(PAGE, lang)
    at.select_slider(key="emb_epoch").set_value(0)
    dog = lm.build_tokenizer(lm.DEFAULTS["bpe"]).token_to_id("\u2581dog")
    at.selectbox(key="emb_query").set_value(dog)
    at.text_input(key="emb_text").set_value("dog 강아지").run()
    assert_clean(at)
    notice = "\n".join(m.value for m in at.markdown)
    assert "epoch 0" in notice or "에포크 0" in notice
    assert at.selectbox(key="emb_query").value == dog
    assert "**dog**" in notice
    assert at.metric[0].value == "2", "'dog 강아지' is two BPE tokens, ▁dog and ▁강아지"

    at.select_slider(key="emb_dim").set_value(4).run()  # a new width trains a new model
    assert_clean(at)
    assert "4" in [m.value for m in at.metric]
    assert str(at.select_slider(key="emb_epoch").value) in at.select_slider(key="emb_epoch").options

    at.text_input(key="emb_text").set_value("").run()
    assert_clean(at)
    assert at.warning
