"""A model's layer graph (core.model_graph) drawn with Plotly: layers laid out by depth, boxes
coloured by layer family, skip connections highlighted.

Any page can use it: `graph_figure(model_graph(model), labels)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.charts import PALETTE
# model_graph too: pages draw graph_figure(model_graph(model)) from this one module.
from core.model_graph import GraphEdge, GraphNode, ModelGraph, model_graph  # noqa: F401

SKIP_COLOR = "#D55E00"   # vermillion: the one thing the eye should find first
EDGE_COLOR = "#8a8f98"
# Layer families, each with one colour (Okabe & Ito palette).
KIND_COLORS = {
    "input": "#9aa0a6",
    "dense": PALETTE[0],
    "conv": PALETTE[5],
    "activation": PALETTE[2],
    "merge": PALETTE[1],
    "regularize": PALETTE[4],
    "resample": "#7f7f7f",
    "other": PALETTE[6],
}
# The words a graph figure draws: translated by the caller, under these names.
WORDS = ("params", "skip", "output_shape", "trainable", "inputs", *(f"kinds.{f}" for f in KIND_COLORS))


SHORT_KIND = {"BatchNormalization": "BatchNorm", "LayerNormalization": "LayerNorm",
              "MaxPooling2D": "MaxPool2D", "MaxPooling1D": "MaxPool1D", "UpSampling2D": "UpSample2D",
              "UpSampling1D": "UpSample1D", "InputLayer": "Input", "Concatenate": "Concat",
              "GlobalAveragePooling2D": "GAP2D", "AveragePooling2D": "AvgPool2D"}


def _main_path(graph: ModelGraph) -> set[int]:
    """The longest input-to-output chain; it is drawn straight."""
    if not graph.nodes:
        return set()
    node = max(graph.nodes, key=lambda n: (n.level, -n.index))
    path = {node.index}
    while node.parents:
        candidates = [graph.nodes[p] for p in node.parents if not graph.nodes[p].on_skip]
        candidates = candidates or [graph.nodes[p] for p in node.parents]
        node = max(candidates, key=lambda n: n.level)
        path.add(node.index)
    return path


def layout(graph: ModelGraph) -> dict[int, tuple[float, float]]:
    """(level, slot) per node: the main path at slot 0, other layers of the same level at
    slots 1, 2, … (or -1, -2, … when their inputs sit on that side)."""
    main = _main_path(graph)
    slots: dict[int, float] = {}
    by_level: dict[int, list[GraphNode]] = {}
    for node in graph.nodes:
        by_level.setdefault(node.level, []).append(node)
    for level in sorted(by_level):
        taken = set()
        rest = []
        for node in by_level[level]:
            if node.index in main:
                slots[node.index] = 0.0
                taken.add(0.0)
            else:
                rest.append(node)
        for node in rest:
            bary = np.mean([slots[p] for p in node.parents]) if node.parents else 0.0
            step = 1.0 if bary >= 0 else -1.0
            slot = step
            while slot in taken:
                slot += step
            slots[node.index] = slot
            taken.add(slot)
    return {i: (float(graph.nodes[i].level), slots[i]) for i in slots}


@dataclass(frozen=True)
class _Geometry:
    """Display units: `level_gap` between levels, `slot_gap` between side-by-side layers, and
    the box size along each of those two directions."""

    horizontal: bool
    level_gap: float
    slot_gap: float
    box_along_level: float
    box_along_slot: float

    def xy(self, level: float, slot: float) -> tuple[float, float]:
        """(level, slot) in display units -> plot (x, y)."""
        return (level, -slot) if self.horizontal else (slot, -level)


LR = _Geometry(True, 1.0, 1.0, 0.86, 0.66)
TB = _Geometry(False, 1.0, 2.4, 0.74, 2.1)


def _crossing_edges(graph: ModelGraph, pos: dict) -> list[GraphEdge]:
    """Edges that would pass through a layer box if drawn straight."""
    crossing = []
    for edge in graph.edges:
        (l0, s0), (l1, s1) = pos[edge.source], pos[edge.target]
        if l1 - l0 <= 1:
            continue
        for node in graph.nodes:
            l, s = pos[node.index]
            if l0 < l < l1 and abs(s - (s0 + (s1 - s0) * (l - l0) / (l1 - l0))) < 0.5:
                crossing.append(edge)
                break
    return crossing


def _lanes(graph: ModelGraph, pos: dict, crossing: list[GraphEdge], geo: _Geometry) -> dict:
    """A side lane (display units along the slot axis) per crossing edge, outside everything
    between its ends: on the positive side when an end sits there (a projection shortcut),
    else on the negative side. Longer jumps run further out, nested like U-Net's drawing."""
    lanes = {}
    for edge in crossing:
        l0, l1 = pos[edge.source][0], pos[edge.target][0]
        inside = [e for e in crossing if e is not edge
                  and l0 <= pos[e.source][0] and pos[e.target][0] <= l1
                  and (pos[e.target][0] - pos[e.source][0]) < (l1 - l0)]
        between = [pos[n.index][1] for n in graph.nodes if l0 <= pos[n.index][0] <= l1]
        if max(pos[edge.source][1], pos[edge.target][1]) > 0:
            high = max(between + [0.0]) * geo.slot_gap + geo.box_along_slot / 2
            lanes[(edge.source, edge.target)] = high + 0.3 + 0.3 * len(inside)
        else:
            low = min(between + [0.0]) * geo.slot_gap - geo.box_along_slot / 2
            lanes[(edge.source, edge.target)] = low - 0.3 - 0.3 * len(inside)
    return lanes


def _bezier(p0, p1, p2, p3, n: int = 10) -> list[tuple[float, float]]:
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2, p3 = (np.array(p, float) for p in (p0, p1, p2, p3))
    curve = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3
    return [tuple(p) for p in curve]


def _edge_points(edge: GraphEdge, pos: dict, lanes: dict, geo: _Geometry, legs: dict,
                 half_slots: dict[int, float]):
    """The polyline of one edge in display (level, slot) units, starting and ending on the
    boxes' borders. Lane edges leave the source's side, run along the lane and enter the
    target's side (a bracket with rounded corners)."""
    (l0, s0), (l1, s1) = pos[edge.source], pos[edge.target]
    s0, s1 = s0 * geo.slot_gap, s1 * geo.slot_gap
    half_l = geo.box_along_level / 2
    key = (edge.source, edge.target)
    if key not in lanes:
        direction = np.array([l1 - l0, s1 - s0], float)
        direction /= np.linalg.norm(direction) or 1.0

        def reach(half_s):  # where the centre-to-centre line leaves a box of this half-size
            return min(half_l / abs(direction[0]) if abs(direction[0]) > 1e-9 else np.inf,
                       half_s / abs(direction[1]) if abs(direction[1]) > 1e-9 else np.inf)

        start = np.array([l0, s0]) + direction * reach(half_slots[edge.source])
        end = np.array([l1, s1]) - direction * reach(half_slots[edge.target])
        return [tuple(start), tuple(end)]
    lane = lanes[key]
    side = 1.0 if lane > 0 else -1.0
    # Legs are shifted along the level axis so that an edge arriving at a layer and one
    # leaving it from the same side do not overlap.
    out_leg = l0 + legs.get(("out", edge.source), 0.0)
    in_leg = l1 + legs.get(("in", edge.target), 0.0)
    face0, face1 = s0 + side * half_slots[edge.source], s1 + side * half_slots[edge.target]
    r = min(0.25, abs(lane - face0) / 2, abs(lane - face1) / 2, (in_leg - out_leg) / 3)
    points = [(out_leg, face0)]
    points += _bezier((out_leg, lane - side * r), (out_leg, lane), (out_leg, lane), (out_leg + r, lane))
    points += _bezier((in_leg - r, lane), (in_leg, lane), (in_leg, lane), (in_leg, lane - side * r))
    points.append((in_leg, face1))
    return points


def graph_figure(graph: ModelGraph, labels: dict | None = None, orientation: str = "auto",
                 scale: float = 1.0, highlight: set[str] | None = None,
                 height: int | None = None, show_vectors: bool = False,
                 legend: bool = True) -> go.Figure:
    """Draw `graph`: boxes coloured by layer family, each with its name, output shape and
    parameter count; skip connections in vermillion. `orientation` is "LR" (left to right),
    "TB" (top to bottom) or "auto" (LR up to 8 levels, TB beyond). `labels` translates the few
    words drawn: params, skip, output_shape, trainable, inputs, kinds.<family>.
    `highlight` names layers drawn faded with a dotted outline (e.g. deleted blocks).
    `show_vectors` (left-to-right only) draws under each box one small cell per number in its
    output vector, so a change of dimension (13 -> 5 -> 3) is visible at a glance."""
    labels = labels or {}
    word = lambda key, default: labels.get(key, default)  # noqa: E731
    pos = layout(graph)
    n_levels = 1 + max((p[0] for p in pos.values()), default=0)
    if orientation == "auto":
        orientation = "LR" if n_levels <= 8 else "TB"
    geo = LR if orientation == "LR" else TB
    crossing = _crossing_edges(graph, pos)
    lanes = _lanes(graph, pos, crossing, geo)
    half_slots = {n.index: geo.box_along_slot / 2 for n in graph.nodes}

    fig = go.Figure()
    annotations = _draw_edges(fig, graph, pos, lanes, _legs(crossing), half_slots, geo, scale)
    shapes = _draw_boxes(fig, graph, pos, half_slots, geo, scale, word, highlight or set())
    if show_vectors and geo.horizontal:
        shapes += _vector_cells(graph, pos, geo)
    if legend:
        _draw_legend(fig, graph, word, scale)
    x_range, y_range = _axis_ranges(pos, lanes, half_slots, geo, show_vectors)
    fig.update_layout(shapes=shapes, annotations=annotations, hovermode="closest", dragmode=False,
                      plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left"))
    fig.update_xaxes(visible=False, range=x_range, fixedrange=True)
    fig.update_yaxes(visible=False, range=y_range, fixedrange=True)
    if height is None:
        # Top to bottom (deep nets), presentation mode grows the type more than the height: a
        # level is 1.25x taller at scale 1.5 (not 1.5x) and its text ~1.15x larger again, which
        # still fits two lines in a box and keeps a 20-level graph from being three screens tall.
        per_unit = 105 if geo.horizontal else 52
        grow = scale if geo.horizontal else 1 + 0.5 * (scale - 1)
        height = int((per_unit * (y_range[1] - y_range[0]) + 80) * grow)
    fig.update_layout(height=height)
    return fig


def _legs(crossing: list[GraphEdge]) -> dict:
    """Level-axis shifts of edge ends at layers where one crossing edge arrives and another
    leaves on the same side, so the two do not overlap (0 where only one of them exists)."""
    legs = {}
    for edge in crossing:
        legs[("out", edge.source)] = 0.14
        legs[("in", edge.target)] = -0.14
    return {k: (v if (("in" if k[0] == "out" else "out"), k[1]) in legs else 0.0) for k, v in legs.items()}


def _draw_edges(fig: go.Figure, graph: ModelGraph, pos: dict, lanes: dict, legs: dict,
                half_slots: dict, geo: _Geometry, scale: float) -> list[dict]:
    """One line per edge (skips last, on top, in vermillion); returns their arrowheads."""
    annotations = []
    for edge in sorted(graph.edges, key=lambda e: e.skip):
        points = _edge_points(edge, pos, lanes, geo, legs, half_slots)
        pts = np.array([geo.xy(*p) for p in points])
        color = SKIP_COLOR if edge.skip else EDGE_COLOR
        width = (3.0 if edge.skip else 1.5) * scale
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="lines", hoverinfo="skip",
                                 line=dict(color=color, width=width), showlegend=False))
        tip, before = pts[-1], pts[-2]
        direction = tip - before
        direction = direction / (np.linalg.norm(direction) or 1.0)
        tail = tip - direction * 0.05
        annotations.append(dict(x=tip[0], y=tip[1], ax=tail[0], ay=tail[1], xref="x", yref="y",
                                axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1.1,
                                arrowwidth=width, arrowcolor=color, text=""))
    return annotations


def _draw_boxes(fig: go.Figure, graph: ModelGraph, pos: dict, half_slots: dict, geo: _Geometry,
                scale: float, word, highlight: set[str]) -> list[dict]:
    """One box per layer, coloured by family, with its text and hover; returns the boxes."""
    shapes, xs, ys, texts, hovers = [], [], [], [], []
    for node in graph.nodes:
        level, slot = pos[node.index]
        cx, cy = geo.xy(level, slot * geo.slot_gap)
        half_x, half_y = ((geo.box_along_level / 2, half_slots[node.index]) if geo.horizontal
                          else (half_slots[node.index], geo.box_along_level / 2))
        faded = node.name in highlight
        skipish = node.on_skip or _merges_skip(graph, node)
        outline = "#000000" if faded else (SKIP_COLOR if skipish else "#3c4043")
        shapes.append(dict(type="rect", x0=cx - half_x, x1=cx + half_x, y0=cy - half_y, y1=cy + half_y,
                           line=dict(color=outline, width=(2.6 if skipish or faded else 1.0) * scale,
                                     dash="dot" if faded else "solid"),
                           fillcolor=KIND_COLORS[node.family], opacity=0.3 if faded else 0.92,
                           layer="below"))
        texts.append(_box_text(node, geo, word))
        xs.append(cx)
        ys.append(cy)
        parents = ", ".join(graph.nodes[p].name for p in node.parents) or "-"
        hovers.append(
            f"<b>{node.name}</b> ({node.kind})<br>{word('output_shape', 'output shape')}: {node.shape_text}"
            f"<br>{word('params', 'params')}: {node.params:,} ({word('trainable', 'trainable')}: "
            f"{node.trainable_params:,})<br>{word('inputs', 'inputs')}: {parents}"
            + (f"<br>{node.details}" if node.details else ""))
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="text", text=texts, hovertext=hovers, hoverinfo="text",
                             showlegend=False,
                             textfont=dict(size=round((10 * scale) if geo.horizontal else
                                                      10.5 * scale * _tb_text_growth(scale)),
                                           color="#111")))
    return shapes


def _box_text(node: GraphNode, geo: _Geometry, word) -> str:
    """Name, kind, output shape and parameters: stacked in a left-to-right box, two lines in
    a top-to-bottom one."""
    kind = SHORT_KIND.get(node.kind, node.kind)
    params = f"{node.params:,} {word('params', 'params')}" if node.params else ""
    if geo.horizontal:
        return "<br>".join([f"<b>{node.name}</b>", kind, node.shape_text] + ([params] if params else []))
    second = "  ".join([node.shape_text] + ([params] if params else []))
    return f"<b>{node.name}</b>  {kind}<br>{second}"


def _draw_legend(fig: go.Figure, graph: ModelGraph, word, scale: float) -> None:
    """The families drawn, then the skip connection if there is one (legend-only traces)."""
    for family in dict.fromkeys(n.family for n in graph.nodes):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=word(f"kinds.{family}", family),
                                 marker=dict(symbol="square", size=12 * scale, color=KIND_COLORS[family])))
    if graph.skip_edges:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=word("skip", "skip connection"),
                                 line=dict(color=SKIP_COLOR, width=3 * scale)))


def _axis_ranges(pos: dict, lanes: dict, half_slots: dict, geo: _Geometry,
                 show_vectors: bool) -> tuple[list[float], list[float]]:
    """x and y ranges that hold every box and lane, plus a margin (more below for vectors)."""
    extent = [geo.xy(l, s * geo.slot_gap) for l, s in pos.values()]
    extent += [geo.xy(pos[s][0], lane) for (s, _), lane in lanes.items()]
    arr = np.array(extent)
    biggest = max(half_slots.values(), default=geo.box_along_slot / 2)
    half_x, half_y = ((geo.box_along_level / 2, biggest) if geo.horizontal
                      else (biggest, geo.box_along_level / 2))
    x_range = [arr[:, 0].min() - half_x - 0.1, arr[:, 0].max() + half_x + 0.1]
    y_range = [arr[:, 1].min() - half_y - (0.4 if show_vectors and geo.horizontal else 0.15),
               arr[:, 1].max() + half_y + 0.15]
    return x_range, y_range


def _tb_text_growth(scale: float) -> float:
    """Extra growth of the box text in top-to-bottom graphs beyond `scale` (1 at scale 1)."""
    return 1 + 0.3 * (scale - 1)


MAX_CELLS = 64


def _vector_cells(graph: ModelGraph, pos: dict, geo: _Geometry) -> list[dict]:
    """Under each box with a (None, w) output: w cells in a row, one per number."""
    shapes = []
    for node in graph.nodes:
        shape = node.output_shape
        if not shape or len(shape) != 2 or not shape[-1]:
            continue
        width = int(shape[-1])
        cells = min(width, MAX_CELLS)
        level, slot = pos[node.index]
        cx, cy = geo.xy(level, slot * geo.slot_gap)
        span = min(geo.box_along_level, 0.075 * cells)
        cell = span / cells
        top = cy - geo.box_along_slot / 2 - 0.08
        for i in range(cells):
            x0 = cx - span / 2 + i * cell
            shapes.append(dict(type="rect", x0=x0 + cell * 0.1, x1=x0 + cell * 0.9, y0=top - 0.14, y1=top,
                               fillcolor=KIND_COLORS[node.family], line=dict(width=0), layer="below"))
    return shapes


def _merges_skip(graph: ModelGraph, node: GraphNode) -> bool:
    return any(e.skip and e.target == node.index for e in graph.edges)
