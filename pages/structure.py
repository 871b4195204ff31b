"""Model structure and tensor shapes: a real Keras model's graph, parameters counted two ways,
what a hidden layer does to the data's dimension, rank vs dimension, and three ways to write
the same model."""

import inspect

import pandas as pd
import streamlit as st

from core.lessons import structure as lesson
from core.lessons import structure_built, structure_seeds
from core.charts import graph as graph_charts
from core.charts import structure as charts
from core.models import build_model
from ui import frame, navigation, shared, stored, structure_sections as sections
from ui.frame import tr

NS = "structure"


@stored.function(sections.VIEW_PERSIST, max_entries=32)
def built(config) -> structure_built.BuiltModel:
    return structure_built.built_model(config)


@stored.function(sections.VIEW_PERSIST, max_entries=64)
def three_ways(config, name: str, trainable: bool) -> lesson.ThreeWays:
    x_batch, _ = lesson.sample_batch(config.dataset, 8)
    return lesson.three_ways(config, x_batch, name=name, trainable=trainable)


PERSIST = shared.Persist("structure", (lesson,), NS)


def trained(config) -> lesson.StructureRun:
    """Train once per configuration for the whole server; show progress while it runs."""
    return shared.once((NS, "hidden", config), tr("structure.hidden.training"),
                       lambda progress: lesson.train_structure(config, progress),
                       persist=PERSIST)


@stored.function(sections.VIEW_PERSIST, max_entries=64)
def tensor(kind: str, batch: int, flatten: bool) -> lesson.TensorFacts:
    return lesson.tensor_example(kind, batch, flatten)



frame.header(NS)
graph_words = frame.words(f"{NS}.graph", graph_charts.WORDS)

# ---- 1. build a model and look at its graph ---------------------------------------------------
frame.section(tr("structure.build.title"))
c1, c2, c3 = st.columns([2, 2, 1.6], vertical_alignment="bottom")
dataset = c1.selectbox(tr("structure.build.dataset"), lesson.STRUCTURE_DATASETS, key="structure_dataset",
                       format_func=frame.words("structure.datasets", lesson.STRUCTURE_DATASETS).get)
widths_text = c2.text_input(tr("structure.build.hidden"), "5", key="structure_hidden",
                            help=tr("structure.build.hidden_help", cap=lesson.MAX_LAYERS))
skip = c3.toggle(tr("structure.build.skip"), key="structure_skip")
batchnorm = c3.toggle(tr("structure.build.batchnorm"), key="structure_batchnorm")
try:
    hidden = lesson.parse_widths(widths_text)
except lesson.WidthsError as err:
    st.warning(tr(f"structure.build.error.{err.key}", **err.params))
    hidden = lesson.DEFAULT_HIDDEN
config = lesson.structure_config(dataset, hidden, skip, batchnorm)
facts = built(config)
rows, real = facts.rows, facts.shapes
frame.plot(graph_charts.graph_figure(facts.graph, graph_words, scale=frame.scale(), show_vectors=True),
           key="structure_graph")

frame.table(pd.DataFrame([{
    tr("structure.col.layer"): r.name, tr("structure.col.kind"): r.kind,
    tr("structure.col.shape"): r.output_shape, tr("structure.col.real"): str(real.get(r.name, "")),
    tr("structure.col.params"): r.params, tr("structure.col.formula"): f"{r.formula} = {r.by_hand}",
} for r in rows]), name="structure_layers")
first = next(r for r in rows if r.name == "hidden_1")
total_by_hand = sum(r.by_hand for r in rows)
frame.notice("structure.build", d=config.input_dim, data=tr(f"structure.datasets.{dataset}"),
             hidden=" -> ".join(str(w) for w in hidden) or "-", out=config.n_outputs,
             w1=hidden[0], dim=lesson.dimension_sentence(facts.rank, config.input_dim, hidden[0], frame.lang()),
             p1=first.params, f1=first.formula, total=facts.params,
             by_hand=total_by_hand, match=tr("structure.build.match" if total_by_hand == facts.params
                                                else "structure.build.mismatch"))
frame.code(inspect.getsource(build_model) + "\n\n" + inspect.getsource(lesson.layer_rows))

# ---- 2. what the hidden layer does to the data ----------------------------------------------
frame.section(tr("structure.hidden.title"))
st.markdown(tr("structure.hidden.intro", epochs=config.epochs))
run = trained(config)
shared.recompute_button(NS, PERSIST, [(NS, "hidden", config), sections.separation_key(NS, config)])
classify = run.metric == "accuracy"
left, right = st.columns([2, 1])
with left:
    frame.plot(charts.representation_figure(run.inputs, run.hidden, run.block_names, run.labels, {
        "input": tr("structure.hidden.input_panel"), "hidden": tr("structure.hidden.hidden_panel"),
        "units": tr("structure.hidden.units"), "examples": tr("structure.hidden.examples"),
        "class": tr("structure.hidden.class"), "hover": tr("structure.hidden.hover"),
    }, classify), key="structure_repr", height=420)
with right:
    metric = tr(f"structure.hidden.metric.{run.metric}")
    st.metric(tr("structure.hidden.train", metric=metric), f"{run.final_train:.3f}")
    st.metric(tr("structure.hidden.val", metric=metric), f"{run.final_val:.3f}")
    if classify:
        spread = sections.separation(NS, config)
        sep = structure_seeds.separation_numbers(spread, frame.lang())
        quiet = dict(delta_color="off", delta_arrow="off", help=tr("structure.hidden.centroid_seeds_help", n=spread.n))
        for space, values in ((tr("structure.hidden.input_space", d=config.input_dim), spread.inputs),
                              (f"{run.block_names[0]} ({run.hidden[0].shape[1]})", spread.hidden)):
            st.metric(tr("structure.hidden.centroid", space=space), f"{values.mean:.3f}",
                      tr("structure.hidden.range", n=spread.n, lo=f"{values.lo:.3f}", hi=f"{values.hi:.3f}"), **quiet)
    st.caption(tr("structure.hidden.seconds", seconds=f"{run.seconds:.1f}", epochs=config.epochs,
                  params=f"{run.params:,}"))
separation = (tr("structure.hidden.separation", d=config.input_dim, w1=run.hidden[0].shape[1], **sep)
              if classify else "")
frame.notice("structure.hidden", d=config.input_dim, w1=run.hidden[0].shape[1], n=len(run.labels),
             first=run.block_names[0], separation=separation,
             grouping=tr("structure.hidden.grouped" if classify else "structure.hidden.sorted"))
if classify:
    perfect = (tr("structure.hidden.perfect", epoch=run.first_perfect_epoch, epochs=config.epochs)
               if run.first_perfect_epoch is not None
               else tr("structure.hidden.not_perfect", acc=f"{max(run.train_metric):.3f}",
                       epochs=config.epochs))
    frame.claim_vs_measurement(tr("structure.hidden.claim"), perfect)
frame.code("\n\n".join(inspect.getsource(f) for f in (lesson.train_structure, lesson.held_out_separation,
                                                        structure_seeds.separation_spread,
                                                        lesson.centroid_accuracy)))

# ---- 3. deeper or wider, at the same number of parameters -------------------------------------
sections.depth_vs_width(NS)

# ---- 4. rank vs dimension -------------------------------------------------------------------
frame.section(tr("structure.rank.title"))
c1, c2, c3 = st.columns([2, 2, 1.3], vertical_alignment="bottom")
kind = c1.selectbox(tr("structure.rank.kind"), lesson.TENSOR_KINDS, index=1, key="structure_tensor_kind",
                    format_func=frame.words("structure.rank.kinds", lesson.TENSOR_KINDS).get)
batch = c2.slider(tr("structure.rank.batch"), 1, 64, 32, key="structure_batch", disabled=kind == "vector")
flatten = c3.toggle(tr("structure.rank.flatten"), key="structure_flatten",
                    help=tr("structure.rank.flatten_help"), disabled=kind not in ("images", "embedded"))
facts = tensor(kind, batch, flatten)
m1, m2, m3 = st.columns(3)
m1.metric(tr("structure.rank.rank_label"), facts.rank, help=tr("structure.rank.rank_help"))
m2.metric(tr("structure.rank.dim_label"), f"{facts.dimension:,}", help=tr("structure.rank.dim_help"))
m3.metric(tr("structure.rank.examples_label"), facts.n_examples)
names = {a: tr(f"structure.rank.axes.{a}") for a in ("batch", "features", "height", "width", "channels",
                                                        "tokens", "embedding", "flat")}
frame.plot(charts.axes_figure(facts.shape, facts.axes, facts.batch_axis, {
    "axis": tr("structure.rank.axis"), "names": names, "rank": tr("structure.rank.rank_bracket"),
    "dimension": tr("structure.rank.dim_bracket")}), key="structure_axes", height=230)
st.caption(tr("structure.rank.example_caption", shape=str(tuple(facts.example.shape))))
example_axes = [names[a] for a in (facts.axes[1:] if facts.batch_axis else facts.axes) if a != "channels"]
frame.plot(charts.example_figure(facts.example, kind, {"hover": tr("structure.rank.hover")}, example_axes),
           key="structure_example")
frame.notice("structure.rank", shape=str(facts.shape), rank=facts.rank, dimension=f"{facts.dimension:,}",
             n=facts.n_examples, numbers=f"{facts.numbers:,}",
             flat=tr("structure.rank.flat_note") if facts.flattened else "")
frame.code(inspect.getsource(lesson.tensor_example))

sections.matrix_ranks()

# ---- 5. three ways to write the same model --------------------------------------------------
frame.section(tr("structure.three.title"))
st.markdown(tr("structure.three.intro"))
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
name = c1.text_input(tr("structure.three.name"), "my_mlp", key="structure_sub_name", max_chars=40)
trainable = c2.toggle(tr("structure.three.trainable"), value=True, key="structure_sub_trainable")
name = name.strip() or "my_mlp"
try:
    three = three_ways(config, name, trainable)
except ValueError as err:
    st.warning(tr("structure.three.bad_name", error=str(err)[:200]))
    name = "my_mlp"
    three = three_ways(config, name, trainable)
frame.table(pd.DataFrame([{
    tr("structure.col.style"): tr(f"structure.three.styles.{s.style}"),
    tr("structure.col.params"): s.params, tr("structure.col.trainable"): s.trainable_params,
    tr("structure.col.diff"): f"{s.max_weight_diff:.1e} / {s.max_output_diff:.1e}",
    tr("structure.col.first_output"): ", ".join(f"{v:.3f}" for v in s.output[0]),
} for s in three.styles]), name="structure_three_ways")
st.code(f"SubclassedMLP({config.hidden}, {config.n_outputs}, name={name!r}, trainable={trainable})\n"
        f"# **kwargs packed -> {three.received_kwargs!r}\n"
        f"# super().__init__(**kwargs) unpacked -> model.name = {three.subclass_name!r}, "
        f"model.trainable = {three.subclass_trainable}", language="python")
sub = three.by_style("subclassed")
frame.notice("structure.three", params=three.by_style("functional").params,
             diff=f"{three.max_output_diff:.1e}",
             wdiff=f"{max(s.max_weight_diff for s in three.styles):.1e}",
             kwargs=repr(three.received_kwargs), name=three.subclass_name, trainable=sub.trainable_params,
             skip_note=tr("structure.three.skip_note") if (skip or batchnorm) else "")
frame.code("\n\n".join(inspect.getsource(f) for f in (lesson.build_sequential, lesson.subclassed_mlp_class,
                                                       lesson.three_ways)))

stored.recompute_button(f"{NS}_view", sections.VIEW_PERSIST)
navigation.link_to_next(NS)
