"""Charts readable without their colours (core.charts.marks) and with their numbers in text
(core.charts.summary). The lesson pages' charts are checked as drawn in tests/app/
test_chart_access.py; here: the rules themselves, and the Lab's Plotly charts (the Lab is not a
page that AppTest can train on quickly)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.charts import PALETTE, lab, marks, summary, theme
from core.probes import Projection


def two_lines(**second) -> go.Figure:
    second = {"mode": "lines", **second}
    return go.Figure([go.Scatter(x=[0, 1, 2], y=[3, 2, 1], mode="lines", name="a", line_color=PALETTE[0]),
                      go.Scatter(x=[0, 1, 2], y=[1, 2, 3], name="b", line_color=PALETTE[1], **second)])


def test_colour_alone_is_found_and_the_theme_adds_a_dash():
    fig = two_lines()
    assert marks.indistinct(fig) == [("a", "b")]
    theme(fig)
    assert marks.indistinct(fig) == []
    assert {tr.line.dash for tr in fig.data} == {"solid", "dash"}


@pytest.mark.parametrize("second", [dict(line_dash="dot"), dict(mode="lines+text", text=["", "", "b"])])
def test_a_dash_or_a_direct_label_already_tells_them_apart(second):
    fig = two_lines(**second)
    assert marks.indistinct(fig) == []
    before = fig.to_plotly_json()
    theme(fig)
    assert [tr.line.dash for tr in fig.data] == [tr.get("line", {}).get("dash") for tr in before["data"]]


def test_where_dashes_mean_something_the_colours_get_symbols_and_keep_their_dashes():
    """Training solid, validation dashed, one colour per run: runs get marker shapes."""
    fig = go.Figure()
    for i, run in enumerate(["small", "large"]):
        fig.add_trace(go.Scatter(x=[0, 1], y=[i, i + 1], name=f"{run} train", line_color=PALETTE[i]))
        fig.add_trace(go.Scatter(x=[0, 1], y=[i, i + 2], name=f"{run} val", line=dict(color=PALETTE[i], dash="dash")))
    theme(fig)
    assert marks.indistinct(fig) == []
    assert [tr.line.dash for tr in fig.data] == [None, "dash", None, "dash"]
    assert fig.data[0].marker.symbol != fig.data[2].marker.symbol


def test_classes_get_shapes_that_no_other_series_uses_and_follow_into_other_panels():
    fig = go.Figure()
    for panel in ("", "2"):
        for k in range(3):
            fig.add_trace(go.Scatter(x=[k, k + 1], y=[0, 1], mode="markers", name=f"class {k}", legendgroup=str(k),
                                     showlegend=panel == "", marker_color=PALETTE[k], xaxis=f"x{panel}"))
        fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name="query", marker=dict(symbol="star", color="black"),
                                 showlegend=panel == "", xaxis=f"x{panel}"))
    theme(fig)
    first = [tr.marker.symbol for tr in fig.data[:3]]
    assert len(set(first)) == 3 and "star" not in first
    assert [tr.marker.symbol for tr in fig.data[4:7]] == first, "the second panel's classes match the legend"


def test_grouped_bars_differ_by_pattern():
    fig = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="with", marker_color=PALETTE[0]),
                     go.Bar(x=["a", "b"], y=[2, 1], name="without", marker_color=PALETTE[1])])
    theme(fig)
    assert marks.indistinct(fig) == []
    assert len({tr.marker.pattern.shape for tr in fig.data}) == 2


def lab_figures():
    """The Lab's Plotly charts with typical inputs (a 3-class run, three layers)."""
    rng = np.random.default_rng(0)
    epochs = np.arange(1, 21)
    labels = np.arange(60) % 3
    proj = Projection(coords=rng.normal(size=(60, 2)), explained=np.array([0.5, 0.3]), total_dims=8)
    runs = [dict(label=f"run {i}", epochs=epochs, val_loss=np.linspace(1, 0.2 + 0.1 * i, 20)) for i in range(3)]
    return {
        "loss_curves": lab.loss_curves(epochs, np.linspace(1, 0.1, 20), np.linspace(1, 0.2, 20),
                                       np.linspace(0.3, 1, 20), np.linspace(0.3, 0.9, 20), "accuracy"),
        "gradient_norms": lab.gradient_norms(epochs, {f"hidden_{i}": rng.uniform(0.01, 1, 20) for i in range(1, 4)}),
        "compare_runs": lab.compare_runs(runs),
        "projections": lab.projections([("input", proj), ("hidden_1", proj)], labels, "multiclass", 3),
        "side_by_side": lab.side_by_side(proj.coords, proj.coords[::-1], labels, "multiclass", 3, ("PCA", "t-SNE")),
        "confusion": lab.confusion(np.array([[5, 1, 0], [0, 6, 1], [1, 0, 7]])),
    }


@pytest.mark.parametrize("name", list(lab_figures()))
def test_the_labs_charts_need_no_colour_and_have_their_numbers(name):
    fig = theme(lab_figures()[name], 1.5)
    assert marks.indistinct(fig) == [], name
    if name != "projections":  # drawn live, without hover: its points are the picture
        assert summary.tables(fig, "ko"), f"{name}: a text alternative"


def test_numbers_are_read_from_the_figure():
    ys = [5.0, 3.0, 0.25, 4.0] + [2.0] * 20
    fig = go.Figure([go.Scatter(x=list(range(24)), y=ys, name="loss"),
                     go.Bar(x=["a", "b"], y=[0.123456, 2], name="bars", xaxis="x2", yaxis="y2"),
                     go.Heatmap(z=[[1, 2], [3, np.nan]], x=["p", "q"], y=["r", "s"], xaxis="x3", yaxis="y3")])
    series, bars, grid = summary.tables(fig, "en")
    assert [row[1:] for row in series.rows] == [("first", "0", "5"), ("lowest", "2", "0.25"), ("last", "23", "2")]
    assert bars.rows == (("bars", "a", "0.1235"), ("bars", "b", "2"))
    assert grid.rows == (("r", "1", "2"), ("s", "3", "–"))
    assert summary.tables(fig, "ko")[0].rows[0][1] == "처음"


def test_the_labs_points_differ_by_class_in_shape_as_well_as_colour():
    """The decision boundary (Plotly and the live SVG frame) and the projections: each class its
    own marker shape, the same for training and validation points and in the legend."""
    import xml.etree.ElementTree as ET

    from core.charts import live

    rng = np.random.default_rng(2)
    points, labels = rng.normal(size=(30, 2)), np.arange(30) % 3
    is_val = np.arange(30) % 4 == 0
    xs = ys = np.linspace(-3, 3, 6)
    fig = lab.decision_boundary(xs, ys, np.zeros((6, 6)), "multiclass", points, labels, is_val, 3)
    for trace in (tr for tr in fig.data if tr.type == "scatter" and tr.x[0] is not None):
        shown = np.asarray(trace.marker.color)
        assert [marks.class_symbol(k) for k in shown] == list(trace.marker.symbol)
    keys = {tr.name: tr.marker.symbol for tr in fig.data if tr.name in ("0", "1", "2")}
    assert keys == {"0": "circle", "1": "square", "2": "triangle-up"}

    svg = ET.fromstring(live.boundary(xs, ys, None, "multiclass", points, labels, is_val, 3,
                                      legend=("training", "validation")))
    ns = "{http://www.w3.org/2000/svg}"
    drawn = {colour: set() for colour in PALETTE[:3]}
    for node in svg.iter():
        if node.get("fill") in drawn and node.tag in (f"{ns}circle", f"{ns}rect", f"{ns}path"):
            drawn[node.get("fill")].add(node.tag)
    assert [len(tags) for tags in drawn.values()] == [1, 1, 1], "one shape per class, points and legend alike"
    assert len(set().union(*drawn.values())) == 3, "three classes, three shapes"


def test_the_server_drawn_picture_keeps_patterns_and_shapes():
    """Charts are pictures by default (core.charts.static): bar patterns (bars and legend) and a
    few shapes along each line (marker.maxdisplayed), not one on every point."""
    from core.charts import static

    fig = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="with", marker_color=PALETTE[0]),
                     go.Bar(x=["a", "b"], y=[2, 1], name="without", marker_color=PALETTE[1])])
    svg = static.figure_svg(theme(fig), name="bars")
    assert svg.count('fill="url(#hatch') == 3, "two bars and the legend's swatch"
    n = 200
    lines = go.Figure([go.Scatter(x=np.arange(n), y=np.arange(n) * k, name=f"run {k}", line_color=PALETTE[k])
                       for k in range(2)] + [go.Scatter(x=np.arange(n), y=-np.arange(n), name="val", line_dash="dash")])
    svg = static.figure_svg(theme(lines), name="lines")
    uses = svg.count("<use ")
    assert 2 * 2 <= uses <= 2 * (marks.LINE_MARKERS + 1) + 2, "a few shapes per line, and one in each legend entry"
