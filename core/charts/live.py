"""Light SVG frames for the Training Lab while a run is live.

Why not Plotly for every frame? Streamlit (1.67) gives each new figure a new element id, and the
browser rebuilds a Plotly chart from scratch for it (measured: a fresh `.main-svg` for almost
every update, keyed or not). Building a Plotly figure costs the server 50-100 ms too (figure
validation, theming, JSON). These frames are plain SVG strings: a few milliseconds to build,
next to nothing for the browser to draw, so curves can redraw ten times a second while the model
trains. When the run ends, the interactive Plotly charts replace them.

They follow the Plotly charts' look: the same palette, fonts, sizes and presentation scale.
Functions return SVG markup; they never touch Streamlit. `as_image` wraps a frame in an `<img>`
with a data URL, shown with `st.markdown(..., unsafe_allow_html=True)` (`st.html` drops SVG):
the browser then draws the frame natively instead of Streamlit's markdown renderer building
hundreds of DOM nodes from it (measured: that, for every frame, delayed the first curve point
of a click on Train by 0.3-0.6 s on a 2-core machine).
"""

from __future__ import annotations

import base64
import io
import math
import re
from html import escape as _escape_html

import numpy as np

from core.charts import BASE_FONT, DIVERGING, PALETTE, marks, text_ems

FONT = "Noto Sans, Noto Sans CJK KR, sans-serif"
TEXT = "#2a3f5f"
GRID = "#E5ECF6"
AXIS = "#BBBBBB"
MAX_POINTS = 600          # per line; longer histories are thinned (the last point is kept)
CURVES_HEIGHT = 450       # as a Plotly chart's default height, so nothing jumps at the end
# The narrowest column a frame is drawn in, px (the Lab's curves column is ~400 px at 1280x720):
# its x tick labels and legend are laid out to fit this width.
NARROWEST_PX = 360.0
# Plotly's RdBu_r (the regression colour scale of the Plotly charts), at five stops.
RDBU_R = [[0.0, "#053061"], [0.25, "#4393c3"], [0.5, "#f7f7f7"], [0.75, "#d6604d"], [1.0, "#67001f"]]
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


# ---- lines -------------------------------------------------------------------------------
def lines(panels: list[dict], *, scale: float = 1.0, height: int = CURVES_HEIGHT, name: str = "curves",
          x_titles: bool = True) -> str:
    """Side-by-side line panels with a shared legend.

    Each panel: {"title": str, "x_title": str, "log_y": bool,
                 "series": [(label, xs, ys, colour, dashed), ...]}.
    Horizontal positions are percentages (the frame fills its column at any width); vertical
    ones are pixels, so text keeps its size. `x_titles=False` leaves the x axes' titles out, for
    a short frame (the Lab's one-screen layout)."""
    font = BASE_FONT * scale
    legend: dict[str, tuple[str, bool]] = {}
    for panel in panels:
        for label, _, _, colour, dashed in panel["series"]:
            legend.setdefault(label, (colour, dashed))
    # A row wider than the column goes one entry a row: English "training (inference mode)"
    # pairs were cut off at both edges of the Lab's column.
    stacked = _legend_width(legend, scale) > NARROWEST_PX
    extra_rows = len(legend) - 1 if stacked else 0  # one entry a row, under one another
    top, bottom = 34 * scale, (78 if x_titles else 50) * scale
    plot_h = height - top - bottom
    n = max(1, len(panels))
    # Room for the y tick labels, in % of the width: they grow with the presentation scale.
    gap, left_pad, right_pad = 9.0 * scale, 9.0 * scale, 2.0
    width = (100 - left_pad - right_pad - gap * (n - 1)) / n
    out = [_open(height + 18 * scale * extra_rows, font, name)]  # the plots keep their height
    for i, panel in enumerate(panels):
        x0 = left_pad + i * (width + gap)
        series = [(label, *_finite(xs, ys, panel.get("log_y", False)), colour, dashed)
                  for label, xs, ys, colour, dashed in panel["series"]]
        all_x = np.concatenate([s[1] for s in series] or [np.zeros(0)])
        all_y = np.concatenate([s[2] for s in series] or [np.zeros(0)])
        box = (x0, width, top, plot_h, *_range(all_x, pad=0.0), *_range(all_y, pad=0.05))
        out += _panel_axes(panel, box, i, font, scale, x_titles)
        out += _panel_data(series, box, scale)
    out.append(_legend(legend, height - 14 * scale, scale, stacked))
    out.append("</svg>")
    return "".join(out)


def _panel_axes(panel: dict, box: tuple, i: int, font: float, scale: float, x_titles: bool) -> list[str]:
    """One panel's title, grid lines with y tick labels, x tick labels, x title and x axis.
    `box`: (x0 %, width %, top px, height px, x_lo, x_hi, y_lo, y_hi)."""
    x0, width, top, plot_h, x_lo, x_hi, y_lo, y_hi = box
    out = [f'<text x="{x0 + width / 2:.2f}%" y="{top - 12 * scale:.1f}" text-anchor="middle" '
           f'font-size="{font + scale:.1f}">{escape(panel["title"])}</text>']
    tick_font = font - 2 * scale
    log_y = panel.get("log_y", False)
    y_ticks = _fitting(lambda n: _log_ticks(y_lo, y_hi, n) if log_y else _ticks(y_lo, y_hi, n),
                       y_lo, y_hi, plot_h, lambda label: 1.6 * tick_font)
    for value, label in y_ticks:
        y = top + plot_h * (1 - (value - y_lo) / (y_hi - y_lo))
        out.append(f'<line x1="{x0:.2f}%" x2="{x0 + width:.2f}%" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        out.append(f'<text x="{x0:.2f}%" dx="{-6 * scale:.1f}" y="{y:.1f}" dy="0.35em" text-anchor="end" '
                   f'font-size="{tick_font:.1f}">{label}</text>')
    x_ticks = _fitting(lambda n: _ticks(x_lo, x_hi, n, integer=True), x_lo, x_hi, NARROWEST_PX * width / 100,
                       # 1.5 widths: a label at a panel's end is drawn all inside it (below)
                       lambda label: 1.5 * _text_width(label, tick_font) + 0.8 * tick_font)
    for value, label in x_ticks:
        share = (value - x_lo) / (x_hi - x_lo)
        x = x0 + width * share
        # A label at a panel's edge is drawn inside it: a centred "1000" at the right end of
        # the loss panel ran into the "0" at the start of the next one.
        anchor = "end" if share > 0.9 else "start" if share < 0.1 and i > 0 else "middle"
        out.append(f'<text x="{x:.2f}%" y="{top + plot_h + 18 * scale:.1f}" text-anchor="{anchor}" '
                   f'font-size="{tick_font:.1f}">{label}</text>')
    if x_titles:
        out.append(f'<text x="{x0 + width / 2:.2f}%" y="{top + plot_h + 40 * scale:.1f}" text-anchor="middle">'
                   f'{escape(panel.get("x_title", ""))}</text>')
    out.append(f'<line x1="{x0:.2f}%" x2="{x0 + width:.2f}%" y1="{top + plot_h:.1f}" y2="{top + plot_h:.1f}" '
               f'stroke="{AXIS}"/>')
    return out


def _panel_data(series: list, box: tuple, scale: float) -> list[str]:
    """The data: a nested SVG stretched over the plot area; strokes keep their width."""
    x0, width, top, plot_h, x_lo, x_hi, y_lo, y_hi = box
    out = [f'<svg x="{x0:.2f}%" y="{top:.1f}" width="{width:.2f}%" height="{plot_h:.1f}" '
           f'viewBox="0 0 1000 1000" preserveAspectRatio="none" overflow="hidden">']
    for label, xs, ys, colour, dashed in series:
        for segment in _segments(xs, ys):
            points = [f"{1000 * (x - x_lo) / (x_hi - x_lo):.1f},{1000 * (1 - (y - y_lo) / (y_hi - y_lo)):.1f}"
                      for x, y in segment]
            if len(points) == 1:  # a lone point (epoch 0): a round dot, the line's width
                points.append(points[0])
            points = " ".join(points)
            dash = f' stroke-dasharray="{6 * scale:.0f} {4 * scale:.0f}"' if dashed else ""
            out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                       f'stroke-width="{2 * scale:.1f}" stroke-linecap="round" vector-effect="non-scaling-stroke"{dash}/>')
    out.append("</svg>")
    return out


def _legend_entries(items: dict, scale: float) -> list[float]:
    """Each entry's width in px: its line, a gap, its label."""
    font = (BASE_FONT - 1) * scale
    return [32 * scale + _text_width(label, font) for label in items]


def _legend_width(items: dict, scale: float) -> float:
    widths = _legend_entries(items, scale)
    return sum(widths) + 16 * scale * max(0, len(widths) - 1)


def _legend(items: dict[str, tuple[str, bool]], y: float, scale: float, stacked: bool = False) -> str:
    """Each series' line style and label, side by side and centred under the panels, laid out
    in pixels from the centre by the labels' estimated widths (`_text_width`); `stacked`: one
    entry a row, the rows centred on the widest. At fixed steps of the width, longer labels ran
    into each other in a narrow column (seen: the Lab's Korean "학습 (추론 모드)" over
    "검증 (추론 모드)" at 1280x720 in presentation mode)."""
    font, line, gap = (BASE_FONT - 1) * scale, 26 * scale, 16 * scale
    widths = _legend_entries(items, scale)
    x = -(max(widths, default=0) if stacked else _legend_width(items, scale)) / 2
    parts = [f'<svg x="50%" y="{y - 6 * scale:.1f}" width="1" height="1" overflow="visible" font-size="{font:.1f}">']
    for i, (width, (label, (colour, dashed))) in enumerate(zip(widths, items.items())):
        dash = f' stroke-dasharray="{5 * scale:.0f} {3 * scale:.0f}"' if dashed else ""
        row_y = (6 + 18 * i if stacked else 6) * scale
        parts.append(f'<line x1="{x:.1f}" x2="{x + line:.1f}" y1="{row_y:.1f}" y2="{row_y:.1f}" '
                     f'stroke="{colour}" stroke-width="{2 * scale:.1f}"{dash}/>'
                     f'<text x="{x + line + 6 * scale:.1f}" y="{row_y:.1f}" dy="0.35em">{escape(label)}</text>')
        if not stacked:
            x += width + gap
    parts.append("</svg>")
    return "".join(parts)


# ---- decision boundary ---------------------------------------------------------------------
def boundary(xs, ys, z, task: str, points, labels, is_val, n_classes: int, *, scale: float = 1.0,
             name: str = "boundary", legend: tuple[str, str] | None = None, class_names=()) -> str:
    """The model's output over the input plane as an image (none if z is None: the data
    alone, before any training), the data points on top.
    A square plot, sized by its column (a viewBox), as the Plotly chart keeps x and y equal.
    The viewBox is about as wide as the Lab's boundary column at 1280 px, so text there is drawn
    at its nominal size (and grows with a wider column). `legend`: the (training, validation)
    labels of a row under the plot that explains the marks and the class colours."""
    size, pad_l, pad_b, pad_t = 260, 38 * scale, 36 * scale, 8 * scale
    full_w, full_h = size + pad_l + 10, size + pad_b + pad_t
    legend_markup = ""
    if legend is not None:
        legend_markup, rows = _marks_legend(legend, task, n_classes, pad_l, full_h + 10 * scale, full_w - 4, scale,
                                            class_names)
        full_h += 4 * scale + 20 * scale * rows
    font = BASE_FONT * scale
    x_lo, x_hi, y_lo, y_hi = float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{name}" viewBox="0 0 {full_w:.0f} {full_h:.0f}" '
           f'style="width:100%;max-height:{CURVES_HEIGHT}px;background:white" font-family="{FONT}" '
           f'fill="{TEXT}" font-size="{font:.1f}">']
    if z is not None:
        out.append(f'<image x="{pad_l:.1f}" y="{pad_t:.1f}" width="{size}" height="{size}" preserveAspectRatio="none" '
                   f'style="image-rendering:pixelated" href="data:image/png;base64,{_png(_boundary_rgb(z, task, n_classes))}"/>')
    else:
        out.append(f'<rect x="{pad_l:.1f}" y="{pad_t:.1f}" width="{size}" height="{size}" fill="white" stroke="{AXIS}"/>')
    px = pad_l + size * (points[:, 0] - x_lo) / (x_hi - x_lo)
    py = pad_t + size * (1 - (points[:, 1] - y_lo) / (y_hi - y_lo))
    colours = _point_colours(labels, task, n_classes)
    shapes = _point_shapes(labels, task)
    r = 3.0 * scale
    for x, y, colour, val, k in zip(px, py, colours, is_val, shapes):
        # Shape by class (colour is not the only cue); validation larger, outlined in black.
        out.append(marks.svg_mark(k, x, y, r * 1.25, colour, "black", 1.2) if val else
                   marks.svg_mark(k, x, y, r, colour, "white", 0.8))
    for value, label in _ticks(x_lo, x_hi):
        x = pad_l + size * (value - x_lo) / (x_hi - x_lo)
        out.append(f'<text x="{x:.1f}" y="{pad_t + size + 16 * scale:.1f}" text-anchor="middle" '
                   f'font-size="{font - 2 * scale:.1f}">{label}</text>')
    for value, label in _ticks(y_lo, y_hi):
        y = pad_t + size * (1 - (value - y_lo) / (y_hi - y_lo))
        out.append(f'<text x="{pad_l - 5:.1f}" y="{y:.1f}" dy="0.35em" text-anchor="end" '
                   f'font-size="{font - 2 * scale:.1f}">{label}</text>')
    out.append(f'<text x="{pad_l + size / 2:.1f}" y="{size + pad_b + pad_t - 4:.1f}" text-anchor="middle">x₁</text>')
    out.append(legend_markup)
    out.append(f'<text x="{12 * scale:.1f}" y="{pad_t + size / 2:.1f}" text-anchor="middle">x₂</text>')
    out.append("</svg>")
    return "".join(out)


def _marks_legend(labels: tuple[str, str], task: str, n_classes: int, x0: float, y: float, right: float,
                  scale: float, class_names=()) -> tuple[str, int]:
    """● training  ◆ validation, then the class colours (up to ten), in rows that end before
    `right`; the markup and the number of rows."""
    r, font, grey = 3.0 * scale, (BASE_FONT - 2) * scale, "#777777"
    # (class shape, fill, outline, outline width, size): the splits as grey circles, the
    # classes in their colour and shape.
    keys = [((0, grey, grey, 0.8, r), labels[0]), ((0, grey, "black", 1.2, r * 1.25), labels[1])]
    if task != "regression" and n_classes <= 10:
        keys += [((k, PALETTE[k % len(PALETTE)], PALETTE[k % len(PALETTE)], 0.8, r * 1.15), _class_label(k, class_names))
                 for k in range(n_classes)]
    parts, x, rows = [f'<g font-size="{font:.1f}">'], x0, 1
    for (k, fill, edge, width_, size), label in keys:
        width = 3 * r + _text_width(label, font) + 10 * scale
        if x > x0 and x + width - 10 * scale > right:  # the next row
            x, y, rows = x0, y + 20 * scale, rows + 1
        parts.append(marks.svg_mark(k, x + r, y, size, fill, edge, width_)
                     + f'<text x="{x + 3 * r:.1f}" y="{y:.1f}" dy="0.35em">{escape(label)}</text>')
        x += width
    parts.append("</g>")
    return "".join(parts), rows


def _class_label(k: int, class_names) -> str:
    """Class k as the learner knows it: an uploaded file's own name for it, else its number."""
    return str(class_names[k]) if k < len(class_names) else str(k)


def _text_width(text: str, font: float) -> float:
    """About how wide `text` is drawn at `font` px."""
    return font * text_ems(text)


def _boundary_rgb(z, task: str, n_classes: int) -> np.ndarray:
    """(rows, cols, 3) uint8, rows top to bottom (z's rows go up in y)."""
    z = np.nan_to_num(np.asarray(z, dtype=float), nan=0.5 if task == "binary" else 0.0, posinf=1e9, neginf=-1e9)
    if task == "binary":
        rgb, alpha = _interpolate(DIVERGING, np.clip(z, 0, 1)), 0.75
    elif task == "multiclass":
        palette = np.array([_hex(PALETTE[k % len(PALETTE)]) for k in range(max(2, n_classes))], float)
        rgb, alpha = palette[np.clip(z.astype(int), 0, len(palette) - 1)], 0.45
    else:
        limit = max(float(np.abs(z).max()), 1e-12)
        rgb, alpha = _interpolate(RDBU_R, (z / limit + 1) / 2), 0.75
    blended = alpha * rgb + (1 - alpha) * 255  # over the white page, as Plotly's opacity does
    return blended[::-1].round().astype(np.uint8)


def _point_shapes(labels, task: str) -> list[int]:
    """Each point's class for its shape (core.charts.marks); a regression's points are circles."""
    return [0] * len(labels) if task == "regression" else [int(k) for k in labels]


def _point_colours(labels, task: str, n_classes: int) -> list[str]:
    if task != "regression":
        return [PALETTE[int(k) % len(PALETTE)] for k in labels]
    values = np.asarray(labels, float)
    limit = max(float(np.abs(values).max()) if len(values) else 1.0, 1e-12)
    return ["#%02x%02x%02x" % tuple(int(c) for c in row) for row in _interpolate(RDBU_R, (values / limit + 1) / 2)]


# ---- projections ---------------------------------------------------------------------------
def projections(panels: list[tuple[str, str, np.ndarray]], labels, task: str, n_classes: int, *,
                scale: float = 1.0, name: str = "projections") -> str:
    """One square scatter per layer: (title, subtitle, coords (n, 2)), up to four a row."""
    cols = min(4, max(1, len(panels)))
    rows = math.ceil(len(panels) / cols)
    panel_h = 300
    title_h = 46 * scale
    height = rows * (panel_h + title_h) + 10
    font = BASE_FONT * scale
    colours = _point_colours(labels, task, n_classes)
    width = 100 / cols
    out = [_open(height, font, name)]
    for i, (title, subtitle, coords) in enumerate(panels):
        r, c = divmod(i, cols)
        x0, y0 = c * width, r * (panel_h + title_h)
        out.append(f'<text x="{x0 + width / 2:.2f}%" y="{y0 + 18 * scale:.1f}" text-anchor="middle">{escape(title)}</text>')
        out.append(f'<text x="{x0 + width / 2:.2f}%" y="{y0 + 36 * scale:.1f}" text-anchor="middle" '
                   f'font-size="{font * 0.75:.1f}">{escape(subtitle)}</text>')
        out.append(f'<svg x="{x0 + 1:.2f}%" y="{y0 + title_h:.1f}" width="{width - 2:.2f}%" height="{panel_h}" '
                   f'viewBox="0 0 1000 1000" preserveAspectRatio="xMidYMin meet">'
                   f'<rect width="1000" height="1000" fill="none" stroke="{GRID}" stroke-width="4"/>')
        coords = np.nan_to_num(np.asarray(coords, float)[:, :2])
        lo, hi = coords.min(axis=0), coords.max(axis=0)
        span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
        xy = 40 + 920 * (coords - lo) / span
        radius = 14 * scale
        out.extend(marks.svg_mark(k, x, 1000 - y, radius, colour, "none", 0)
                   for (x, y), colour, k in zip(xy, colours, _point_shapes(labels, task)))
        out.append("</svg>")
    out.append("</svg>")
    return "".join(out)


# ---- helpers -------------------------------------------------------------------------------
_MARKDOWN = str.maketrans({"*": "&#42;", "_": "&#95;", "`": "&#96;", "~": "&#126;", "[": "&#91;", "\\": "&#92;"})


def escape(text: str) -> str:
    """Text for an SVG shown through markdown: HTML-escaped, markdown's marks as entities."""
    return _escape_html(str(text)).translate(_MARKDOWN)


def as_image(svg: str, alt: str = "") -> str:
    """A frame as an `<img>`: full column width; the frame's own height (line panels) or its
    aspect ratio, at most CURVES_HEIGHT px tall (the square frames)."""
    head = svg[:svg.index(">")]
    name = re.search(r'data-chart="([^"]*)"', head).group(1)
    height = re.search(r' height="([0-9.]+)"', head)
    style = (f"width:100%;height:{height.group(1)}px" if height
             else f"width:100%;max-height:{CURVES_HEIGHT}px;object-fit:contain")
    data = base64.b64encode(svg.encode()).decode()
    return (f'<img data-chart="{name}" alt="{_escape_html(alt)}" style="{style}" '
            f'src="data:image/svg+xml;base64,{data}"/>')


def _open(height: float, font: float, name: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{name}" width="100%" height="{height:.0f}" '
            f'font-family="{FONT}" font-size="{font:.1f}" fill="{TEXT}" style="background:white">')


def _finite(xs, ys, log_y: bool) -> tuple[np.ndarray, np.ndarray]:
    """The points to draw, thinned to MAX_POINTS; values a log axis cannot show become NaN
    (a gap), as do NaN and ±inf of a diverging run."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if len(xs) > MAX_POINTS:
        keep = np.unique(np.append(np.linspace(0, len(xs) - 1, MAX_POINTS).astype(int), len(xs) - 1))
        xs, ys = xs[keep], ys[keep]
    ys = np.where(np.isfinite(ys) & (np.abs(ys) < 1e15), ys, np.nan)
    if log_y:
        with np.errstate(divide="ignore", invalid="ignore"):
            ys = np.where(ys > 0, np.log10(ys), np.nan)
    return xs, ys


def _segments(xs: np.ndarray, ys: np.ndarray):
    """Runs of finite points (a line breaks where a value is missing)."""
    good = np.isfinite(ys)
    start = None
    for i, ok in enumerate(np.append(good, False)):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            yield zip(xs[start:i], ys[start:i])
            start = None


def _range(values: np.ndarray, pad: float) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    margin = pad * (hi - lo)
    return lo - margin, hi + margin


def _ticks(lo: float, hi: float, target: int = 5, integer: bool = False) -> list[tuple[float, str]]:
    """Round values (1, 2, 2.5 or 5 times a power of ten) inside [lo, hi], with labels."""
    raw = (hi - lo) / target
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9) * step
    values = [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]
    return [(v, _label(v, step)) for v in values]


def _fitting(ticks, lo: float, hi: float, room_px: float, size_px) -> list[tuple[float, str]]:
    """`ticks(n)` for the largest n (5 down to 2) whose neighbouring labels are at least
    `size_px(label)` apart along `room_px` (a label's width and a gap on an x axis, its height
    and a gap on a y axis). A fixed five ran into each other in the Lab's small frames: "750"
    touched "1000" past epoch 1000, and the loss axis's labels touched in a plot ~55 px tall."""
    def fits(chosen) -> bool:
        if len(chosen) < 2 or hi <= lo:
            return True
        spacing = (chosen[1][0] - chosen[0][0]) / (hi - lo) * room_px
        return spacing >= max(size_px(label) for _, label in chosen)

    for n in (5, 4, 3, 2):
        chosen = ticks(n)
        if fits(chosen):
            return chosen
    # Still too close (a plot ~40 px tall): every k-th of them, down to one label.
    return next(thinned for k in range(2, len(chosen) + 1) if fits(thinned := chosen[::k]))


def _log_ticks(lo: float, hi: float, target: int = 6) -> list[tuple[float, str]]:
    """Ticks on a log10 axis (values are log10 already): powers of ten, labelled 10ⁿ; with fewer
    than two powers in range, 1, 2 and 5 times them (a loss over ~1.3 decades had one label)."""
    powers = range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)
    if len(powers) >= 2:
        step = max(1, math.ceil((hi - lo) / target))
        return [(float(p), "10" + str(p).translate(_SUPERSCRIPT)) for p in powers[::step]]
    nice = [k + math.log10(m) for k in range(math.floor(lo), math.ceil(hi) + 1) for m in (1, 2, 5)]
    nice = [v for v in nice if lo - 1e-9 <= v <= hi + 1e-9]
    if len(nice) >= 2:
        return [(v, _label(10 ** v, 10 ** math.floor(v + 1e-9))) for v in nice[::max(1, math.ceil(len(nice) / target))]]
    # less than that: ordinary values, still on the log scale
    return [(v, _label(10 ** v, 10 ** v / 10)) for v, _ in _ticks(lo, hi, min(4, target))]


def _label(value: float, step: float) -> str:
    if abs(value) < step * 1e-6:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.1e}"
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{value:.{decimals}f}"


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _interpolate(scale: list, t: np.ndarray) -> np.ndarray:
    """Colours of a Plotly-style scale [[position, '#rrggbb'], ...] at t in [0, 1]: (..., 3)."""
    positions = np.array([p for p, _ in scale], float)
    colours = np.array([_hex(c) for _, c in scale], float)
    t = np.clip(np.asarray(t, float), 0, 1)
    return np.stack([np.interp(t, positions, colours[:, k]) for k in range(3)], axis=-1)


def _png(pixels: np.ndarray) -> str:
    """(h, w, 3) RGB or (h, w, 4) RGBA uint8 pixels as a base64 PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA" if pixels.shape[-1] == 4 else "RGB").save(buffer, format="PNG", compress_level=1)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
