"""Shared pieces of the static renderer: the axis model, colours, rich text, marker shapes,
Plotly typed-array decoding and the geometry of the drawing (percentages across, pixels down)."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field

import numpy as np

from core.charts import text_ems
from core.charts.live import (
    TEXT,
    _hex,
    escape,
)

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
# The tags Plotly's text understands; anything else in angle brackets ("<unk>") is text.
_TAG = re.compile(r"(</?(?:b|i|em|strong|sup|sub|span|a|s|u)(?:\s[^>]*)?>)", re.IGNORECASE)


def _rich(text, font: float) -> list[str]:
    """Plotly's rich text (<br>, <b>, <i>, <sup>) as lines of SVG tspans."""
    lines = re.split(r"<br\s*/?>", str(text or ""))
    out = []
    for line in lines:
        parts = re.split(_TAG, line)
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
            elif re.fullmatch(_TAG, part):
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
    return _TAG.sub("", re.sub(r"<br\s*/?>", "\n", str(text or "")))


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


def _template(template: str, values: dict) -> str:
    def sub(m):
        key, _, fmt = m.group(1).partition(":")
        v = values.get(key, "")
        try:
            return format(float(v), fmt) if fmt else str(v)
        except (TypeError, ValueError):
            return str(v)
    return re.sub(r"%\{([^}]*)\}", sub, template)


_HATCH = {"/": '<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6"/>', "\\": '<path d="M0 0L8 8M-2 6L2 10M6 -2L10 2"/>',
          "x": '<path d="M0 8L8 0M0 0L8 8"/>', "+": '<path d="M4 0V8M0 4H8"/>', "-": '<path d="M0 4H8"/>',
          "|": '<path d="M4 0V8"/>', ".": '<circle cx="4" cy="4" r="1.4" stroke="none" fill="white"/>'}


def hatch(shape) -> tuple[str, str]:
    """A bar's fill pattern (Plotly's marker.pattern.shape, which core.charts.marks sets so bars
    differ by more than colour) as an SVG <pattern> of white strokes, and its id; ("", "") for none.
    The same definition may appear more than once in a picture: identical, so harmless."""
    if shape not in _HATCH:
        return "", ""
    ident = "hatch" + str(list(_HATCH).index(shape))
    return ident, (f'<pattern id="{ident}" patternUnits="userSpaceOnUse" width="8" height="8">'
                   f'<g stroke="white" stroke-width="1.6">{_HATCH[shape]}</g></pattern>')
