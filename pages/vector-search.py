"""Vector search: a trained network's last hidden layer as the embedding, searched in ChromaDB."""

import importlib.metadata
import importlib.util
import inspect

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.text import vector_search as vs
from core.charts import color
from core.charts import vector_search as charts
from core.optimizers import OPTIMIZERS
from ui import frame, navigation, shared
from ui.frame import tr

NS = "vector_search"
frame.header(NS)
if importlib.util.find_spec("chromadb") is None:
    st.error(tr(f"{NS}.no_chroma"))
    st.stop()


@st.cache_resource(show_spinner=False)
def _client_soon():
    """The in-process ChromaDB client (a Future): made in a background thread, as importing
    ChromaDB takes 0.5-1 s, while the trained network is read from its file."""
    return vs.background().submit(vs.make_client)


PERSIST = shared.Persist("vector-search", (vs,), NS)


def search_index(config=vs.DIGITS_CONFIG) -> vs.SearchIndex:
    """The trained network (once per server, with a progress bar that names the epoch; the
    default is read from a shipped file of its weights) and its ChromaDB collections (once per
    server too, built from the activations on first use)."""
    client = _client_soon()
    training = shared.template(f"{NS}.training")
    run = shared.once((NS, "run", config), tr("shared.starting"), lambda progress: vs.train_embedder(
        config, lambda record: progress(record.epoch / config.epochs, training.format(
            epoch=record.epoch, total=config.epochs, acc=record.val_metric))), persist=PERSIST)
    return shared.once((NS, "index", config, shared.live(NS)), tr("shared.starting"),
                       lambda progress: vs.SearchIndex(client.result(), run), slot=False, tensorflow=False)


def _clamp_query(last: int) -> None:
    """A number typed outside 0..last is brought into range and named in a warning. The input has
    no min/max of its own: with them the browser kept showing 1797 or -3 while the page silently
    went on with the previous image."""
    raw = st.session_state.get("vs_query")
    if raw is None or not 0 <= raw <= last:
        st.session_state["vs_query"] = min(max(int(raw or 0), 0), last)
        st.session_state["vs_query_clamped"] = "–" if raw is None else int(raw)


def _random_query(held_out: np.ndarray) -> None:
    st.session_state["vs_query"] = int(np.random.default_rng().choice(held_out))


index = search_index()
run, digits = index.run, index.run.digits
config, queries = run.config, digits.val_idx
query_labels = digits.labels[queries]
n = len(queries)
arch = " → ".join(str(w) for w in (config.input_dim, *config.hidden, config.n_outputs))
st.caption(tr(f"{NS}.trained_caption", arch=arch, activation=config.activation,
              optimizer=OPTIMIZERS[config.optimizer].label,
              lr=config.learning_rate, batch=config.batch_size,
              epochs=config.epochs, seconds=run.seconds, n_train=len(digits.train_idx), n_val=n,
              chroma=importlib.metadata.version("chromadb")))
shared.recompute_button(NS, PERSIST, [(NS, "run", config)])

# ---- controls -------------------------------------------------------------------------------
left, middle, right = st.columns(3)
epoch = left.select_slider(tr(f"{NS}.epoch"), options=run.epochs, value=run.epochs[-1], key="vs_epoch",
                           help=tr(f"{NS}.epoch_help", every=vs.SNAPSHOT_EVERY))
layer = middle.radio(tr(f"{NS}.layer"), list(vs.LAYERS), key="vs_layer",
                     format_func={name: tr(f"{NS}.layers.{name}", dim=config.hidden[i])
                                  for name, i in vs.LAYERS.items()}.get)
k = right.slider(tr(f"{NS}.k"), 1, 20, 10, key="vs_k")
name = tr(f"{NS}.layer_short.{layer}")
if "vs_query" not in st.session_state:
    st.session_state["vs_query"] = vs.most_telling_query(index, "hidden_2", run.epochs[-1], 10)
pick, shuffle, info = st.columns([3, 3, 5], vertical_alignment="bottom")
last = len(digits.labels) - 1
query = int(pick.number_input(tr(f"{NS}.query"), step=1, key="vs_query", on_change=_clamp_query, args=(last,),
                              help=tr(f"{NS}.query_help", n_images=len(digits.labels), last=last)))
if "vs_query_clamped" in st.session_state:
    st.warning(tr(f"{NS}.query_clamped", value=st.session_state.pop("vs_query_clamped"), last=last, shown=query))
shuffle.button(tr(f"{NS}.random"), key="vs_random", on_click=_random_query, args=(queries,),
               icon=":material/casino:", help=tr(f"{NS}.random_help", n=n))
label = int(digits.labels[query])
where = tr(f"{NS}.where_held_out" if digits.held_out[query] else f"{NS}.where_trained")
info.markdown(tr(f"{NS}.query_info", idx=query, label=label, where=where))

# The precision per epoch (27 exact searches) first, while no other thread wants Python's lock
# (computed beside ChromaDB's work, every NumPy call waited for the lock back: 1.2 s, not 0.3 s).
per_epoch = {space: index.precision_by_epoch(space, k) for space in vs.SPACES}
# ChromaDB's searches run in a background thread (its Rust core leaves Python free) while the
# exact NumPy answers and the 2-D maps are computed here.
searches = [(layer, epoch, [query], k), (vs.PIXELS, epoch, [query], k),  # the query shown
            (layer, epoch, queries, vs.MAX_K), (vs.PIXELS, epoch, queries, vs.MAX_K),  # every held-out
            (layer, 0, queries, vs.MAX_K)]  # query, 30 deep, and the untrained network's layer
index.prefetch(searches)
exact_emb, exact_pix = index.exact(layer, epoch, queries, k), index.exact(vs.PIXELS, epoch, queries, k)
exact_one = index.exact(layer, epoch, [query], k)
vectors = run.vectors(layer, epoch)
maps = [vs.pca_2d(space_vectors) for space_vectors in (digits.pixels, vectors)]

# ---- 1. one query, two searches -------------------------------------------------------------
frame.section(tr(f"{NS}.search_title"))
# A layer or epoch asked for the first time builds its ChromaDB collections (a few tenths of a
# second each, longer on a busy server): the spinner shows after half a second.
with st.spinner(tr(f"{NS}.searching", layer=name, epoch=epoch), show_time=True):
    by_embedding, by_pixels, chroma_emb, chroma_pix, chroma_untrained = (index.search(*a) for a in searches)
rows = [dict(name=tr(f"{NS}.row_embedding", layer=name, epoch=epoch), found=by_embedding),
        dict(name=tr(f"{NS}.row_pixels"), found=by_pixels)]
for row in rows:
    found = row.pop("found")
    row.update(ids=found.ids[0], labels=found.labels[0], distances=found.distances[0],
               images=digits.images[found.ids[0]], query_label=label)
frame.plot(charts.neighbour_grid(digits.images[query], tr(f"{NS}.query_title", idx=query, label=label),
                                 rows), key="vs_grid")
st.caption(tr(f"{NS}.grid_caption") + " " + frame.hover_hint(f"{NS}.grid_hover"))
hits_emb, hits_pix = (int(np.sum(r["labels"] == label)) for r in rows)
m1, m2 = st.columns(2)
m1.metric(tr(f"{NS}.metric_embedding", layer=name), f"{hits_emb}/{k}")
m2.metric(tr(f"{NS}.metric_pixels"), f"{hits_pix}/{k}")

# ---- 2. ChromaDB against exact NumPy --------------------------------------------------------
frame.section(tr(f"{NS}.exact_title"))
agree_emb = vs.compare(chroma_emb.top(k), exact_emb)
agree_pix = vs.compare(chroma_pix.top(k), exact_pix)
st.markdown(tr(f"{NS}.exact_text", n=n, k=k, layer=name, n_images=len(digits.labels),
               emb_set=agree_emb.same_set, emb_order=agree_emb.same_order,
               pix_set=agree_pix.same_set, pix_order=agree_pix.same_order,
               gap=max(agree_emb.max_distance_gap, agree_pix.max_distance_gap)))
st.caption(tr(f"{NS}.table_caption", idx=query, layer=name))
distance_columns = [tr(f"{NS}.col_chroma_distance"), tr(f"{NS}.col_numpy_distance")]
table = pd.DataFrame({
    tr(f"{NS}.col_rank"): np.arange(1, k + 1),
    tr(f"{NS}.col_chroma_id"): by_embedding.ids[0], distance_columns[0]: by_embedding.distances[0],
    tr(f"{NS}.col_numpy_id"): exact_one.ids[0], distance_columns[1]: exact_one.distances[0],
    tr(f"{NS}.col_label"): by_embedding.labels[0],
})
frame.table(table, name="vector_search_results", precision={c: 6 for c in distance_columns})

# ---- 3. the space in 2-D --------------------------------------------------------------------
frame.section(tr(f"{NS}.map_title"))
panels = []
for title, (coords, variance), near in (
        (tr(f"{NS}.map_pixels", dim=digits.pixels.shape[1]), maps[0], by_pixels),
        (tr(f"{NS}.map_embedding", layer=name, epoch=epoch, dim=vectors.shape[1]), maps[1], by_embedding)):
    panels.append(dict(title=title, coords=coords, variance=variance, neighbours=near.ids[0],
                       query_name=tr(f"{NS}.query_name"), neighbour_name=tr(f"{NS}.neighbour_name")))
frame.plot(charts.embedding_maps(panels, digits.labels, query, tr(f"{NS}.class_label")), key="vs_maps")
st.caption(tr(f"{NS}.map_caption", n=len(digits.labels), dim=vectors.shape[1], k=k,
              dim_pixels=digits.pixels.shape[1]))

# ---- 4. precision@k, measured ---------------------------------------------------------------
frame.section(tr(f"{NS}.precision_title", n=n))
curve_emb = vs.precision_curve(chroma_emb, query_labels)
curve_pix = vs.precision_curve(chroma_pix, query_labels)
curve_untrained = vs.precision_curve(chroma_untrained, query_labels)
ks = np.arange(1, vs.MAX_K + 1)
by_k, by_epoch = st.columns(2)
with by_k:
    frame.plot(charts.precision_by_k(ks, [
        dict(name=tr(f"{NS}.curve_embedding", layer=name, epoch=epoch), values=curve_emb, color=color(0)),
        dict(name=tr(f"{NS}.curve_pixels"), values=curve_pix, color=color(1)),
        dict(name=tr(f"{NS}.curve_untrained", layer=name), values=curve_untrained, color=color(0),
             dash="dot"),
    ], k, tr(f"{NS}.pk_x"), tr(f"{NS}.pk_y")), key="vs_precision_k")
with by_epoch:
    frame.plot(charts.precision_by_epoch(run.epochs, [
        *(dict(name=tr(f"{NS}.curve_layer", layer=tr(f"{NS}.layer_short.{s}")), values=per_epoch[s],
               color=color(0 if s == "hidden_2" else 2)) for s in vs.LAYERS),
        dict(name=tr(f"{NS}.curve_pixels"), values=per_epoch[vs.PIXELS], color=color(1)),
        dict(name=tr(f"{NS}.curve_accuracy"), values=[run.val_accuracy[e] for e in run.epochs],
             color=color(7), dash="dash"),
    ], epoch, tr(f"{NS}.pe_x"), tr(f"{NS}.pe_y", k=k),  # y from just below the lowest precision
        y_min=np.floor(20 * min(map(min, per_epoch.values()))) / 20 - 0.05), key="vs_precision_epoch")
st.caption(tr(f"{NS}.precision_caption", max_k=vs.MAX_K, k=k, every=vs.SNAPSHOT_EVERY))

# ---- the lesson, with the numbers measured above --------------------------------------------
pct = "{:.1%}".format
numbers = dict(n=n, k=k, layer=name, epoch=epoch, max_k=vs.MAX_K, idx=query,
               p_emb=pct(curve_emb[k - 1]), p_pix=pct(curve_pix[k - 1]),
               p1_emb=pct(curve_emb[0]), p1_pix=pct(curve_pix[0]),
               pmax_emb=pct(curve_emb[-1]), pmax_pix=pct(curve_pix[-1]),
               p_untrained=pct(curve_untrained[k - 1]),
               epoch5=run.epochs[1], p_epoch5=pct(per_epoch[layer][1]),  # the first saved epoch
               zeros=pct(np.mean(run.vectors(layer, 0) == 0)))
story = vs.curve_story(curve_emb, curve_pix)
frame.notice(NS, hits_emb=hits_emb, hits_pix=hits_pix, emb_set=agree_emb.same_set,
             curves=tr(f"{NS}.curves.{story}", **numbers), **numbers)
gap = 100 * (curve_emb[k - 1] - curve_pix[k - 1])
verdict = "better" if gap > 0.05 else "worse" if gap < -0.05 else "equal"
frame.claim_vs_measurement(tr(f"{NS}.claim"), " ".join(
    [tr(f"{NS}.measured_k", **numbers), tr(f"{NS}.verdict.{verdict}", gap=abs(gap)),
     tr(f"{NS}.story.{story}", **numbers), tr(f"{NS}.untrained", **numbers)]))
frame.code("\n\n".join([f"HNSW = {vs.HNSW!r}"] + [inspect.getsource(fn) for fn in (
    vs.make_client, vs.build_collection, vs.chroma_top_k, vs.numpy_top_k, vs.precision_at_k,
    vs.train_embedder)]))
try:
    navigation.link_to_next(NS)
except StreamlitPageNotFoundError:
    pass  # This file run alone (AppTest without the entry file) has no navigation to link into.
