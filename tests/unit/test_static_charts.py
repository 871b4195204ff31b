"""core.charts.static draws Plotly figures as SVG: what it draws must be where Plotly would put
it. Each test inverts the drawing (positions back to data through the axis' range) and compares
with the figure's own data, so a wrong mapping, a lost point or a flipped axis fails."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image
from plotly.subplots import make_subplots

from core import charts
from core.charts import static


def _svg(fig: go.Figure, **kwargs) -> str:
    return static.figure_svg(charts.theme(fig), **kwargs)


def _plot_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """Every subplot area (the nested 0..1000 SVGs): x %, width %, top px, height px."""
    return [tuple(float(v) for v in m) for m in
            re.findall(r'<svg x="([-0-9.]+)%" y="([-0-9.]+)" width="([-0-9.]+)%" height="([-0-9.]+)" viewBox', svg)]


def _polylines(svg: str) -> list[np.ndarray]:
    return [np.array([[float(v) for v in p.split(",")] for p in pts.split()])
            for pts in re.findall(r'<polyline points="([^"]+)"', svg)]


def _axis_ticks(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</tspan></text>", svg)


def test_a_line_is_drawn_where_its_data_is():
    xs = np.linspace(0, 10, 21)
    ys = np.sin(xs) * 3 + 1
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines"))
    fig.update_xaxes(range=[0, 10])
    fig.update_yaxes(range=[-3, 5])
    (line,) = _polylines(_svg(fig))
    # Inner coordinates run 0..1000 across the range, y downwards.
    np.testing.assert_allclose(line[:, 0] / 1000 * 10, xs, atol=0.01)
    np.testing.assert_allclose(5 - line[:, 1] / 1000 * 8, ys, atol=0.01)


def test_log_axes_put_powers_of_ten_evenly_and_label_them():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[1e-6, 1e-3, 1.0], mode="lines"))
    fig.update_yaxes(type="log")
    svg = _svg(fig)
    (line,) = _polylines(svg)
    # Equal ratios, equal steps: 1e-6 -> 1e-3 -> 1 are evenly spaced.
    assert line[0, 1] - line[1, 1] == pytest.approx(line[1, 1] - line[2, 1], abs=0.5)
    assert {"10⁻⁶", "10⁰"} <= set(_axis_ticks(svg))


def test_a_gap_in_the_data_breaks_the_line():
    fig = go.Figure(go.Scatter(x=[0, 1, 2, 3, 4], y=[1, 2, np.nan, 2, 1], mode="lines"))
    assert [len(p) for p in _polylines(_svg(fig))] == [2, 2]


def test_a_band_with_line_width_0_is_a_fill_without_edges():
    """A min-max band (core.charts.seed_race): Plotly draws its fill and no outline."""
    xs = np.arange(30.0)
    fig = go.Figure([go.Scatter(x=np.concatenate([xs, xs[::-1]]), y=np.concatenate([xs + 1, xs[::-1] - 1]),
                                fill="toself", fillcolor="rgba(0,0,255,0.2)", line=dict(width=0)),
                     go.Scatter(x=xs, y=xs, mode="lines")])
    svg = _svg(fig)
    assert svg.count("<polygon") == 1
    assert len(_polylines(svg)) == 1  # the mean line only


def test_bars_have_the_heights_of_their_values():
    values = [3.0, 1.0, 2.0]
    fig = go.Figure(go.Bar(x=["a", "b", "c"], y=values))
    fig.update_yaxes(range=[0, 4])
    svg = _svg(fig)
    heights = [float(h) for h in re.findall(r'<rect x="[-0-9.]+%" y="[-0-9.]+" width="[-0-9.]+%" height="([-0-9.]+)" fill', svg)]
    plot_h = _plot_area_height(svg)
    np.testing.assert_allclose(np.array(heights) / plot_h * 4, values, atol=0.01)


def _plot_area_height(svg: str) -> float:
    """The plot area's height, from the x axis line (bottom) and the top margin: the y grid
    lines at the range's ends."""
    ys = sorted({float(y) for y in re.findall(r'<line x1="[-0-9.]+%" x2="[-0-9.]+%" y1="([-0-9.]+)" y2="\1" stroke="#E5ECF6"', svg)})
    return (ys[-1] - ys[0])  # range [0, 4] has grid lines at 0 and 4


def test_grouped_bars_sit_side_by_side_and_horizontal_bars_grow_to_the_right():
    fig = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="one"), go.Bar(x=["a", "b"], y=[2, 1], name="two")])
    svg = _svg(fig)
    xs = [float(x) for x in re.findall(r'<rect x="([-0-9.]+)%" y="[-0-9.]+" width="[-0-9.]+%" height="[-0-9.]+" fill', svg)]
    assert xs[0] < xs[2] < xs[1] < xs[3]  # a/one, a/two, then b/one, b/two
    fig = go.Figure(go.Bar(y=["a", "b"], x=[1, 3], orientation="h"))
    widths = [float(w) for w in re.findall(r'<rect x="[-0-9.]+%" y="[-0-9.]+" width="([-0-9.]+)%" height="[-0-9.]+" fill', _svg(fig))]
    assert widths[1] / widths[0] == pytest.approx(3, rel=0.01)


def test_a_heatmap_image_has_the_colours_of_its_values():
    z = np.array([[0.0, 1.0], [0.5, 0.25]])
    fig = go.Figure(go.Heatmap(z=z, zmin=0, zmax=1, colorscale=[[0, "#000000"], [1, "#ffffff"]], showscale=False))
    svg = _svg(fig)
    data = re.search(r'href="data:image/png;base64,([^"]+)"', svg).group(1)
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
    # Row 0 of z is at the bottom of the picture (Plotly's y goes up).
    np.testing.assert_allclose(img[::-1, :, 0] / 255, z, atol=0.01)


def test_a_heatmap_writes_its_cell_text():
    fig = go.Figure(go.Heatmap(z=[[1.234, 5.678]], texttemplate="%{z:.1f}", showscale=False))
    assert {"1.2", "5.7"} <= set(_axis_ticks(_svg(fig)))


def test_subplots_get_their_own_areas_and_titles():
    fig = make_subplots(rows=1, cols=2, subplot_titles=("left one", "right one"))
    fig.add_trace(go.Scatter(y=[1, 2]), row=1, col=1)
    fig.add_trace(go.Scatter(y=[2, 1]), row=1, col=2)
    svg = _svg(fig)
    boxes = _plot_boxes(svg)
    assert len(boxes) == 2 and boxes[0][0] + boxes[0][1] < boxes[1][0]
    assert "left one" in svg and "right one" in svg


def test_legend_names_markers_and_dashes():
    fig = go.Figure([go.Scatter(y=[1, 2], name="solid one", mode="lines"),
                     go.Scatter(y=[2, 1], name="dashed one", mode="lines", line=dict(dash="dash")),
                     go.Scatter(y=[1, 1], name="stars", mode="markers", marker=dict(symbol="star"))])
    svg = _svg(fig)
    for name in ("solid one", "dashed one", "stars"):
        assert name in svg
    assert "stroke-dasharray" in svg
    assert svg.count("<use ") >= 3  # two star markers in the plot, one in the legend


def test_text_is_escaped_and_rich_text_kept():
    fig = go.Figure(go.Scatter(y=[1, 2], name="a < b & c"))
    fig.update_layout(title="<b>bold</b> x<sup>2</sup>", showlegend=True)
    svg = _svg(fig)
    assert "a &lt; b &amp; c" in svg
    assert 'font-weight="bold"' in svg and "baseline-shift" in svg


def test_presentation_scale_enlarges_the_type():
    fig = go.Figure(go.Scatter(y=[1, 2]))
    normal = static.figure_svg(charts.theme(go.Figure(fig), 1.0))
    big = static.figure_svg(charts.theme(go.Figure(fig), charts.PRESENTATION_SCALE))
    size = lambda svg: float(re.search(r'font-size="([0-9.]+)"', svg).group(1))  # noqa: E731
    assert size(big) == pytest.approx(size(normal) * charts.PRESENTATION_SCALE, rel=0.05)


def test_a_trace_it_cannot_draw_is_refused_not_drawn_wrong():
    with pytest.raises(static.Unsupported):
        static.figure_svg(go.Figure(go.Scatter3d(x=[1], y=[1], z=[1])))


def test_a_narrow_chart_reserves_a_wider_share_for_its_labels():
    fig = go.Figure(go.Scatter(y=[1000000, 2000000], mode="lines"))
    wide = _plot_boxes(_svg(fig, width=800))[0][0]
    narrow = _plot_boxes(_svg(fig, width=400))[0][0]
    assert narrow == pytest.approx(2 * wide, rel=0.05)


def test_angle_brackets_that_are_not_plotly_tags_are_text():
    fig = go.Figure([go.Bar(x=["a"], y=[1], name="unknown (<unk>)"), go.Bar(x=["a"], y=[2], name="<b>known</b>")])
    svg = _svg(fig)
    assert "unknown (&lt;unk&gt;)" in svg
    assert "&lt;b&gt;" not in svg and 'font-weight="bold"' in svg


def test_rangemode_tozero_starts_the_axis_at_zero():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[8, 9, 10], mode="lines"))
    fig.update_yaxes(rangemode="tozero")
    (line,) = _polylines(_svg(fig))
    # 8..10 of a 0..10.4 axis (4 % padding above): the line sits in the top fifth.
    assert line[:, 1].max() < 1000 * (1 - 8 / 10.4) + 1
