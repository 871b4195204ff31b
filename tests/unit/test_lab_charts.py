"""The Lab's finished charts: a fixed accuracy axis, legend marks that match the points."""

import json

import numpy as np

from core.charts import color
from core.charts.lab import LEGEND_GREY, decision_boundary, loss_curves


def test_flat_accuracy_is_drawn_on_the_zero_to_one_axis():
    epochs = np.arange(1, 11)
    fig = loss_curves(epochs, np.linspace(0.7, 0.69, 10), np.full(10, 0.69), np.full(10, 0.5),
                      np.full(10, 0.5), "accuracy")
    lo, hi = fig.layout.yaxis2.range
    assert -0.05 <= lo <= 0 and 1 <= hi <= 1.05  # was autorange: -0.5…1.5 for a flat 0.5


def test_legend_marks_are_grey_shapes_and_class_colours():
    """On circle runs the first training point is often class 1: its orange used to be the
    "training" legend dot."""
    rng = np.random.default_rng(0)
    points = rng.normal(size=(40, 2))
    labels = np.array([1, 0] * 20)
    is_val = np.arange(40) % 5 == 0
    xs = ys = np.linspace(-3, 3, 8)
    fig = decision_boundary(xs, ys, np.full((8, 8), 0.5), "binary", points, labels, is_val, 2)
    shown = [tr for tr in fig.data if tr.type == "scatter" and tr.showlegend is not False]
    by_name = {tr.name: tr.marker.color for tr in shown}
    assert by_name["training"] == LEGEND_GREY and by_name["validation"] == LEGEND_GREY
    assert by_name["0"] == color(0) and by_name["1"] == color(1)


def test_an_uploads_class_names_are_shown_not_their_numbers():
    from core.charts.lab import confusion
    from core.charts.live import boundary

    names = ("setosa", "versicolor", "virginica")
    rng = np.random.default_rng(1)
    points, labels = rng.normal(size=(30, 2)), np.arange(30) % 3
    xs = ys = np.linspace(-3, 3, 6)
    fig = decision_boundary(xs, ys, np.zeros((6, 6)), "multiclass", points, labels, np.zeros(30, bool), 3,
                            class_names=names)
    assert {tr.name for tr in fig.data if tr.type == "scatter"} >= set(names)
    assert list(confusion(np.eye(3, dtype=int), class_names=names).data[0].x) == list(names)
    svg = boundary(xs, ys, None, "multiclass", points, labels, np.zeros(30, bool), 3,
                   legend=("training", "validation"), class_names=names)
    assert all(f">{n}<" in svg for n in names)


def _as_trace_objects(figure):
    """The same figure rebuilt from validated go.Scatter/go.Heatmap objects, as the builders made
    it before they passed plain trace dicts (each object was validated twice then)."""
    import plotly.graph_objects as go

    traces = [getattr(go, type(trace).__name__)(trace.to_plotly_json()) for trace in figure.data]
    return go.Figure(data=traces, layout=figure.layout)


def test_point_and_projection_traces_as_dicts_draw_what_trace_objects_drew():
    import pytest

    from core import probes
    from core.charts import static
    from core.charts.lab import projections

    for seed in range(5):
        rng = np.random.default_rng(seed)
        for task, n in (("binary", 2), ("multiclass", 3), ("regression", 1)):
            labels = rng.normal(size=90) if task == "regression" else rng.integers(0, n, 90)
            panels = [("in", probes.pca(rng.normal(size=(90, 2)), 2)), ("h", probes.pca(rng.normal(size=(90, 5)), 2))]
            xs = np.linspace(-1, 1, 10)
            figures = (projections(panels, labels, task, n, "en", ("a", "b", "c")[:n]),
                       decision_boundary(xs, xs, rng.random((10, 10)), task, rng.normal(size=(90, 2)), labels,
                                         rng.random(90) < 0.3, n, None, "ko", ("a", "b", "c")[:n]))
            for figure in figures:
                symbols = [t.marker.symbol for t in figure.data if t.type == "scatter" and len(t.x) > 1]
                if task != "regression":  # validated: per-point symbols by class
                    assert all(len(s) == len(t) for s, t in zip(symbols, [t.x for t in figure.data
                                                                           if t.type == "scatter" and len(t.x) > 1]))
                reference = _as_trace_objects(figure)
                assert json.loads(figure.to_json()) == json.loads(reference.to_json())
                assert static.figure_svg(figure, name="f") == static.figure_svg(reference, name="f")
    with pytest.raises(ValueError):  # the dicts are still validated: a wrong value is refused
        import plotly.graph_objects as go

        go.Figure(data=[dict(type="scatter", x=[0], y=[0], marker=dict(symbol=["not-a-symbol"]))])
