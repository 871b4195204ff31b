"""Any of the app's Plotly figures as a static SVG, drawn on the server.

Why: a page that shows a Plotly chart makes every new visitor's browser download and compile
Streamlit's Plotly bundle (4.7 MB of JavaScript) before the first chart appears. Measured on the
2-core machine, a fresh browser context: a page of one tiny Plotly chart was complete 1.2-1.5 s
later than the same page without it, the app's chart pages 3-5 s after the click. An SVG built
here costs the server a few milliseconds and the browser next to nothing, so a page's default
view is complete as soon as its script ends. The sidebar's "Interactive charts" switch brings
back Plotly (hover, zoom, click, animation) for those who want it.

`figure_svg(fig)` reads the figure as Plotly would (its data and layout, after `theme`) and
draws the parts this app uses: scatter lines/markers/text/fills, bars, heatmaps and contours
(as images), subplots, linear/log/category axes, shapes, annotations, a legend and a colour
bar. Interaction (hover, updatemenus, animation frames) is left out: there is none in a picture.
Like the live frames (core.charts.live), horizontal positions are percentages and vertical ones
pixels, so text keeps its size at any column width. Never touches Streamlit.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from core.charts import BASE_FONT, PALETTE, text_ems
from core.charts.live import AXIS, FONT, GRID, TEXT, _hex, _interpolate, _label, _log_ticks, _png, _ticks, escape

NOMINAL_WIDTH = 800.0      # px: a chart across the main column (a chart in a column: `width=`)
DEFAULT_HEIGHT = 450
DASHES = {"dash": (6, 4), "dot": (2, 3), "dashdot": (6, 3, 2, 3), "longdash": (10, 4), "longdashdot": (10, 3, 2, 3)}


_local = threading.local()  # the width assumed by the figure being drawn on this thread


def _pct(px: float) -> float:
    """A length in px as a percentage of the chart's width (its assumed width)."""
    return 100 * px / getattr(_local, "width", NOMINAL_WIDTH)


class Unsupported(ValueError):
    """A figure uses something this renderer does not draw (the caller falls back to Plotly)."""


@dataclass
class Axis:
    name: str                    # "x", "x2", "y", ...
    spec: dict
    domain: tuple[float, float] = (0.0, 1.0)
    kind: str = "linear"         # linear | log | category
    categories: list = field(default_factory=list)
    lo: float = 0.0
    hi: float = 1.0
    reversed: bool = False

    def value(self, v) -> float:
        """A data value in this axis' units (log10 for a log axis, index for a category)."""
        if self.kind == "category":
            if isinstance(v, (int, float, np.integer, np.floating)) and v not in self.categories:
                return float(v)
            return float(self.categories.index(v)) if v in self.categories else math.nan
        v = _num(v)
        if self.kind == "log":
            return math.log10(v) if v > 0 else math.nan
        return v

    def frac(self, u: float) -> float:
        """Axis units -> 0..1 along the axis (0 at the start: left or bottom)."""
        f = (u - self.lo) / (self.hi - self.lo) if self.hi != self.lo else 0.5
        return 1 - f if self.reversed else f


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _arr(v) -> list:
    if v is None:
        return []
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def _get(d: dict | None, path: str, default=None):
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return default
        d = d[part]
    return d if d is not None else default


def _colour(value, default: str = TEXT) -> tuple[str, float]:
    """A Plotly colour string as (svg colour, opacity)."""
    if not isinstance(value, str) or not value:
        return default, 1.0
    m = re.fullmatch(r"rgba?\(([^)]*)\)", value.replace(" ", ""))
    if m:
        parts = [float(p) for p in m.group(1).split(",")]
        alpha = parts[3] if len(parts) > 3 else 1.0
        return f"rgb({int(parts[0])},{int(parts[1])},{int(parts[2])})", alpha
    return value, 1.0


def _rgb_array(colour: str) -> np.ndarray:
    c, _ = _colour(colour)
    if c.startswith("#"):
        return np.array(_hex(c if len(c) == 7 else "#" + "".join(ch * 2 for ch in c[1:4])), float)
    m = re.fullmatch(r"rgb\((\d+),(\d+),(\d+)\)", c)
    return np.array([float(g) for g in m.groups()]) if m else np.array([128.0, 128, 128])


def _scale(spec, reverse: bool = False) -> list:
    from plotly.colors import get_colorscale

    if spec is None:
        spec = "Viridis"
    if isinstance(spec, str):
        spec = get_colorscale(spec)
    stops = [[float(p), "#%02x%02x%02x" % tuple(int(round(x)) for x in _rgb_array(c))] for p, c in spec]
    if reverse:
        stops = [[1 - p, c] for p, c in reversed(stops)]
    return stops


# ---- text -----------------------------------------------------------------------------------
def _rich(text, font: float) -> list[str]:
    """Plotly's rich text (<br>, <b>, <i>, <sup>) as lines of SVG tspans."""
    lines = re.split(r"<br\s*/?>", str(text or ""))
    out = []
    for line in lines:
        parts = re.split(r"(<[^>]+>)", line)
        bold = italic = False
        sup = 0
        spans = []
        for part in parts:
            tag = part.lower()
            if tag in ("<b>", "<strong>"):
                bold = True
            elif tag in ("</b>", "</strong>"):
                bold = False
            elif tag in ("<i>", "<em>"):
                italic = True
            elif tag in ("</i>", "</em>"):
                italic = False
            elif tag in ("<sup>", "<sub>"):
                sup = -1 if tag == "<sup>" else 1
            elif tag in ("</sup>", "</sub>"):
                sup = 0
            elif part.startswith("<"):
                continue
            elif part:
                style = (' font-weight="bold"' if bold else "") + (' font-style="italic"' if italic else "")
                if sup:
                    style += f' font-size="{font * 0.7:.1f}" baseline-shift="{"super" if sup < 0 else "sub"}"'
                spans.append(f"<tspan{style}>{escape(_unescape(part))}</tspan>" if style else escape(_unescape(part)))
        out.append("".join(spans))
    return out


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _plain(text) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"<br\s*/?>", "\n", str(text or "")))


def _width_px(text, font: float) -> float:
    return max((text_ems(line) for line in _plain(text).split("\n")), default=0.0) * font


def _text(x: str, y: float, text, font: float, *, anchor: str = "middle", colour: str | None = None,
          baseline: str = "middle", rotate: bool = False, extra: str = "") -> str:
    """Multi-line text at (x, y): x a percentage string or px, y px; `baseline` says which
    edge of the block sits at y (top, middle or bottom)."""
    lines = _rich(text, font)
    if not any(lines):
        return ""
    step = 1.2 * font
    block = step * (len(lines) - 1)
    first = {"top": 0.8 * font, "middle": -block / 2 + 0.35 * font, "bottom": -block - 0.25 * font}[baseline]
    fill = f' fill="{colour}"' if colour else ""
    if rotate:  # rotate() takes no percentages: rotate inside a nested SVG placed at (x, y)
        spans = [f'<tspan x="0" dy="{0 if i == 0 else step:.1f}">{line}</tspan>' for i, line in enumerate(lines)]
        return (f'<svg x="{x}" y="{y:.1f}" width="1" height="1" overflow="visible"><text x="0" y="{first:.1f}" '
                f'text-anchor="{anchor}" font-size="{font:.1f}"{fill}{extra} transform="rotate(-90)">'
                + "".join(spans) + "</text></svg>")
    head = f'<text x="{x}" y="{y + first:.1f}" text-anchor="{anchor}" font-size="{font:.1f}"{fill}{extra}>'
    spans = [f'<tspan x="{x}" dy="{0 if i == 0 else step:.1f}">{line}</tspan>' for i, line in enumerate(lines)]
    return head + "".join(spans) + "</text>"


# ---- markers --------------------------------------------------------------------------------
def _symbol_path(symbol: str, size: float) -> tuple[str, bool]:
    """An SVG path for a Plotly marker symbol centred on 0,0 and whether it is drawn open."""
    symbol = str(symbol or "circle")
    open_ = symbol.endswith("-open")
    base = symbol.replace("-open", "").replace("-dot", "")
    r = size / 2
    if base == "square":
        d = f"M{-r},{-r}H{r}V{r}H{-r}Z"
    elif base == "diamond":
        d = f"M0,{-r * 1.3}L{r * 1.3},0L0,{r * 1.3}L{-r * 1.3},0Z"
    elif base.startswith("triangle"):
        pts = {"triangle-up": [(0, -1), (0.95, 0.6), (-0.95, 0.6)], "triangle-down": [(0, 1), (0.95, -0.6), (-0.95, -0.6)],
               "triangle-left": [(-1, 0), (0.6, -0.95), (0.6, 0.95)], "triangle-right": [(1, 0), (-0.6, -0.95), (-0.6, 0.95)]}
        p = pts.get(base, pts["triangle-up"])
        d = "M" + "L".join(f"{a * r * 1.2:.2f},{b * r * 1.2:.2f}" for a, b in p) + "Z"
    elif base in ("x", "x-thin"):
        w = r * 0.35
        d = (f"M{-r},{-r + w}L{-r + w},{-r}L0,{-w}L{r - w},{-r}L{r},{-r + w}L{w},0L{r},{r - w}L{r - w},{r}"
             f"L0,{w}L{-r + w},{r}L{-r},{r - w}L{-w},0Z")
    elif base in ("cross", "cross-thin"):
        w = r * 0.35
        d = f"M{-w},{-r}H{w}V{-w}H{r}V{w}H{w}V{r}H{-w}V{w}H{-r}V{-w}H{-w}Z"
    elif base == "star":
        pts = []
        for k in range(10):
            rad = r * 1.25 if k % 2 == 0 else r * 0.5
            a = -math.pi / 2 + k * math.pi / 5
            pts.append(f"{rad * math.cos(a):.2f},{rad * math.sin(a):.2f}")
        d = "M" + "L".join(pts) + "Z"
    else:  # circle and anything else
        d = f"M{r},0A{r},{r} 0 1,1 0,{-r}A{r},{r} 0 0,1 {r},0Z"
    return d, open_


class _Defs:
    """Marker shapes, defined once and placed with <use> (which takes percentage positions)."""

    def __init__(self):
        self.ids: dict[tuple, str] = {}
        self.items: list[str] = []

    def marker(self, symbol: str, size: float) -> tuple[str, bool]:
        key = (str(symbol), round(float(size), 1))
        d, open_ = _symbol_path(symbol, float(size))
        if key not in self.ids:
            self.ids[key] = f"m{len(self.ids)}"
            self.items.append(f'<path id="{self.ids[key]}" d="{d}"/>')
        return self.ids[key], open_


# ---- the figure ---------------------------------------------------------------------------
def figure_svg(fig: go.Figure, name: str = "static", width: float = NOMINAL_WIDTH) -> str:
    """The figure as an SVG string (see the module's docstring for what is drawn). `width`:
    about how wide it will be shown, in px; margins and legend rows are laid out for it."""
    _local.width = float(width)
    spec = _decode(fig.to_plotly_json())
    layout = spec.get("layout", {})
    template = _get(layout, "template.layout", {}) or {}
    traces = [t for t in spec.get("data", []) if t.get("visible", True) is True]
    font = float(_get(layout, "font.size") or _get(template, "font.size") or BASE_FONT)
    scale = font / BASE_FONT
    tick_font = float(_get(template, "xaxis.tickfont.size") or (BASE_FONT - 2) * scale)
    height = float(layout.get("height") or DEFAULT_HEIGHT)
    colorway = _get(layout, "colorway") or _get(template, "colorway") or PALETTE
    for t in traces:
        if t.get("type", "scatter") not in ("scatter", "scattergl", "bar", "heatmap", "contour"):
            raise Unsupported(f"trace type {t.get('type')}")

    axes = _axes(layout, traces)
    _autorange(axes, traces, layout)
    legend_items = _legend_items(traces, layout, colorway)
    scalebars = [t for t in traces if t.get("type") in ("heatmap", "contour") and t.get("showscale", True) is not False]

    # Margins: room for tick labels and titles, the legend below, a colour bar on the right.
    title_text = _get(layout, "title.text")
    top = max(float(_get(layout, "margin.t") or 20 * scale), 10 * scale)
    if title_text:
        top = max(top, (len(_plain(title_text).split("\n")) * 1.2 + 1.0) * font * 1.1)
    left_px = 10 * scale
    bottom = 8 * scale
    for ax in axes.values():
        if ax.spec.get("visible") is False:
            continue
        title = _get(ax.spec, "title.text")
        if ax.name.startswith("y") and ax.domain and _touches(ax, axes, "left"):
            labels = [label for _, label in _tick_list(ax)] if ax.spec.get("showticklabels", True) else []
            need = max((_width_px(label, tick_font) for label in labels), default=0) + 8 * scale
            need += (len(_plain(title).split("\n")) * 1.2 * font + 6 * scale) if title else 0
            left_px = max(left_px, need + 4 * scale)
        if ax.name.startswith("x") and _touches(ax, axes, "bottom"):
            need = (tick_font * 1.6 if ax.spec.get("showticklabels", True) else 4) + \
                   ((len(_plain(title).split("\n")) * 1.2 * font + 6 * scale) if title else 0)
            bottom = max(bottom, need + 6 * scale)
    right_px = max(float(_get(layout, "margin.r") or 10 * scale), 10 * scale) + (70 * scale if scalebars else 0)
    legend_rows = _legend_rows(legend_items, font, right_px, left_px)
    row_h = 1.6 * font
    bottom += len(legend_rows) * row_h
    plot_h = max(40.0, height - top - bottom)
    geom = _Geometry(left=_pct(left_px), right=_pct(right_px), top=top, height=plot_h)

    defs = _Defs()
    body: list[str] = []
    for shape in _list(layout.get("shapes")):
        if shape.get("layer") == "below":
            body.append(_shape(shape, axes, geom))
    for (xa, ya) in _subplots(axes, traces):
        body.append(_subplot_frame(axes[xa], axes[ya], geom, tick_font, font, scale))
    barmode = layout.get("barmode") or "group"
    bars = [t for t in traces if t.get("type") == "bar"]
    for i, t in enumerate(traces):
        colour = colorway[i % len(colorway)]
        xa, ya = axes[_ref(t, "x")], axes[_ref(t, "y")]
        kind = t.get("type", "scatter")
        if kind in ("heatmap", "contour"):
            body.append(_heatmap(t, xa, ya, geom, tick_font))
        elif kind == "bar":
            body.append(_bar(t, bars, barmode, colour, xa, ya, geom, tick_font, axes))
        else:
            body.append(_scatter(t, traces, colour, xa, ya, geom, defs, tick_font, scale))
    for shape in _list(layout.get("shapes")):
        if shape.get("layer") != "below":
            body.append(_shape(shape, axes, geom))
    for note in _list(layout.get("annotations")):
        body.append(_annotation(note, axes, geom, font, scale))
    for k, t in enumerate(scalebars[:1]):
        body.append(_colourbar(t, geom, tick_font, scale))
    if title_text:
        body.append(_text(f"{geom.left:.2f}%", 0.6 * font, title_text, float(_get(layout, "title.font.size") or font * 1.1),
                          anchor="start", baseline="top"))
    body.append(_legend(legend_rows, height - len(legend_rows) * row_h + 0.2 * font, row_h, font, defs, scale, geom))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{escape(name)}" width="100%" height="{height:.0f}" '
            f'font-family="{FONT}" font-size="{font:.1f}" fill="{TEXT}" style="background:white">')
    body_markup = "".join(body)
    return head + "<defs>" + "".join(defs.items) + _arrow_defs(body_markup) + "</defs>" + body_markup + "</svg>"


def _decode(obj):
    """Plotly's typed arrays ({"dtype", "bdata", "shape"}) back to NumPy arrays, everywhere."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            import base64

            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            shape = obj.get("shape")
            if shape:
                arr = arr.reshape([int(n) for n in str(shape).split(",")])
            return arr
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def _list(v) -> list:
    return list(v) if isinstance(v, (list, tuple)) else []


def _ref(trace: dict, axis: str) -> str:
    return trace.get(f"{axis}axis") or axis


@dataclass
class _Geometry:
    left: float    # % of the width
    right: float   # % of the width
    top: float     # px
    height: float  # px

    @property
    def width(self) -> float:
        return 100 - self.left - self.right

    def x(self, frac: float) -> float:
        return self.left + self.width * frac

    def y(self, frac: float) -> float:
        return self.top + self.height * (1 - frac)


def _axes(layout: dict, traces: list) -> dict[str, Axis]:
    names = {re.sub("axis", "", k) for k in layout if re.fullmatch(r"[xy]axis\d*", k)}
    for t in traces:
        names |= {_ref(t, "x"), _ref(t, "y")}
    names |= {"x", "y"}
    axes = {}
    for n in sorted(names):
        key = n[0] + "axis" + n[1:]
        spec = layout.get(key) or {}
        ax = Axis(n, spec, tuple(spec.get("domain") or (0.0, 1.0)))
        ax.kind = spec.get("type") or "-"
        ax.reversed = spec.get("autorange") == "reversed"
        axes[n] = ax
    for n, ax in axes.items():
        if ax.kind in ("-", None):
            values = [v for t in traces if _ref(t, n[0]) == n for v in _values(t, n[0])]
            ax.kind = "category" if any(isinstance(v, str) for v in values) else "linear"
        if ax.kind == "category":
            order = _arr(ax.spec.get("categoryarray")) if ax.spec.get("categoryorder") == "array" else []
            for t in traces:
                if _ref(t, n[0]) == n:
                    for v in _values(t, n[0]):
                        if v not in order and v is not None:
                            order.append(v)
            ax.categories = order
        if ax.kind not in ("linear", "log", "category"):
            ax.kind = "linear"
    return axes


def _values(t: dict, axis: str) -> list:
    """The trace's coordinates along `axis` ("x" or "y")."""
    kind = t.get("type", "scatter")
    if kind in ("heatmap", "contour"):
        z = np.asarray(t.get("z"), float)
        given = _arr(t.get(axis))
        if given:
            return given
        n = z.shape[1] if axis == "x" else z.shape[0]
        return list(range(n))
    vals = _arr(t.get(axis))
    if not vals:
        other = _arr(t.get("y" if axis == "x" else "x"))
        vals = list(range(len(other)))
    return vals


def _touches(ax: Axis, axes: dict, side: str) -> bool:
    """Whether a y axis is the leftmost of its row, or an x axis the bottom of its column
    (only those reserve margin)."""
    return True


def _autorange(axes: dict, traces: list, layout: dict) -> None:
    for n, ax in axes.items():
        rng = ax.spec.get("range")
        if rng is not None and ax.spec.get("autorange") not in (True, "reversed") and None not in list(rng):
            lo, hi = (float(_num(r)) if ax.kind != "category" else float(r) for r in rng)
            if lo > hi:
                lo, hi, ax.reversed = hi, lo, not ax.reversed
            ax.lo, ax.hi = lo, hi
            continue
        vals, pad, include_zero = [], 0.0, False
        for t in traces:
            if _ref(t, n[0]) != n:
                continue
            kind = t.get("type", "scatter")
            raw = [ax.value(v) for v in _values(t, n[0])]
            if kind in ("heatmap", "contour"):
                raw = _edges(np.asarray(raw, float)).tolist() if raw else raw
            if kind == "bar":
                horizontal = t.get("orientation") == "h"
                value_axis = "x" if horizontal else "y"
                if n[0] == value_axis:
                    include_zero = True
                    pad = max(pad, 0.08 if t.get("textposition") == "outside" else 0.05)
                    raw += _stack_extents(t, traces, layout, value_axis, ax)
                else:
                    raw = [r + d for r in raw for d in (-0.5, 0.5)]
            elif kind in ("scatter", "scattergl"):
                mode = t.get("mode") or "lines+markers"
                pad = max(pad, 0.06 if ("markers" in mode or "text" in mode) else (0.04 if n[0] == "y" else 0.0))
                if t.get("fill") in ("tozeroy",) and n[0] == "y":
                    include_zero = True
            vals += raw
        for shape in _list(layout.get("shapes")):
            for end in ("0", "1"):
                if shape.get(f"{n[0]}ref", n[0]) == n and shape.get("type") != "path":
                    vals.append(ax.value(shape.get(f"{n[0]}{end}")))
        arr = np.asarray([v for v in vals if v is not None], float)
        arr = arr[np.isfinite(arr)]
        if ax.kind == "category" and len(ax.categories):
            lo, hi = -0.5, len(ax.categories) - 0.5
            if len(arr):
                lo, hi = min(lo, float(arr.min())), max(hi, float(arr.max()))
        elif len(arr) == 0:
            lo, hi = (0.0, 1.0) if ax.kind != "log" else (0.0, 1.0)
        else:
            lo, hi = float(arr.min()), float(arr.max())
            if include_zero and ax.kind == "linear":
                lo, hi = min(lo, 0.0), max(hi, 0.0)
            if hi - lo < 1e-12:
                lo, hi = lo - 1, hi + 1
            margin = pad * (hi - lo)
            lo = lo - margin if not (include_zero and lo == 0.0) else lo
            hi = hi + margin if not (include_zero and hi == 0.0) else hi
        ax.lo, ax.hi = lo, hi


def _stack_extents(t: dict, traces: list, layout: dict, value_axis: str, ax: Axis) -> list[float]:
    vals = [ax.value(v) for v in _arr(t.get(value_axis))]
    if (layout.get("barmode") or "group") in ("stack", "relative"):
        totals: dict = {}
        for other in traces:
            if other.get("type") == "bar":
                cat_axis = "y" if value_axis == "x" else "x"
                for c, v in zip(_arr(other.get(cat_axis)) or range(len(_arr(other.get(value_axis)))), _arr(other.get(value_axis))):
                    totals[c] = totals.get(c, 0.0) + (_num(v) if np.isfinite(_num(v)) else 0.0)
        vals += list(totals.values())
    return vals


def _edges(centres: np.ndarray) -> np.ndarray:
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[centres[0] - (mids[0] - centres[0])], mids, [centres[-1] + (centres[-1] - mids[-1])]])


def _subplots(axes: dict, traces: list) -> list[tuple[str, str]]:
    pairs = []
    for t in traces:
        pair = (_ref(t, "x"), _ref(t, "y"))
        if pair not in pairs:
            pairs.append(pair)
    for n, ax in axes.items():  # an axis pair set in the layout with no trace (an empty subplot)
        if n.startswith("x"):
            partner = ax.spec.get("anchor") or "y" + n[1:]
            if partner in axes and (n, partner) not in pairs and not any(p[0] == n for p in pairs):
                pairs.append((n, partner))
    return pairs or [("x", "y")]


def _tick_list(ax: Axis) -> list[tuple[float, str]]:
    spec = ax.spec
    vals = _arr(spec.get("tickvals"))
    if vals:
        texts = _arr(spec.get("ticktext")) or [_fmt(v, spec.get("tickformat")) for v in vals]
        out = [(ax.value(v), str(s)) for v, s in zip(vals, texts)]
        return [(u, s) for u, s in out if np.isfinite(u) and ax.lo - 1e-9 <= u <= ax.hi + 1e-9]
    if ax.kind == "category":
        cats = ax.categories
        step = max(1, math.ceil(len(cats) / 14))
        return [(float(i), str(c)) for i, c in enumerate(cats) if i % step == 0]
    if ax.kind == "log":
        return _log_ticks(ax.lo, ax.hi)
    ticks = _ticks(ax.lo, ax.hi, target=max(3, min(6, int(ax.spec.get("nticks") or 5))))
    fmt = spec.get("tickformat")
    if fmt:
        ticks = [(v, _fmt(v, fmt)) for v, _ in ticks]
    return ticks


def _fmt(v, fmt: str | None) -> str:
    if fmt is None:
        return _label(float(v), abs(float(v)) / 10 or 1.0) if isinstance(v, (int, float)) else str(v)
    try:
        return format(float(v), fmt.lstrip(","))
    except (ValueError, TypeError):
        return str(v)


def _subplot_frame(xa: Axis, ya: Axis, g: _Geometry, tick_font: float, font: float, scale: float) -> str:
    x0, x1 = g.x(xa.domain[0]), g.x(xa.domain[1])
    y0, y1 = g.y(ya.domain[0]), g.y(ya.domain[1])   # bottom, top (px)
    out = []
    if ya.spec.get("visible") is not False:
        for u, label in _tick_list(ya):
            y = y0 + (y1 - y0) * ya.frac(u)
            if ya.spec.get("showgrid", True) is not False:
                out.append(f'<line x1="{x0:.2f}%" x2="{x1:.2f}%" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
            if ya.spec.get("showticklabels", True) is not False:
                out.append(_text(f"{x0:.2f}%", y, label, tick_font, anchor="end", extra=f' dx="{-6 * scale:.1f}"'))
        title = _get(ya.spec, "title.text")
        if title:
            width = max((_width_px(lbl, tick_font) for _, lbl in _tick_list(ya)), default=0) + 12 * scale
            xt = x0 - _pct(width + 0.7 * font)
            out.append(_text(f"{xt:.2f}%", (y0 + y1) / 2, title, font, rotate=True))
    if xa.spec.get("visible") is not False:
        for u, label in _tick_list(xa):
            x = x0 + (x1 - x0) * xa.frac(u)
            if xa.spec.get("showgrid", True) is not False:
                out.append(f'<line x1="{x:.2f}%" x2="{x:.2f}%" y1="{y1:.1f}" y2="{y0:.1f}" stroke="{GRID}"/>')
            if xa.spec.get("showticklabels", True) is not False:
                out.append(_text(f"{x:.2f}%", y0 + 4 * scale, label, tick_font, baseline="top"))
        title = _get(xa.spec, "title.text")
        if title:
            out.append(_text(f"{(x0 + x1) / 2:.2f}%", y0 + tick_font * 1.6 + 6 * scale, title, font, baseline="top"))
        out.append(f'<line x1="{x0:.2f}%" x2="{x1:.2f}%" y1="{y0:.1f}" y2="{y0:.1f}" stroke="{AXIS}"/>')
    return "".join(out)


def _box(xa: Axis, ya: Axis, g: _Geometry) -> tuple[float, float, float, float]:
    """The subplot's area: left %, width %, top px, height px."""
    x0, x1 = g.x(xa.domain[0]), g.x(xa.domain[1])
    yb, yt = g.y(ya.domain[0]), g.y(ya.domain[1])
    return x0, x1 - x0, yt, yb - yt


def _inner(xa: Axis, ya: Axis, g: _Geometry) -> str:
    """A nested SVG over the subplot: 0..1000 in both directions, y down, strokes unscaled."""
    x0, w, top, h = _box(xa, ya, g)
    return (f'<svg x="{x0:.2f}%" y="{top:.1f}" width="{w:.2f}%" height="{h:.1f}" viewBox="0 0 1000 1000" '
            f'preserveAspectRatio="none" overflow="hidden">')


def _dash(spec, scale: float) -> str:
    if not spec or spec == "solid":
        return ""
    if isinstance(spec, str) and spec in DASHES:
        pattern = DASHES[spec]
    else:
        try:
            pattern = tuple(float(p.strip("px")) for p in re.split(r"[ ,]+", str(spec)) if p)
        except ValueError:
            return ""
    return f' stroke-dasharray="{" ".join(f"{p * scale:.0f}" for p in pattern)}"'


def _scatter(t: dict, traces: list, default_colour: str, xa: Axis, ya: Axis, g: _Geometry, defs: _Defs,
             tick_font: float, scale: float) -> str:
    xs = [xa.value(v) for v in _values(t, "x")]
    ys = [ya.value(v) for v in _values(t, "y")]
    n = min(len(xs), len(ys))
    xs, ys = np.asarray(xs[:n], float), np.asarray(ys[:n], float)
    mode = t.get("mode") or ("lines+markers" if n < 20 else "lines")
    line_colour, line_alpha = _colour(_get(t, "line.color"), default_colour)
    opacity = float(t.get("opacity", 1.0))
    out = []
    fx = np.array([xa.frac(v) for v in xs]) if n else np.zeros(0)
    fy = np.array([ya.frac(v) for v in ys]) if n else np.zeros(0)
    fill = t.get("fill")
    if fill and fill != "none" and n:
        fill_colour, fill_alpha = _colour(t.get("fillcolor"), line_colour)
        if not t.get("fillcolor"):
            fill_alpha = 0.5
        px, py = 1000 * fx, 1000 * (1 - fy)
        good = np.isfinite(px) & np.isfinite(py)
        px, py = px[good], py[good]
        if fill == "toself":
            poly = list(zip(px, py))
        elif fill in ("tozeroy", "tozerox"):
            base = 1000 * (1 - ya.frac(ya.value(0))) if fill == "tozeroy" else None
            poly = [(px[0], base)] + list(zip(px, py)) + [(px[-1], base)] if fill == "tozeroy" else list(zip(px, py))
        else:  # tonexty: down to the previous trace's line
            idx = traces.index(t)
            prev = traces[idx - 1] if idx > 0 else None
            if prev is None:
                poly = []
            else:
                pxs = np.array([xa.frac(xa.value(v)) for v in _values(prev, "x")]) * 1000
                pys = (1 - np.array([ya.frac(ya.value(v)) for v in _values(prev, "y")])) * 1000
                ok = np.isfinite(pxs) & np.isfinite(pys)
                poly = list(zip(px, py)) + list(zip(pxs[ok][::-1], pys[ok][::-1]))
        if poly:
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in poly)
            out.append(_inner(xa, ya, g) + f'<polygon points="{pts}" fill="{fill_colour}" '
                       f'fill-opacity="{fill_alpha * opacity:.2f}" stroke="none"/></svg>')
    if "lines" in mode and n:
        width = float(_get(t, "line.width") or 2 * scale)
        dash = _dash(_get(t, "line.dash"), scale)
        shape = _get(t, "line.shape") or "linear"
        segs, cur = [], []
        for a, b in zip(fx, fy):
            if np.isfinite(a) and np.isfinite(b):
                cur.append((1000 * a, 1000 * (1 - b)))
            elif cur and not t.get("connectgaps"):
                segs.append(cur)
                cur = []
        if cur:
            segs.append(cur)
        parts = [_inner(xa, ya, g)]
        for seg in segs:
            if shape in ("hv", "vh") and len(seg) > 1:
                stepped = [seg[0]]
                for (a0, b0), (a1, b1) in zip(seg, seg[1:]):
                    stepped += [(a1, b0), (a1, b1)] if shape == "hv" else [(a0, b1), (a1, b1)]
                seg = stepped
            if len(seg) == 1:
                seg = seg * 2
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in seg)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{line_colour}" stroke-width="{width:.1f}" '
                         f'stroke-opacity="{line_alpha * opacity:.2f}" stroke-linecap="round" stroke-linejoin="round" '
                         f'vector-effect="non-scaling-stroke"{dash}/>')
        parts.append("</svg>")
        out.append("".join(parts))
    x0, w, top, h = _box(xa, ya, g)
    if "markers" in mode and n:
        out.append(_markers(t, fx, fy, default_colour, x0, w, top, h, defs, scale, opacity))
    if "text" in mode and n:
        texts = _arr(t.get("text"))
        if len(texts) == 1 and n > 1 and isinstance(t.get("text"), str):
            texts = texts * n
        pos = str(t.get("textposition") or "middle center")
        size = float(_get(t, "textfont.size") or tick_font)
        colour = _colour(_get(t, "textfont.color"), TEXT)[0]
        for a, b, s in zip(fx, fy, texts):
            if not (np.isfinite(a) and np.isfinite(b)) or s in (None, ""):
                continue
            px, py = x0 + w * a, top + h * (1 - b)
            dy = {"top": -0.8 * size, "bottom": 0.8 * size}.get(pos.split()[0], 0.0)
            anchor = {"left": "end", "right": "start"}.get(pos.split()[-1], "middle")
            dx = {"end": -5 * scale, "start": 5 * scale}.get(anchor, 0.0)
            out.append(_text(f"{px:.2f}%", py + dy, s, size, anchor=anchor, colour=colour,
                             extra=f' dx="{dx:.1f}"' if dx else ""))
    return "".join(out)


def _markers(t, fx, fy, default_colour, x0, w, top, h, defs: _Defs, scale: float, opacity: float) -> str:
    marker = t.get("marker") or {}
    n = len(fx)
    colours = _marker_colours(marker, n, default_colour)
    sizes = _arr(marker.get("size")) if isinstance(marker.get("size"), (list, tuple, np.ndarray)) else \
        [marker.get("size") or 6 * scale] * n
    symbols = _arr(marker.get("symbol")) if isinstance(marker.get("symbol"), (list, tuple, np.ndarray)) else \
        [marker.get("symbol") or "circle"] * n
    edge, edge_alpha = _colour(_get(marker, "line.color"), "none")
    edge_w = float(_get(marker, "line.width") or 0)
    alpha = float(marker.get("opacity", 1.0)) if not isinstance(marker.get("opacity"), (list, tuple)) else 1.0
    out = []
    for a, b, c, s, sym in zip(fx, fy, colours, sizes, symbols):
        if not (np.isfinite(a) and np.isfinite(b)) or not (-0.01 <= a <= 1.01 and -0.01 <= b <= 1.01):
            continue
        ref, open_ = defs.marker(sym, float(s or 6))
        colour, ca = _colour(c, default_colour)
        paint = (f'fill="none" stroke="{colour}" stroke-width="{max(1.5, edge_w or 1.5 * scale):.1f}"' if open_
                 else f'fill="{colour}"' + (f' stroke="{edge}" stroke-width="{edge_w:.1f}"' if edge_w and edge != "none" else ""))
        o = ca * alpha * opacity
        out.append(f'<use href="#{ref}" x="{x0 + w * a:.2f}%" y="{top + h * (1 - b):.1f}" {paint}'
                   + (f' opacity="{o:.2f}"' if o < 0.999 else "") + "/>")
    return "".join(out)


def _marker_colours(marker: dict, n: int, default: str) -> list:
    c = marker.get("color")
    if isinstance(c, (list, tuple, np.ndarray)):
        values = list(c)
        if values and all(isinstance(v, (int, float, np.integer, np.floating)) for v in values):
            arr = np.asarray(values, float)
            lo = marker.get("cmin", np.nanmin(arr))
            hi = marker.get("cmax", np.nanmax(arr))
            scale = _scale(marker.get("colorscale"), bool(marker.get("reversescale")))
            rgb = _interpolate(scale, (arr - lo) / ((hi - lo) or 1.0))
            return ["#%02x%02x%02x" % tuple(int(round(x)) for x in row) for row in rgb]
        return [v if isinstance(v, str) else default for v in values] + [default] * (n - len(values))
    return [c if isinstance(c, str) else default] * n


def _bar(t, bars, barmode, default_colour, xa, ya, g, tick_font, axes) -> str:
    horizontal = t.get("orientation") == "h"
    cat_ax, val_ax = (ya, xa) if horizontal else (xa, ya)
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    values = [val_ax.value(v) for v in _arr(t.get(val_key))]
    cats_raw = _arr(t.get(cat_key)) or list(range(len(values)))
    cats = [cat_ax.value(c) for c in cats_raw]
    same = [b for b in bars if (_ref(b, "x"), _ref(b, "y")) == (_ref(t, "x"), _ref(t, "y"))]
    k, m = same.index(t), len(same)
    spacing = 1.0
    finite = sorted({c for c in cats if np.isfinite(c)})
    if cat_ax.kind != "category" and len(finite) > 1:
        spacing = min(b - a for a, b in zip(finite, finite[1:]))
    group = spacing * 0.8
    if barmode == "group" and m > 1:
        width, offset = group / m, -group / 2 + group / m * (k + 0.5)
    else:
        width, offset = group, 0.0
    marker = t.get("marker") or {}
    colours = _marker_colours(marker, len(values), _colour(marker.get("color"), default_colour)[0]
                              if isinstance(marker.get("color"), str) else default_colour)
    base_acc: dict = {}
    if barmode in ("stack", "relative"):
        for other in same[:k]:
            for c, v in zip(_arr(other.get(cat_key)) or range(len(_arr(other.get(val_key)))), _arr(other.get(val_key))):
                base_acc[cat_ax.value(c)] = base_acc.get(cat_ax.value(c), 0.0) + (_num(v) if np.isfinite(_num(v)) else 0)
    x0, w, top, h = _box(xa, ya, g)
    texts = _arr(t.get("text"))
    if isinstance(t.get("texttemplate"), str) and "%{" in t["texttemplate"] and not texts:
        texts = [_template(t["texttemplate"], {"y": v, "x": v}) for v in values]
    outside = t.get("textposition") in ("outside", "auto", None) and texts
    size = float(_get(t, "textfont.size") or tick_font)
    out = []
    opacity = float(t.get("opacity", 1.0))
    for i, (c, v) in enumerate(zip(cats, values)):
        if not (np.isfinite(c) and np.isfinite(v)):
            continue
        base = base_acc.get(c, 0.0)
        zero = val_ax.value(10 ** 0 if val_ax.kind == "log" else 0) if val_ax.kind != "log" else val_ax.lo
        lo_v, hi_v = (zero + base, v + base) if val_ax.kind != "log" else (val_ax.lo, v)
        c0, c1 = cat_ax.frac(c + offset - width / 2), cat_ax.frac(c + offset + width / 2)
        v0, v1 = val_ax.frac(lo_v), val_ax.frac(hi_v)
        colour, alpha = _colour(colours[i] if i < len(colours) else default_colour, default_colour)
        if horizontal:
            rx, rw = x0 + w * min(v0, v1), w * abs(v1 - v0)
            ry, rh = top + h * (1 - max(c0, c1)), h * abs(c1 - c0)
        else:
            rx, rw = x0 + w * min(c0, c1), w * abs(c1 - c0)
            ry, rh = top + h * (1 - max(v0, v1)), h * abs(v1 - v0)
        out.append(f'<rect x="{rx:.2f}%" y="{ry:.1f}" width="{rw:.2f}%" height="{rh:.1f}" fill="{colour}"'
                   + (f' fill-opacity="{alpha * opacity:.2f}"' if alpha * opacity < 0.999 else "") + "/>")
        if texts and i < len(texts) and texts[i] not in (None, ""):
            if horizontal:
                tx, ty = (rx + rw if v >= 0 else rx), ry + rh / 2
                out.append(_text(f"{tx:.2f}%", ty, texts[i], size, anchor="start" if v >= 0 else "end",
                                 extra=f' dx="{4 if v >= 0 else -4}"'))
            else:
                tx = rx + rw / 2
                ty = ry - 2 if (outside and v >= 0) else (ry + rh + 2 if outside else ry + rh / 2)
                out.append(_text(f"{tx:.2f}%", ty, texts[i], size,
                                 baseline="bottom" if (outside and v >= 0) else ("top" if outside else "middle")))
    return "".join(out)


def _template(template: str, values: dict) -> str:
    def sub(m):
        key, _, fmt = m.group(1).partition(":")
        v = values.get(key, "")
        try:
            return format(float(v), fmt) if fmt else str(v)
        except (TypeError, ValueError):
            return str(v)
    return re.sub(r"%\{([^}]*)\}", sub, template)


def _heat_range(t: dict, z: np.ndarray) -> tuple[float, float]:
    finite = z[np.isfinite(z)]
    lo = t.get("zmin", float(finite.min()) if finite.size else 0.0)
    hi = t.get("zmax", float(finite.max()) if finite.size else 1.0)
    if t.get("zmid") is not None and t.get("zmin") is None and t.get("zmax") is None:
        mid = float(t["zmid"])
        half = max(abs(hi - mid), abs(mid - lo)) or 1.0
        lo, hi = mid - half, mid + half
    return float(lo), float(hi if hi != lo else lo + 1)


def _heatmap(t: dict, xa: Axis, ya: Axis, g: _Geometry, tick_font: float) -> str:
    z = np.asarray(t.get("z"), float)
    if z.ndim != 2 or z.size == 0:
        return ""
    lo, hi = _heat_range(t, z)
    scale = _scale(t.get("colorscale"), bool(t.get("reversescale")))
    shade = (z - lo) / (hi - lo)
    if t.get("type") == "contour":  # filled bands, as Plotly's contour draws them
        levels = int(t.get("ncontours") or 15)
        shade = (np.floor(np.clip(shade, 0, 0.999) * levels) + 0.5) / levels
    rgb = _interpolate(scale, shade)
    alpha = np.where(np.isfinite(z), 255, 0)[..., None]
    xs = np.asarray([xa.value(v) for v in _values(t, "x")], float)
    ys = np.asarray([ya.value(v) for v in _values(t, "y")], float)
    xe, ye = _edges(xs), _edges(ys)
    fx0, fx1 = xa.frac(xe[0]), xa.frac(xe[-1])
    fy0, fy1 = ya.frac(ye[0]), ya.frac(ye[-1])
    img = np.concatenate([rgb, alpha], axis=-1).astype(np.uint8)
    if fy0 < fy1:  # rows go bottom -> top on screen
        img = img[::-1]
    if fx0 > fx1:
        img = img[:, ::-1]
    x0, w, top, h = _box(xa, ya, g)
    left, right = min(fx0, fx1), max(fx0, fx1)
    bottom_f, top_f = min(fy0, fy1), max(fy0, fy1)
    pixelated = max(z.shape) <= 48
    out = [f'<image x="{x0 + w * left:.2f}%" y="{top + h * (1 - top_f):.1f}" width="{w * (right - left):.2f}%" '
           f'height="{h * (top_f - bottom_f):.1f}" preserveAspectRatio="none" '
           + ('style="image-rendering:pixelated" ' if pixelated else "")
           + f'href="data:image/png;base64,{_png_rgba(img)}"/>']
    template = t.get("texttemplate")
    text = t.get("text")
    if template and z.size <= 900:
        texts = np.asarray(text, dtype=object) if text is not None else None
        size = float(_get(t, "textfont.size") or tick_font)
        for i in range(z.shape[0]):
            for j in range(z.shape[1]):
                label = _template(template, {"z": z[i, j], "text": texts[i, j] if texts is not None and texts.ndim == 2 else ""})
                if not label or label == "nan":
                    continue
                fx, fy = xa.frac(xs[j]), ya.frac(ys[i])
                shade = (z[i, j] - lo) / (hi - lo) if np.isfinite(z[i, j]) else 0.5
                rgbc = _interpolate(scale, np.array([shade]))[0]
                dark = (0.299 * rgbc[0] + 0.587 * rgbc[1] + 0.114 * rgbc[2]) < 140
                out.append(_text(f"{x0 + w * fx:.2f}%", top + h * (1 - fy), label, size,
                                 colour="white" if dark else TEXT))
    return "".join(out)


def _png_rgba(img: np.ndarray) -> str:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(img, "RGBA").save(buffer, format="PNG", compress_level=1)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _colourbar(t: dict, g: _Geometry, tick_font: float, scale: float) -> str:
    z = np.asarray(t.get("z"), float)
    lo, hi = _heat_range(t, z)
    stops = _scale(t.get("colorscale"), bool(t.get("reversescale")))
    grad = np.linspace(1, 0, 64)[:, None]
    rgb = _interpolate(stops, grad)
    img = np.concatenate([rgb, np.full((64, 1, 1), 255.0)], axis=-1).astype(np.uint8)
    x = 100 - g.right + _pct(14 * scale)
    bw = _pct(14 * scale)
    out = [f'<image x="{x:.2f}%" y="{g.top:.1f}" width="{bw:.2f}%" height="{g.height:.1f}" preserveAspectRatio="none" '
           f'href="data:image/png;base64,{_png_rgba(img)}"/>']
    for v, label in _ticks(lo, hi, target=4):
        y = g.top + g.height * (1 - (v - lo) / (hi - lo))
        out.append(_text(f"{x + bw:.2f}%", y, label, tick_font, anchor="start", extra=f' dx="{4 * scale:.1f}"'))
    title = _get(t, "colorbar.title.text")
    if title:
        out.append(_text("100%", g.top - 4 * scale, title, tick_font, anchor="end", baseline="bottom",
                         extra=f' dx="{-4 * scale:.1f}"'))
    return "".join(out)


def _ref_x(ref: str, v, axes: dict, g: _Geometry) -> float | None:
    """A shape's or annotation's x in % of the width."""
    ref = ref or "x"
    if ref == "paper":
        return g.x(_num(v))
    if ref.endswith(" domain"):
        ax = axes.get(ref.split()[0])
        return None if ax is None else g.x(ax.domain[0] + (ax.domain[1] - ax.domain[0]) * _num(v))
    ax = axes.get(ref)
    if ax is None:
        return None
    return g.x(ax.domain[0] + (ax.domain[1] - ax.domain[0]) * ax.frac(ax.value(v)))


def _ref_y(ref: str, v, axes: dict, g: _Geometry) -> float | None:
    ref = ref or "y"
    if ref == "paper":
        return g.y(_num(v))
    if ref.endswith(" domain"):
        ax = axes.get(ref.split()[0])
        return None if ax is None else g.y(ax.domain[0] + (ax.domain[1] - ax.domain[0]) * _num(v))
    ax = axes.get(ref)
    if ax is None:
        return None
    return g.y(ax.domain[0] + (ax.domain[1] - ax.domain[0]) * ax.frac(ax.value(v)))


def _shape(s: dict, axes: dict, g: _Geometry) -> str:
    kind = s.get("type") or "rect"
    colour, alpha = _colour(_get(s, "line.color"), "#444")
    width = float(_get(s, "line.width", 2))
    dash = _dash(_get(s, "line.dash"), 1.0)
    fill, fill_alpha = _colour(s.get("fillcolor"), "none")
    opacity = float(s.get("opacity", 1.0))
    stroke = (f'stroke="{colour}" stroke-width="{width:.1f}" stroke-opacity="{alpha:.2f}"{dash}' if width > 0
              else 'stroke="none"')
    if kind == "path":
        pts = re.findall(r"([ML])\s*([-0-9.e]+)\s*,\s*([-0-9.e]+)", s.get("path", ""))
        if not pts:
            return ""
        segs = []
        for _, a, b in pts:
            x, y = _ref_x(s.get("xref"), float(a), axes, g), _ref_y(s.get("yref"), float(b), axes, g)
            if x is None or y is None:
                return ""
            segs.append((x, y))
        return "".join(f'<line x1="{a[0]:.2f}%" y1="{a[1]:.1f}" x2="{b[0]:.2f}%" y2="{b[1]:.1f}" {stroke}/>'
                       for a, b in zip(segs, segs[1:]))
    x0, x1 = _ref_x(s.get("xref"), s.get("x0"), axes, g), _ref_x(s.get("xref"), s.get("x1"), axes, g)
    y0, y1 = _ref_y(s.get("yref"), s.get("y0"), axes, g), _ref_y(s.get("yref"), s.get("y1"), axes, g)
    if None in (x0, x1, y0, y1) or not all(np.isfinite(v) for v in (x0, x1, y0, y1)):
        return ""
    if kind == "line":
        return f'<line x1="{x0:.2f}%" y1="{y0:.1f}" x2="{x1:.2f}%" y2="{y1:.1f}" {stroke} opacity="{opacity:.2f}"/>'
    if kind == "circle":
        return ""
    return (f'<rect x="{min(x0, x1):.2f}%" y="{min(y0, y1):.1f}" width="{abs(x1 - x0):.2f}%" height="{abs(y1 - y0):.1f}" '
            f'fill="{fill}" fill-opacity="{fill_alpha:.2f}" {stroke} opacity="{opacity:.2f}"/>')


_ARROWS: dict[str, str] = {}


def _arrow_marker(colour: str) -> str:
    """The id of an arrowhead marker in this colour (defined in the SVG's defs)."""
    return _ARROWS.setdefault(colour, f"ah{abs(hash(colour)) % 10 ** 8}")


def _arrow_defs(markup: str) -> str:
    return "".join(f'<marker id="{ident}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
                   f'orient="auto-start-reverse"><path d="M0,0L10,5L0,10Z" fill="{colour}"/></marker>'
                   for colour, ident in _ARROWS.items() if ident in markup)


def _annotation(a: dict, axes: dict, g: _Geometry, font: float, scale: float) -> str:
    x = _ref_x(a.get("xref"), a.get("x", 0.5), axes, g)
    y = _ref_y(a.get("yref"), a.get("y", 0.5), axes, g)
    if x is None or y is None or not (np.isfinite(x) and np.isfinite(y)):
        return ""
    size = float(_get(a, "font.size") or font)
    colour = _colour(_get(a, "font.color"), TEXT)[0]
    out = []
    if a.get("showarrow", True):
        ax, ay = a.get("ax", -10), a.get("ay", -30)
        if (a.get("axref") or "pixel") != "pixel":   # the tail in data coordinates
            tx, ty = _ref_x(a.get("axref"), ax, axes, g), _ref_y(a.get("ayref") or a.get("yref"), ay, axes, g)
            if tx is None or ty is None:
                return ""
        else:
            tx, ty = x + _pct(float(ax)), y + float(ay)
        arrow = _colour(a.get("arrowcolor"), "#444")[0]
        width = float(a.get("arrowwidth") or 1.0)
        head = ""
        if a.get("arrowhead", 1):  # a small triangle at the point, along the arrow
            head = f' marker-end="url(#{_arrow_marker(arrow)})"'
        out.append(f'<line x1="{tx:.2f}%" y1="{ty:.1f}" x2="{x:.2f}%" y2="{y:.1f}" stroke="{arrow}" '
                   f'stroke-width="{width:.1f}"{head}/>')
        x, y = tx, ty
        if not a.get("text"):
            return "".join(out)
        anchor, baseline = "middle", "bottom" if ay < 0 else "top"
    else:
        xanchor = a.get("xanchor") or "auto"
        if xanchor == "auto":
            xanchor = "center"
        anchor = {"left": "start", "right": "end"}.get(xanchor, "middle")
        yanchor = a.get("yanchor") or "middle"
        baseline = {"top": "top", "bottom": "bottom"}.get(yanchor, "middle")
    xshift, yshift = float(a.get("xshift") or 0), float(a.get("yshift") or 0)
    extra = f' dx="{xshift:.1f}"' if xshift else ""
    bg = a.get("bgcolor")
    text = _text(f"{x:.2f}%", y - yshift, a.get("text", ""), size, anchor=anchor, baseline=baseline, colour=colour,
                 extra=extra)
    if bg and text:
        colour_bg, alpha_bg = _colour(bg, "white")
        w = _pct(_width_px(a.get("text", ""), size) + 6)
        lines = len(_plain(a.get("text", "")).split("\n"))
        hgt = lines * 1.2 * size + 2
        left = x - (w / 2 if anchor == "middle" else (w if anchor == "end" else 0))
        top = {"top": y - yshift, "bottom": y - yshift - hgt, "middle": y - yshift - hgt / 2}[baseline]
        out.append(f'<rect x="{left:.2f}%" y="{top:.1f}" width="{w:.2f}%" height="{hgt:.1f}" fill="{colour_bg}" '
                   f'fill-opacity="{alpha_bg:.2f}"/>')
    out.append(text)
    return "".join(out)


# ---- legend -------------------------------------------------------------------------------
def _legend_items(traces: list, layout: dict, colorway: list) -> list[dict]:
    if layout.get("showlegend") is False:
        return []
    items = []
    for i, t in enumerate(traces):
        name = t.get("name")
        if not name or t.get("showlegend") is False or t.get("type") in ("heatmap", "contour"):
            continue
        mode = t.get("mode") or "lines+markers"
        colour = _colour(_get(t, "line.color") if "lines" in mode else None, colorway[i % len(colorway)])[0]
        marker = t.get("marker") or {}
        if isinstance(marker.get("color"), str):
            m_colour = marker["color"]
        else:
            m_colour = colour if "lines" in mode else colorway[i % len(colorway)]
        if t.get("type") == "bar":
            mode = "bar"
            m_colour = marker["color"] if isinstance(marker.get("color"), str) else colorway[i % len(colorway)]
        symbol = marker.get("symbol") if isinstance(marker.get("symbol"), str) else "circle"
        items.append(dict(name=name, mode=mode, colour=colour, marker=m_colour, symbol=symbol,
                          dash=_get(t, "line.dash"), explicit=t.get("showlegend") is True))
    if len(items) < 2 and not any(i["explicit"] for i in items) and layout.get("showlegend") is not True:
        return []
    return items


def _legend_rows(items: list[dict], font: float, right_px: float, left_px: float) -> list[list[dict]]:
    """Items in rows that fit the nominal width."""
    avail = getattr(_local, "width", NOMINAL_WIDTH) - 20
    rows: list[list[dict]] = []
    used = 0.0
    for item in items:
        w = 40 + _width_px(item["name"], font * 0.93) + 18
        if not rows or used + w > avail:
            rows.append([])
            used = 0.0
        item = dict(item, width=w)
        rows[-1].append(item)
        used += w
    return rows


def _legend(rows, y0: float, row_h: float, font: float, defs: _Defs, scale: float, g: _Geometry) -> str:
    out = []
    for r, row in enumerate(rows):
        y = y0 + r * row_h + row_h / 2
        x = _pct(10)
        for item in row:
            sample = []
            if "lines" in item["mode"]:
                sample.append(f'<line x1="{x:.2f}%" x2="{x + _pct(28):.2f}%" y1="{y:.1f}" y2="{y:.1f}" '
                              f'stroke="{item["colour"]}" stroke-width="{2 * scale:.1f}"{_dash(item["dash"], scale)}/>')
            if "markers" in item["mode"]:
                ref, open_ = defs.marker(item["symbol"], 9 * scale)
                paint = f'fill="none" stroke="{item["marker"]}" stroke-width="1.5"' if open_ else f'fill="{item["marker"]}"'
                sample.append(f'<use href="#{ref}" x="{x + _pct(14):.2f}%" y="{y:.1f}" {paint}/>')
            if item["mode"] == "bar":
                sample.append(f'<rect x="{x + _pct(6):.2f}%" y="{y - 6 * scale:.1f}" '
                              f'width="{_pct(16):.2f}%" height="{12 * scale:.1f}" fill="{item["marker"]}"/>')
            if not sample:  # text-only traces
                sample.append(f'<text x="{x + _pct(14):.2f}%" y="{y:.1f}" dy="0.35em" text-anchor="middle" '
                              f'font-size="{font * 0.9:.1f}">Aa</text>')
            out += sample
            out.append(_text(f"{x + _pct(34):.2f}%", y, item["name"], font * 0.93, anchor="start"))
            x += _pct(item["width"])
    return "".join(out)


def alt_text(fig: go.Figure) -> str:
    """A short description of a chart for its picture's alt attribute: its title, the axes'
    titles and the names of its series."""
    layout = fig.layout
    parts = [_plain(layout.title.text) if layout.title and layout.title.text else ""]
    for name in ("xaxis", "yaxis"):
        axis = getattr(layout, name, None)
        if axis is not None and axis.title and axis.title.text:
            parts.append(_plain(axis.title.text))
    names = [t.name for t in fig.data if getattr(t, "name", None)]
    parts.append(", ".join(dict.fromkeys(names)))
    return " · ".join(p.replace("\n", " ") for p in parts if p)
