"""The live SVG frames: well-formed, faithful to the data, and unbroken by diverging values."""

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from core.charts import DIVERGING, PALETTE, live

NS = "{http://www.w3.org/2000/svg}"


def _tree(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # raises on malformed markup


def _panels(train, val, log_y=False):
    epochs = np.arange(len(train))
    return [{"title": "Loss", "x_title": "epoch", "log_y": log_y,
             "series": [("train", epochs, train, PALETTE[0], False), ("validation", epochs, val, PALETTE[1], True)]}]


def _polyline_points(root) -> list[np.ndarray]:
    out = []
    for line in root.iter(f"{NS}polyline"):
        out.append(np.array([[float(v) for v in p.split(",")] for p in line.get("points").split()]))
    return out


def test_lines_map_data_onto_the_plot_area_in_order():
    train = np.array([4.0, 3.0, 2.0, 1.0])
    root = _tree(live.lines(_panels(train, train + 1)))
    train_line, val_line = _polyline_points(root)
    assert len(train_line) == 4
    # x runs left to right over the whole width; y is flipped (bigger loss higher up).
    assert train_line[0, 0] == pytest.approx(0) and train_line[-1, 0] == pytest.approx(1000)
    assert np.all(np.diff(train_line[:, 1]) > 0)  # the loss falls, so y (downwards) grows
    assert np.all(val_line[:, 1] < train_line[:, 1])  # validation is above training everywhere
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Loss" in texts and "train" in texts and "validation" in texts


def test_a_diverging_run_breaks_the_line_instead_of_breaking_the_frame():
    train = np.array([1.0, 0.5, np.nan, np.inf, 0.3, 0.2, 1e300])
    root = _tree(live.lines(_panels(train, train, log_y=True)))
    segments = _polyline_points(root)
    # Two finite runs per series: [1.0, 0.5] and [0.3, 0.2]; NaN, inf and 1e300 are gaps.
    assert [len(s) for s in segments] == [2, 2, 2, 2]
    for s in segments:
        assert np.all(np.isfinite(s))
    all_nan = _tree(live.lines(_panels(np.full(3, np.nan), np.full(3, np.nan))))
    assert _polyline_points(all_nan) == []


def test_the_first_point_alone_is_drawn_as_a_dot():
    (line, _) = _polyline_points(_tree(live.lines(_panels(np.array([0.7]), np.array([0.8])))))
    assert len(line) == 2 and np.array_equal(line[0], line[1])


def test_log_axis_labels_are_powers_of_ten():
    train = np.geomspace(1.0, 1e-4, 50)
    root = _tree(live.lines(_panels(train, train, log_y=True)))
    labels = {t.text for t in root.iter(f"{NS}text")}
    assert {"10⁰", "10⁻²", "10⁻⁴"} <= labels


def test_long_histories_are_thinned_but_keep_the_last_point():
    train = np.linspace(2, 1, 10_000)
    (line, _) = _polyline_points(_tree(live.lines(_panels(train, train))))
    assert len(line) <= live.MAX_POINTS + 1
    assert line[-1, 0] == pytest.approx(1000)


def _image(root) -> np.ndarray:
    href = next(root.iter(f"{NS}image")).get("href")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1]))))


def test_boundary_image_colours_follow_the_models_output():
    xs = ys = np.linspace(-1, 1, 4)
    z = np.zeros((4, 4))
    z[:, 2:] = 1.0  # P(class 1) = 1 on the right half
    points = np.array([[-1.0, -1.0], [1.0, 1.0]])
    root = _tree(live.boundary(xs, ys, z, "binary", points, np.array([0, 1]), np.array([False, True]), 2))
    image = _image(root)
    assert image.shape == (4, 4, 3)
    blue = 0.75 * np.array([0x00, 0x72, 0xB2]) + 0.25 * 255  # DIVERGING's end colours at opacity 0.75
    orange = 0.75 * np.array([0xE6, 0x9F, 0x00]) + 0.25 * 255
    assert DIVERGING[0][1] == "#0072B2" and DIVERGING[-1][1] == "#E69F00"
    np.testing.assert_allclose(image[0, 0], blue, atol=1)
    np.testing.assert_allclose(image[0, 3], orange, atol=1)
    # The training point at (-1, -1) (class 0: a circle) sits at the image's bottom-left corner,
    # the validation point (class 1: a square, outlined in black) at the top-right.
    img = next(root.iter(f"{NS}image"))
    x0, y0, size = float(img.get("x")), float(img.get("y")), float(img.get("width"))
    circle = next(root.iter(f"{NS}circle"))
    assert float(circle.get("cx")) == pytest.approx(x0) and float(circle.get("cy")) == pytest.approx(y0 + size)
    assert circle.get("fill") == PALETTE[0]
    (square,) = root.iter(f"{NS}rect")
    assert square.get("fill") == PALETTE[1] and square.get("stroke") == "black"
    assert float(square.get("x")) + float(square.get("width")) / 2 == pytest.approx(x0 + size, abs=0.2)


@pytest.mark.parametrize("task,z", [("multiclass", np.array([[0, 1], [2, 1]])),
                                    ("regression", np.array([[-3.0, 0.0], [np.nan, 3.0]]))])
def test_boundary_handles_every_task(task, z):
    xs = ys = np.linspace(0, 1, 2)
    labels = np.array([0, 2]) if task == "multiclass" else np.array([-1.0, 1.0])
    root = _tree(live.boundary(xs, ys, z, task, np.array([[0.2, 0.2], [0.8, 0.8]]), labels,
                               np.array([False, False]), 3))
    image = _image(root)
    assert image.shape == (2, 2, 3)
    if task == "regression":  # -3 is the most negative value: deep blue; 0 is near white
        assert image[1, 0, 2] > image[1, 0, 0]
        assert image[1, 1].min() > 230


def test_projections_draw_every_point_of_every_panel():
    rng = np.random.default_rng(0)
    panels = [(f"Layer {i}", "8-d → 2-d", rng.normal(size=(30, 2))) for i in range(5)]
    labels = rng.integers(0, 3, 30)
    root = _tree(live.projections(panels, labels, "multiclass", 3))
    # Each class its own shape (colour is not the only cue): circles, squares, triangles.
    assert len(list(root.iter(f"{NS}circle"))) == 5 * int(np.sum(labels == 0))
    assert len([r for r in root.iter(f"{NS}rect") if r.get("stroke") == "none"]) == 5 * int(np.sum(labels == 1))
    assert len(list(root.iter(f"{NS}path"))) == 5 * int(np.sum(labels == 2))
    assert int(float(root.get("height"))) > 2 * 300  # five panels: two rows
    constant = [("flat", "", np.zeros((10, 2)))]  # a dead layer: every point the same
    assert len(list(_tree(live.projections(constant, np.zeros(10, int), "binary", 2)).iter(f"{NS}circle"))) == 10


def test_text_is_escaped():
    markup = live.lines([{"title": "<b>&", "x_title": "hidden_1 *x*", "series": []}])
    texts = [t.text for t in _tree(markup).iter(f"{NS}text")]
    assert "<b>&" in texts and "hidden_1 *x*" in texts
    # Shown through markdown: its marks must not turn text into emphasis.
    assert "hidden_1" not in markup and "*x*" not in markup


def test_the_preview_draws_the_data_without_a_model():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.2]])
    root = _tree(live.boundary(np.array([0.0, 1.0]), np.array([0.0, 1.0]), None, "binary", points,
                               np.array([0, 1, 1]), np.array([False, False, True]), 2, name="preview"))
    assert not list(root.iter(f"{NS}image"))  # no model output yet
    # Class 0 a circle, class 1 a square (training and validation alike; validation outlined in black).
    assert len(list(root.iter(f"{NS}circle"))) == 1
    squares = [r for r in root.iter(f"{NS}rect") if r.get("fill") == PALETTE[1]]
    assert sorted(r.get("stroke") for r in squares) == ["black", "white"]
    assert root.get("data-chart") == "preview"


@pytest.mark.parametrize("make", [
    lambda: live.lines(_panels(np.array([1.0, 0.5]), np.array([1.2, 0.7])), height=400),
    lambda: live.boundary(np.linspace(0, 1, 2), np.linspace(0, 1, 2), np.array([[0.1, 0.9], [0.4, 0.6]]),
                          "binary", np.array([[0.2, 0.3]]), np.array([1]), np.array([False]), 2),
    lambda: live.projections([("Layer 1", "8-d → 2-d <&>", np.eye(3, 2))], np.array([0, 1, 0]), "binary", 2),
])
def test_a_frame_as_an_image_holds_the_same_svg(make):
    """The <img> carries the frame unchanged, as a data URL the browser decodes as XML."""
    svg = make()
    tag = ET.fromstring(live.as_image(svg, alt="Loss & accuracy"))
    assert tag.tag == "img" and tag.get("alt") == "Loss & accuracy"
    prefix = "data:image/svg+xml;base64,"
    assert tag.get("src").startswith(prefix)
    decoded = base64.b64decode(tag.get("src")[len(prefix):]).decode()
    assert decoded == svg
    assert tag.get("data-chart") == _tree(decoded).get("data-chart")
    style = dict(part.split(":") for part in tag.get("style").split(";"))
    assert style["width"] == "100%"
    if _tree(decoded).get("height"):  # line panels keep their pixel height
        assert style["height"] == f"{int(float(_tree(decoded).get('height')))}px"
    else:  # square frames keep their aspect ratio
        assert style["object-fit"] == "contain"


@pytest.mark.parametrize("labels", [("training", "validation"), ("학습", "검증")])
@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("n_classes", [2, 3, 7])
def test_the_boundary_legend_explains_marks_and_classes_without_overlap(labels, scale, n_classes):
    points = np.array([[0.2, 0.2], [0.8, 0.8]])
    root = _tree(live.boundary(np.array([0.0, 1.0]), np.array([0.0, 1.0]), None, "multiclass", points,
                               np.array([0, 1]), np.array([False, True]), n_classes, legend=labels, scale=scale))
    font = (live.BASE_FONT - 2) * scale
    (group,) = root.iter(f"{NS}g")  # the legend row(s), under the plot
    entries = list(group.iter(f"{NS}text"))
    assert [t.text for t in entries] == [*labels, *map(str, range(n_classes))]
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    rows: dict[float, list] = {}
    for t in entries:
        rows.setdefault(float(t.get("y")), []).append(t)
    for row in rows.values():  # left to right, each entry clear of the one before, inside the frame
        xs = [float(t.get("x")) for t in row]
        ends = [x + live._text_width(t.text, font) for x, t in zip(xs, row)]
        assert all(end < nxt for end, nxt in zip(ends, xs[1:]))
        assert ends[-1] <= width
    assert max(rows) < height


@pytest.mark.parametrize("labels", [("training (inference mode)", "validation (inference mode)", "training (fit)"),
                                    ("학습 (추론 모드)", "검증 (추론 모드)"), ("a", "b")])
@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_the_lines_legend_is_centred_and_its_entries_do_not_overlap(labels, scale):
    """Each entry (its line, then its label) ends before the next one's line starts, and the
    row is centred: the Lab's Korean labels overlapped at fixed steps of a narrow column."""
    colours = ("#1f77b4", "#ff7f0e", "#2ca02c")
    panels = [{"title": "loss", "x_title": "epoch",
               "series": [(label, np.arange(3.0), np.arange(3.0), colours[i], i == 1) for i, label in enumerate(labels)]}]
    root = _tree(live.lines(panels, scale=scale))
    (legend,) = [s for s in root.iter(f"{NS}svg") if s.get("x") == "50%"]
    font = (live.BASE_FONT - 1) * scale
    lines, texts = list(legend.iter(f"{NS}line")), list(legend.iter(f"{NS}text"))
    assert [t.text for t in texts] == list(labels)
    starts = [float(line.get("x1")) for line in lines]
    ends = [float(t.get("x")) + live._text_width(t.text, font) for t in texts]
    rows = [float(t.get("y")) for t in texts]
    assert all(float(line.get("x2")) < float(t.get("x")) for line, t in zip(lines, texts))
    if len(set(rows)) == 1:  # one row: side by side, centred, within the narrowest column
        assert all(end < start for end, start in zip(ends, starts[1:]))
        assert abs(starts[0] + ends[-1]) < 1.0  # centred on the middle of the frame
        assert ends[-1] - starts[0] <= live.NARROWEST_PX
    else:  # too wide for it: one entry a row, each row below the one before
        assert all(a < b for a, b in zip(rows, rows[1:]))
        assert abs(min(starts) + max(ends)) < 1.0


@pytest.mark.parametrize("scale,height", [(1.0, 180), (1.5, 165), (1.0, live.CURVES_HEIGHT)])
@pytest.mark.parametrize("last_epoch", [9, 240, 1100, 20000])
def test_tick_labels_keep_apart_in_the_narrowest_column(scale, height, last_epoch):
    """Each panel's x tick labels, at their estimated widths, do not touch when two panels share
    the narrowest column the Lab draws them in ("750" ran into "1000" past epoch 1000), and its
    y tick labels are at least their height and a gap apart (the loss axis's labels touched in
    the Lab's short frame at presentation scale); at least two x labels a panel."""
    epochs = np.arange(last_epoch + 1.0)
    loss = 0.7 * np.exp(-epochs / max(1, last_epoch / 3))
    panels = [{"title": title, "x_title": "epoch", "log_y": log_y,
               "series": [("train", epochs, values, PALETTE[0], False)]}
              for title, values, log_y in (("loss", loss, False), ("log loss", loss, True), ("accuracy", 1 - loss, False))]
    root = _tree(live.lines(panels[:2], scale=scale, height=height, x_titles=False))
    root3 = _tree(live.lines(panels[::2], scale=scale, height=height, x_titles=False))
    font = live.BASE_FONT * scale - 2 * scale
    for tree in (root, root3):
        texts = [t for t in tree.iter(f"{NS}text") if t.get("font-size") == f"{font:.1f}"]
        y_labels = [t for t in texts if t.get("text-anchor") == "end" and t.get("dx")]
        x_labels = [t for t in texts if t not in y_labels]
        by_row = {}
        for t in y_labels:
            by_row.setdefault(t.get("x"), []).append(float(t.get("y")))
        assert len(by_row) == 2
        for ys in by_row.values():  # (a plot ~40 px tall has room for one label)
            assert len(ys) >= 1 and all(abs(a - b) >= 1.6 * font - 1e-6 for a, b in zip(ys, ys[1:]))
        panels_x = {}
        for t in x_labels:
            x = float(t.get("x").rstrip("%")) / 100 * live.NARROWEST_PX
            width = live._text_width(t.text, font)
            start = {"start": x, "end": x - width}.get(t.get("text-anchor"), x - width / 2)
            panels_x.setdefault(float(t.get("y")), []).append((start, start + width))
        spans = sorted(span for row in panels_x.values() for span in row)
        assert len(spans) >= 4  # two panels, two ticks each at least
        assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])), spans
