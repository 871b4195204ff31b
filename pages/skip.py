"""Parallel models and skip connections: two branches merged by Add or Concatenate, the
ensemble reading of residual nets (delete blocks at test time), and a small U-Net."""

import inspect

import streamlit as st

from core import model_graph
from core.lessons import skip as lesson
from core.charts import graph as graph_charts
from core.charts import skip as charts
from core.lessons.structure import sample_batch
from ui import frame, navigation, shared, stored
from ui.frame import tr

NS = "skip"


PERSIST = shared.Persist("skip", (lesson, model_graph), NS)  # results hold the models' graphs


@stored.function(PERSIST, max_entries=64)
def branches(width_h: int, width_h1: int, merge: str) -> lesson.BranchResult:
    x, _ = sample_batch(lesson.BRANCH_INPUT, 8)
    return lesson.two_branches(width_h, width_h1, merge, x)



def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


frame.header(NS)
graph_words = frame.words(f"{NS}.graph", graph_charts.WORDS)

# ---- 1. two branches: Add vs Concatenate ----------------------------------------------------
frame.section(tr("skip.branches.title"))
st.markdown(tr("skip.branches.intro"))
c1, c2, c3 = st.columns([2, 2, 2], vertical_alignment="bottom")
width_h = c1.slider(tr("skip.branches.width_h"), 1, 12, 4, key="skip_width_h")
width_h1 = c2.slider(tr("skip.branches.width_h1"), 1, 12, 6, key="skip_width_h1")
merge = c3.radio(tr("skip.branches.merge"), lesson.MERGES, index=1, key="skip_merge", horizontal=True,
                 format_func=frame.words("skip.branches.merges", lesson.MERGES).get)
both = {m: branches(width_h, width_h1, m) for m in lesson.MERGES}
shown = both[merge]
if shown.error:
    st.error(tr("skip.branches.refused", h=width_h, h1=width_h1))
    st.code(f"ValueError: {shown.error}", language=None)
else:
    frame.plot(graph_charts.graph_figure(shown.graph, graph_words,
                                         scale=frame.scale()), key="skip_branch_graph")
    frame.plot(charts.merge_figure(shown.H[0], shown.H1[0], shown.merged[0], merge, {
        "merged": tr(f"skip.branches.merged.{merge}"), "units": tr("skip.branches.units"),
        "hover": tr("skip.branches.hover")}), key="skip_merge_fig", height=230)
add, concat = both["add"], both["concatenate"]
frame.notice("skip.branches", h=width_h, h1=width_h1, concat=concat.merged_width, concat_params=concat.params,
             add=(tr("skip.branches.add_ok", width=add.merged_width, params=add.params) if add.error is None
                  else tr("skip.branches.add_error", error=add.error)))
stored.recompute_button(NS, PERSIST)
frame.code(inspect.getsource(lesson.build_two_branch))

# ---- 2. residual nets as ensembles: delete blocks at test time ------------------------------
frame.section(tr("skip.lesion.title"))
st.markdown(tr("skip.lesion.intro"))
c1, c2, c3, c4 = st.columns(4, vertical_alignment="bottom")
depth = c1.slider(tr("skip.lesion.depth"), 3, 8, 6, key="skip_depth")
width = c2.select_slider(tr("skip.lesion.width"), [16, 32, 64], 32, key="skip_width")
epochs = c3.slider(tr("skip.lesion.epochs"), 10, 60, 20, 5, key="skip_epochs")
seed = int(c4.number_input(tr("skip.lesion.seed"), 0, 999, 0, key="skip_seed"))
result = shared.once((NS, "lesion", depth, width, epochs, seed), tr("skip.lesion.training"),
                     lambda progress: lesson.lesion_experiment(depth, width, epochs, seed,
                                                               lambda fraction, *_: progress(fraction)),
                     persist=PERSIST)
shared.recompute_button(f"{NS}_lesion", PERSIST, [(NS, "lesion", depth, width, epochs, seed)])
plain, residual = result.plain, result.residual
words = {"plain": tr("skip.lesion.plain"), "residual": tr("skip.lesion.residual"),
         "block": tr("skip.lesion.block"), "accuracy": tr("skip.lesion.accuracy"),
         "chance": tr("skip.lesion.chance", chance=pct(result.chance)), "count": tr("skip.lesion.count"),
         "intact": tr("skip.lesion.intact"),
         "hover_block": tr("skip.lesion.hover_block"), "hover_count": tr("skip.lesion.hover_count")}
left, right = st.columns(2)
with left:
    frame.plot(charts.lesion_blocks_figure(result, words), key="skip_lesion_blocks")
with right:
    frame.plot(charts.lesion_count_figure(result, words), key="skip_lesion_count")
deleted = st.select_slider(tr("skip.lesion.delete"), [0] + result.blocks, 0, key="skip_delete",
                           format_func=({0: tr("skip.lesion.none")} | {b: str(b) for b in result.blocks}).get)
faded = {f"hidden_{deleted}", f"activation_{deleted}"} if deleted else set()
# Side by side normally; stacked in presentation mode, where the type is too big for half a page.
g_left, g_right = st.columns(2) if not frame.presenting() else (st.container(), st.container())
for column, net, name in ((g_left, plain, "plain"), (g_right, residual, "residual")):
    with column:
        accuracy = net.base_accuracy if not deleted else net.per_block[deleted]
        st.markdown(tr("skip.lesion.graph_caption", net=words[name], paths=net.n_paths,
                       accuracy=pct(accuracy), params=f"{net.params:,}"))
        frame.plot(graph_charts.graph_figure(net.graph, graph_words,
                                             orientation="TB", scale=frame.scale(), highlight=faded,
                                             legend=False),
                   key=f"skip_graph_{name}")
st.caption(tr("skip.lesion.graph_legend"))
frame.notice("skip.lesion", depth=depth, width=width, blocks=len(result.blocks),
             plain_base=pct(plain.base_accuracy), res_base=pct(residual.base_accuracy),
             plain_mean=pct(plain.mean_deleted), res_mean=pct(residual.mean_deleted),
             res_worst=pct(residual.worst_deleted), chance=pct(result.chance),
             paths=residual.n_paths, res_all=pct(residual.by_count[-1][1]), gap=f"{residual.keras_gap:.0e}",
             baseline=lesson.baseline_sentence(result, frame.lang()))
frame.claim_vs_measurement(tr("skip.lesion.claim"), tr(
    "skip.lesion.measured", res_drop=f"{100 * (residual.base_accuracy - residual.mean_deleted):.1f}",
    plain_drop=f"{100 * (plain.base_accuracy - plain.mean_deleted):.1f}"))
frame.code("\n\n".join(inspect.getsource(f)
                       for f in (lesson.lesion_config, lesson.lesion_net, lesson.lesioned_forward,
                                 lesson.linear_baseline)))

# ---- 3. a small U-Net --------------------------------------------------------------------------
frame.section(tr("skip.unet.title"))
st.markdown(tr("skip.unet.intro"))
c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
unet_merge = c1.radio(tr("skip.unet.merge"), lesson.UNET_MERGES, key="skip_unet_merge", horizontal=True,
                      format_func=frame.words("skip.unet.merges", lesson.UNET_MERGES).get)
noise = c2.select_slider(tr("skip.unet.noise"), [0.2, 0.35, 0.5], 0.35, key="skip_unet_noise")
runs = shared.once((NS, "unet", noise), tr("skip.unet.training"), lambda progress: {
    m: lesson.train_unet(m, noise=noise, progress=lambda f, i=i: progress((i + f) / len(lesson.UNET_MERGES)))
    for i, m in enumerate(lesson.UNET_MERGES)}, persist=PERSIST)
shared.recompute_button(f"{NS}_unet", PERSIST, [(NS, "unet", noise)])
chosen = runs[unet_merge]
merge_names = {m: tr(f"skip.unet.merges.{m}") for m in lesson.UNET_MERGES}
left, right = st.columns([2, 3]) if not frame.presenting() else (st.container(), st.container())
with left:
    frame.plot(graph_charts.graph_figure(chosen.graph, graph_words,
                                         orientation="TB", scale=frame.scale(), legend=False),
               key="skip_unet_graph")
    st.caption(tr("skip.unet.graph_caption", merge=merge_names[unet_merge], params=f"{chosen.params:,}"))
with right:
    rows = {"noisy": tr("skip.unet.noisy_row"), "clean": tr("skip.unet.clean_row"), **merge_names}
    frame.plot(charts.unet_images_figure(runs, list(lesson.UNET_MERGES), {
        "rows": rows, "hover": tr("skip.unet.hover")}), key="skip_unet_images")
    frame.plot(charts.unet_mse_figure(runs, {"merges": merge_names, "noisy": tr("skip.unet.noisy_line"),
                                             "mse": tr("skip.unet.mse")}), key="skip_unet_mse", height=300)
frame.notice("skip.unet", noise=noise, noisy=f"{chosen.noisy_mse:.4f}",
             concat=f"{runs['concatenate'].val_mse:.4f}",
             add=f"{runs['add'].val_mse:.4f}", none=f"{runs['none'].val_mse:.4f}",
             ratio=f"{runs['none'].val_mse / max(runs['concatenate'].val_mse, 1e-12):.1f}",
             p_concat=f"{runs['concatenate'].params:,}", p_add=f"{runs['add'].params:,}",
             seconds=f"{sum(r.seconds for r in runs.values()):.1f}")
frame.code(inspect.getsource(lesson.build_unet) + "\n\n" + inspect.getsource(lesson.train_unet))

navigation.link_to_next(NS)
