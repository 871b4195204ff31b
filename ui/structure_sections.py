"""Two sections of the model-structure page, kept here so the page stays a short view: deeper
vs wider at the same parameter count (a seed race), and tf.rank beside a matrix's rank."""

from __future__ import annotations

import inspect

import pandas as pd
import streamlit as st

from core import model_graph
from core.lessons import seed_race
from core.lessons import structure as structure_lesson
from core.lessons import structure_built
from core.lessons import structure_depth as depth_lesson
from core.lessons import structure_seeds
from core.lessons import structure_rank as rank_lesson
from ui import frame, seed_race as race_view, shared, stored
from ui.frame import tr

DEPTH_PERSIST = shared.Persist("structure", (depth_lesson, seed_race), "structure")  # the page's Persist page
SEEDS_PERSIST = shared.Persist("structure", (structure_seeds, structure_lesson), "structure")
# The page's untrained computations (ui.stored): the built model's facts, tensors, three ways.
VIEW_PERSIST = shared.Persist("structure", (structure_built, structure_lesson, rank_lesson, model_graph), "structure")


def separation_key(ns: str, config) -> tuple:
    return (ns, "separation", config)


def separation(ns: str, config) -> structure_seeds.SeparationSpread:
    """The hidden layer's class separation over five seeds, once per configuration (shipped for
    the default one)."""
    return shared.once(separation_key(ns, config), tr("structure.hidden.seeds_training", n=len(structure_seeds.SEEDS)),
                       lambda progress: structure_seeds.separation_spread(config, progress=progress),
                       persist=SEEDS_PERSIST)


@stored.function(VIEW_PERSIST, max_entries=64)
def matrix(rows: int, cols: int, directions: int) -> rank_lesson.MatrixRanks:
    return rank_lesson.matrix_example(rows, cols, directions)


def depth_vs_width(ns: str) -> None:
    """Deep vs wide at equal parameters over five seeds; the default depth is shipped."""
    frame.section(tr("structure.depth.title"))
    depth = st.radio(tr("structure.depth.depth"), depth_lesson.DEPTHS, key="structure_depth", horizontal=True,
                     index=depth_lesson.DEPTHS.index(depth_lesson.DEFAULT_DEPTH))
    race = shared.once((ns, "depth", depth), tr("structure.depth.training"),
                       lambda progress: depth_lesson.depth_race(depth, progress=progress), persist=DEPTH_PERSIST)
    numbers = depth_lesson.depth_numbers(race, frame.lang())
    st.markdown(tr("structure.depth.intro", **numbers))
    shared.recompute_button(f"{ns}_depth", DEPTH_PERSIST, [(ns, "depth", depth)])
    race_view.show(race, {"deep": tr("structure.depth.deep", **numbers), "wide": tr("structure.depth.wide", **numbers)},
                   key="structure_depth_race")
    frame.notice("structure.depth", **numbers)
    frame.claim_vs_measurement(tr("structure.depth.claim"), numbers["sentence"])
    frame.code("\n\n".join(inspect.getsource(f) for f in (depth_lesson.depth_configs, seed_race.race, seed_race.run_one)))


def matrix_ranks() -> None:
    """Sliders build a matrix of a chosen linear-algebra rank; both ranks side by side."""
    st.subheader(tr("structure.rank.matrix.title"))
    c1, c2, c3 = st.columns(3)
    m_rows = c1.slider(tr("structure.rank.matrix.rows"), 1, rank_lesson.MATRIX_MAX, 4, key="structure_matrix_rows")
    m_cols = c2.slider(tr("structure.rank.matrix.cols"), 1, rank_lesson.MATRIX_MAX, 5, key="structure_matrix_cols")
    m_dirs = c3.slider(tr("structure.rank.matrix.directions"), 1, rank_lesson.MATRIX_MAX, 3,
                       key="structure_matrix_directions", help=tr("structure.rank.matrix.directions_help"))
    mat = matrix(m_rows, m_cols, m_dirs)
    left, right = st.columns([3, 2])
    left.dataframe(pd.DataFrame(mat.matrix, columns=[f"c{j + 1}" for j in range(mat.matrix.shape[1])],
                                index=[f"r{i + 1}" for i in range(mat.matrix.shape[0])]), width="stretch")
    right.metric(tr("structure.rank.matrix.tf_rank"), mat.tf_rank)
    right.metric(tr("structure.rank.matrix.la_rank"), mat.matrix_rank)
    right.caption(tr("structure.rank.matrix.singular", values=mat.singular_text()))
    frame.notice("structure.rank.matrix", rows=m_rows, cols=m_cols, tf_rank=mat.tf_rank, la_rank=mat.matrix_rank,
                 lost=mat.lost, dirs=mat.directions)
    frame.code(inspect.getsource(rank_lesson.matrix_example))
