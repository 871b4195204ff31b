"""Embeddings: the Embedding layer as a lookup table, and a table that takes shape while the
next-token model trains."""

import dataclasses
import inspect

import numpy as np
import streamlit as st

from core.charts import text as charts
from core.text import corpus, embedding, lm
from core.text.tokenizing import display_token
from ui import frame, lm_views, navigation, shared
from ui.frame import tr

NS = "embeddings"


def trained_model(config: lm.LMConfig) -> lm.TrainedLM:
    """The next-token model whose Embedding layer this page opens, shared with the next-token
    and prompting pages (the same key)."""
    return shared.once(("lm", config), tr("embeddings.training", epoch=0, epochs=config.epochs, loss="–"),
                       shared.lm_training(config, "embeddings.training"), persist=shared.LM_PERSIST)


frame.header(NS)
dim = st.select_slider(tr("embeddings.dim"), [2, 4, 8, 16, 32], value=16, key="emb_dim", help=tr("embeddings.dim_help"))
config = dataclasses.replace(lm.DEFAULTS["bpe"], embed_dim=dim)
model = trained_model(config)
shared.recompute_button(NS, shared.LM_PERSIST, [("lm", config)])
tok, table = model.tokenizer, model.embeddings
vocab = tok.vocab_size

# 1. The lookup table.
frame.section(tr("embeddings.lookup_title"))
text = st.text_input(tr("embeddings.text"), value=tr("embeddings.text_default"), key="emb_text", max_chars=200)
ids = tok.encode(text).ids[:16]
if not ids:
    st.warning(tr("embeddings.empty"))
    st.stop()
labels = [display_token(tok.id_to_token(i)) for i in ids]
demo = lm_views.lookup(lm_views.Model(model), tuple(ids))  # Keras' two layers (shipped for the defaults)
per_row = 2 if frame.presenting() else 4  # metric labels need room on a projector
cols = [cell for _ in range(4 // per_row) for cell in st.columns(per_row)]
cols[0].metric(tr("embeddings.m_tokens"), len(ids))
cols[1].metric(tr("embeddings.m_one_hot"), f"{demo.one_hot_width:,}")
cols[2].metric(tr("embeddings.m_dense"), dim)
cols[3].metric(tr("embeddings.m_zeros"), f"{100 * demo.sparsity:.2f}%")
left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(tr("embeddings.one_hot_caption", vocab=f"{vocab:,}"))
    frame.plot(charts.one_hot_rows(ids, labels, vocab, tr("embeddings.axis_vocab"), tr("embeddings.zeros"),
                                   tr("embeddings.one")), key="emb_one_hot")
with right:
    st.markdown(tr("embeddings.rows_caption", dim=dim))
    frame.plot(charts.matrix_heatmap(demo.rows, labels, tr("embeddings.axis_dim"), "RdBu", zmid=0.0), key="emb_rows")
st.markdown(tr("embeddings.same_rows", diff=f"{demo.max_difference:.1e}", params=f"{vocab * dim:,}"))

# 2. Watching the table take shape.
frame.section(tr("embeddings.train_title"))
epochs = [r.epoch for r in model.history]
epoch = st.select_slider(tr("embeddings.epoch"), epochs, value=epochs[-1], key="emb_epoch")
snapshot = model.history[epochs.index(epoch)]
groups = {lang: embedding.group_token_ids(tok, corpus.WORD_GROUPS[lang]) for lang in corpus.LANGS}
per_lang = {f"{lang}.{name}": members for lang in corpus.LANGS for name, members in groups[lang].items()}
group_of = {i: key.split(".")[1] for key, members in per_lang.items() for _, i in members}
words = {i: word for members in per_lang.values() for word, i in members}
group_names = {name: tr(f"embeddings.groups.{name}") for name in corpus.WORD_GROUPS["en"]}
candidates = sorted(words)
queries = sorted(words, key=lambda i: (group_of[i], words[i]))
default_word = "고양이" if frame.lang() == "ko" else "cat"
default_query = next((i for i in queries if words[i] == default_word), queries[0])
query = st.selectbox(tr("embeddings.query"), queries, index=queries.index(default_query), key="emb_query",
                     format_func=lambda i: f"{words[i]} ({group_names[group_of[i]]})")

# The 2-D view: the two directions along which the group words' final rows vary most.
mean, basis, variance = embedding.pca_basis(table[candidates])
final_xy = embedding.project(table, mean, basis)
# Frame the group words (other tokens may fall outside: they are only the background).
span = [(float(final_xy[candidates, a].min()), float(final_xy[candidates, a].max())) for a in (0, 1)]
ranges = tuple((lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo)) for lo, hi in span)
xy = embedding.project(snapshot.embeddings, mean, basis)
point_labels = [words.get(i, display_token(tok.id_to_token(i))) for i in range(vocab)]
scores = [embedding.group_purity(r.embeddings, per_lang) for r in model.history]
lang_of = {i: key.split(".")[0] for key, members in per_lang.items() for _, i in members}
frame.plot(charts.embedding_map(xy, point_labels, group_of, group_names, query, ranges,
                                (tr("embeddings.pc", n=1, share=f"{100 * variance[0]:.0f}"),
                                 tr("embeddings.pc", n=2, share=f"{100 * variance[1]:.0f}")),
                                tr("embeddings.other_tokens"), {i for i in words if lang_of[i] == lang_of[query]}),
           key="emb_map")
st.caption(tr("embeddings.map_caption") + " " + frame.hover_hint("embeddings.map_hover"))
# Stacked and taller in presentation mode: in half a page and 260 px the large type left the
# curves no room and cut the y-axis titles.
left, right = st.columns(2, gap="large") if not frame.presenting() else (st.container(), st.container())
tall = 420 if frame.presenting() else None  # frame.plot's height (None: the figure's own)
with left:
    frame.plot(charts.curves(epochs, {tr("embeddings.purity"): [s.purity for s in scores]}, tr("embeddings.axis_epoch"),
                             tr("embeddings.purity"), {tr("embeddings.chance"): scores[0].chance}, marker_x=epoch,
                             height=280), key="emb_purity", height=tall)
with right:
    frame.plot(charts.curves(epochs, {tr("embeddings.train_loss"): [r.train_loss for r in model.history],
                                      tr("embeddings.val_loss"): [r.val_loss for r in model.history]},
                             tr("embeddings.axis_epoch"), tr("embeddings.loss"), marker_x=epoch, height=260),
               key="emb_loss", height=tall)

neighbour_table = {}
for name, record in ((tr("embeddings.at_epoch", epoch=0), model.history[0]),
                     (tr("embeddings.at_epoch", epoch=epoch), snapshot)):
    near = embedding.nearest(record.embeddings, query, candidates, k=6)
    neighbour_table[name] = [f"{words[i]} ({group_names[group_of[i]]}) · {s:.2f}" for i, s in near]
st.markdown(tr("embeddings.neighbours", word=words[query]))
frame.table(neighbour_table, name="embeddings_neighbours")

pairs = embedding.translation_pairs(tok, corpus.WORD_GROUPS)
ranks = [embedding.rank_of(snapshot.embeddings, a, b, candidates) for _, a, _, b in pairs]
nearest3 = embedding.nearest(snapshot.embeddings, query, candidates, 3)
same_group = sum(group_of[i] == group_of[query] for i, _ in nearest3)
val = [r.val_loss for r in model.history]
best_epoch = int(np.argmin(val))
overfit = (tr("embeddings.overfit_yes", best=best_epoch, low=f"{val[best_epoch]:.2f}", last=f"{val[-1]:.2f}")
           if val[-1] > val[best_epoch] + 0.02 else tr("embeddings.overfit_no", last=f"{val[-1]:.2f}"))
frame.notice(NS, vocab=f"{vocab:,}", dim=dim, zeros=f"{100 * demo.sparsity:.2f}", diff=f"{demo.max_difference:.1e}",
             epoch=epoch, purity0=f"{scores[0].purity:.2f}", purity=f"{scores[epochs.index(epoch)].purity:.2f}",
             best=f"{max(s.purity for s in scores):.2f}", chance=f"{scores[0].chance:.2f}", word=words[query],
             same=same_group, n_words=scores[0].n_words, overfit=overfit)
frame.claim_vs_measurement(tr("embeddings.claim"), tr(
    "embeddings.measured", purity=f"{scores[-1].purity:.2f}", chance=f"{scores[0].chance:.2f}", pairs=len(pairs),
    rank=f"{np.median(ranks):.0f}" if ranks else "–", n=len(candidates) - 1))
frame.code(inspect.getsource(lm.build_model) + "\n\n" + inspect.getsource(embedding.lookup_vs_one_hot))
navigation.link_to_next(NS)
