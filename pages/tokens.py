"""Tokenization: characters, whitespace words, BPE (trained live) and UTF-8 bytes, side by side."""

import inspect

import streamlit as st

from core.charts import text as charts
from core.i18n import literal
from core.text import analysis, corpus, render, tokenizing
from core.text.tokenizing import SCHEMES
from ui import frame, navigation
from ui.frame import tr

NS = "tokens"


@st.cache_resource(show_spinner=False, max_entries=64)
def schemes(corpus_choice: str, vocab_size: int, byte_fallback: bool):
    return analysis.train_schemes(analysis.CORPUS_CHOICES[corpus_choice], vocab_size, byte_fallback)


@st.cache_data(show_spinner=False, max_entries=32)
def held_out(corpus_choice: str, vocab_size: int, byte_fallback: bool):
    return analysis.held_out(schemes(corpus_choice, vocab_size, byte_fallback))


def use_example():
    st.session_state["tok_text"] = corpus.EXAMPLES[st.session_state["tok_example"]]


frame.header(NS)
default_example = "ko" if frame.lang() == "ko" else "en"
st.session_state.setdefault("tok_example", default_example)
st.session_state.setdefault("tok_text", corpus.EXAMPLES[st.session_state["tok_example"]])
st.session_state.setdefault("tok_unseen", tr("tokens.unseen_default"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.selectbox(tr("tokens.example"), list(corpus.EXAMPLES), key="tok_example", on_change=use_example,
                 format_func={k: tr(f"tokens.examples.{k}") for k in corpus.EXAMPLES}.get)
    text = st.text_area(tr("tokens.text"), key="tok_text", max_chars=2000, height=100)
with right:
    corpus_choice = st.radio(tr("tokens.corpus"), list(analysis.CORPUS_CHOICES), key="tok_corpus",
                             horizontal=True,
                             format_func={k: tr(f"tokens.corpora.{k}") for k in analysis.CORPUS_CHOICES}.get)
    vocab = st.slider(tr("tokens.vocab"), 100, 3000, 1000, 50, key="tok_vocab", help=tr("tokens.vocab_help"))
    # On by default: a learner's own sentence has syllables the small corpus never saw.
    fallback = st.toggle(tr("tokens.fallback"), value=True, key="tok_fallback", help=tr("tokens.fallback_help"))
    show_ids = st.toggle(tr("tokens.show_ids"), value=True, key="tok_show_ids")

tokenizers = schemes(corpus_choice, vocab, fallback)
alphabet = analysis.alphabet_size(analysis.CORPUS_CHOICES[corpus_choice])
hangul = sum(map(analysis.is_hangul_syllable, analysis.alphabet(analysis.CORPUS_CHOICES[corpus_choice])))
bpe_vocab = tokenizers["bpe"].vocab_size
if vocab < alphabet + 1:
    st.info(tr("tokens.below_alphabet", vocab=vocab, alphabet=alphabet, actual=bpe_vocab))

if not text.strip():
    st.warning(tr("tokens.empty"))
    st.stop()

encodings = {scheme: tok.encode(text) for scheme, tok in tokenizers.items()}
frame.section(tr("tokens.schemes_title"))
for scheme in SCHEMES:
    enc, tok = encodings[scheme], tokenizers[scheme]
    unknown = tr("tokens.n_unknown", n=enc.n_unknown) if enc.n_unknown else ""
    st.markdown(f"**{tr(f'tokens.scheme.{scheme}')}** · "
                f"{tr('tokens.count', n=len(enc), vocab=f'{tok.vocab_size:,}')} {unknown}")
    st.html(render.token_chips(enc, show_ids=show_ids))
    st.caption(tr(f"tokens.scheme_help.{scheme}"))

unseen = sorted({t for t, u in zip(encodings["characters"].tokens, encodings["characters"].unknown) if u})
if unseen:  # why <unk> appears: characters the training text never had
    st.info(tr("tokens.unknown_why", chars=" ".join(literal(c, 4) for c in unseen[:12]), n=len(unseen)))
labels = [tr(f"tokens.scheme.{s}") for s in SCHEMES]
col_a, col_b = st.columns(2, gap="large")
with col_a:
    frame.plot(charts.token_counts(labels, [len(encodings[s]) for s in SCHEMES],
                                   [encodings[s].n_unknown for s in SCHEMES], tr("tokens.axis_tokens"),
                                   tr("tokens.unknown")), key="tok_counts_chart")
with col_b:
    sizes = sorted(set(analysis.sweep_sizes(max(100, alphabet - 50), 3000) + [vocab]))
    sweep = [len(schemes(corpus_choice, size, fallback)["bpe"].encode(text)) for size in sizes]
    frame.plot(charts.vocab_sweep(sizes, {tr("tokens.scheme.bpe"): sweep},
                                  {tr("tokens.scheme.characters"): len(encodings["characters"]),
                                   tr("tokens.scheme.words"): len(encodings["words"])},
                                  vocab, tr("tokens.vocab"), tr("tokens.axis_tokens")), key="tok_sweep_chart")

# Why Korean is different: measured on held-out sentences of each language.
frame.section(tr("tokens.korean_title"))
st.markdown(tr("tokens.korean_intro"))
full = held_out("both", vocab, fallback)
langs = {tr("tokens.lang.ko"): "ko", tr("tokens.lang.en"): "en"}
# Stacked in presentation mode: in half a page the large bar labels of neighbouring bars overlap.
col_c, col_d = st.columns(2, gap="large") if not frame.presenting() else (st.container(), st.container())
with col_c:
    frame.plot(charts.language_bars(labels, {name: [full[s][code].tokens_per_line for s in SCHEMES]
                                             for name, code in langs.items()}, tr("tokens.axis_per_sentence")),
               key="tok_lang_chart")
with col_d:
    frame.plot(charts.language_bars(labels, {name: [100 * full[s][code].unknown_share for s in SCHEMES]
                                             for name, code in langs.items()}, tr("tokens.axis_unknown"),
                                    "{:.1f}%"), key="tok_unknown_chart")
both = schemes("both", vocab, fallback)
pair = analysis.parallel_counts(both, corpus.PARALLEL)
frame.table({tr("tokens.col_sentence"): [corpus.PARALLEL["ko"], corpus.PARALLEL["en"]],
              **{tr(f"tokens.scheme.{s}"): [pair.counts[s]["ko"], pair.counts[s]["en"]] for s in SCHEMES}},
            name="tokens_parallel")
forms = tokenizing.word_forms(corpus.lines(("ko",)), "모델")
st.markdown(tr("tokens.forms", n=len(forms), forms=", ".join(f"`{w}` ×{c}" for w, c in forms), vocab=f"{bpe_vocab:,}",
               bpe="  ".join(f"`{' '.join(tokenizers['bpe'].encode(w).tokens)}`" for w, _ in forms)))

# What happens to a word the tokenizers never saw.
frame.section(tr("tokens.unseen_title"))
unseen = st.text_input(tr("tokens.unseen_word"), key="tok_unseen", max_chars=60)
if unseen.strip():
    for scheme in SCHEMES:
        enc, tok = tokenizers[scheme].encode(unseen.strip()), tokenizers[scheme]
        unknown = tr("tokens.n_unknown", n=enc.n_unknown) if enc.n_unknown else ""
        st.markdown(f"**{tr(f'tokens.scheme.{scheme}')}** · "
                    f"{tr('tokens.count', n=len(enc), vocab=f'{tok.vocab_size:,}')} {unknown}")
        st.html(render.token_chips(enc, show_ids=show_ids))

n_chars, n_bpe = len(encodings["characters"]), max(1, len(encodings["bpe"]))
ko, en = {s: full[s]["ko"] for s in SCHEMES}, {s: full[s]["en"] for s in SCHEMES}
frame.notice(NS, chars=n_chars, words=len(encodings["words"]), bpe=len(encodings["bpe"]),
             bytes=len(encodings["bytes"]), vocab=f"{bpe_vocab:,}", ratio=f"{n_chars / n_bpe:.1f}",
             ko_cpt=f"{ko['bpe'].chars_per_token:.2f}", en_cpt=f"{en['bpe'].chars_per_token:.2f}",
             ko_bytes=f"{ko['bytes'].tokens / max(1, ko['characters'].tokens):.2f}", alphabet=alphabet,
             hangul=hangul, en_alphabet=analysis.alphabet_size(("en",)),
             ko_words_unk=f"{100 * ko['words'].unknown_share:.0f}",
             en_words_unk=f"{100 * en['words'].unknown_share:.0f}")
words_all, bpe_all, chars_all = (analysis.pooled(full, s) for s in ("words", "bpe", "characters"))
frame.claim_vs_measurement(tr("tokens.claim"), tr(
    "tokens.measured", word_unk=f"{100 * words_all.unknown_share:.1f}", bpe_unk=f"{100 * bpe_all.unknown_share:.1f}",
    shorter=f"{chars_all.tokens / max(1, bpe_all.tokens):.1f}"))
frame.code(inspect.getsource(tokenizing.train_bpe) + "\n\n" + inspect.getsource(tokenizing.BpeTokenizer.encode))
navigation.link_to_next(NS)
