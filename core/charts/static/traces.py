"""Traces of a static chart: scatter (lines, markers, text, fills), bars, heatmaps/contours and
the colour bar."""

from __future__ import annotations

import numpy as np

from core.charts.live import (
    TEXT,
    _interpolate,
    _png,
    _ticks,
)
from core.charts.static.axes import _box, _edges, _inner, _values
from core.charts.static.base import (
    hatch,
    Axis,
    _arr,
    _colour,
    _dash,
    _Defs,
    _Geometry,
    _get,
    _num,
    _pct,
    _ref,
    _scale,
    _template,
    _text,
)


def _scatter(t: dict, traces: list, default_colour: str, xa: Axis, ya: Axis, g: _Geometry, defs: _Defs,
             tick_font: float, scale: float) -> str:
    """A scatter trace, by phase: the fill under or between lines, the lines, the markers, the
    text labels. fx, fy: each point's place along its axes (0..1)."""
    xs = [xa.value(v) for v in _values(t, "x")]
    ys = [ya.value(v) for v in _values(t, "y")]
    n = min(len(xs), len(ys))
    if n == 0:
        return ""
    fx = np.array([xa.frac(v) for v in xs[:n]], float)
    fy = np.array([ya.frac(v) for v in ys[:n]], float)
    mode = t.get("mode") or ("lines+markers" if n < 20 else "lines")
    line_colour, line_alpha = _colour(_get(t, "line.color"), default_colour)
    opacity = float(t.get("opacity", 1.0))
    out = []
    if t.get("fill") and t.get("fill") != "none":
        out.append(_fill(t, traces, fx, fy, line_colour, opacity, xa, ya, g))
    if "lines" in mode and _get(t, "line.width") != 0:  # width 0: Plotly draws no line (a band's edge)
        out.append(_lines(t, fx, fy, line_colour, line_alpha * opacity, scale, xa, ya, g))
    box = _box(xa, ya, g)
    if "markers" in mode:
        # Markers take the line's colour, as in Plotly (and in the legend).
        out.append(_markers(t, fx, fy, line_colour, *box, defs, scale, opacity))
    if "text" in mode:
        out.append(_labels(t, fx, fy, box, tick_font, scale))
    return "".join(out)


def _fill(t: dict, traces: list, fx, fy, line_colour: str, opacity: float, xa: Axis, ya: Axis,
          g: _Geometry) -> str:
    """The filled area: the trace's own outline (toself), down to y = 0 (tozeroy), or down to
    the previous trace's line (tonexty)."""
    fill = t.get("fill")
    fill_colour, fill_alpha = _colour(t.get("fillcolor"), line_colour)
    if not t.get("fillcolor"):
        fill_alpha = 0.5
    px, py = 1000 * fx, 1000 * (1 - fy)
    good = np.isfinite(px) & np.isfinite(py)
    poly = list(zip(px[good], py[good]))
    if fill == "tozeroy" and poly:
        base = 1000 * (1 - ya.frac(ya.value(0)))
        poly = [(poly[0][0], base), *poly, (poly[-1][0], base)]
    elif fill not in ("toself", "tozeroy", "tozerox"):  # tonexty: down to the previous trace
        idx = traces.index(t)
        if idx == 0:
            return ""
        prev = traces[idx - 1]
        pxs = np.array([xa.frac(xa.value(v)) for v in _values(prev, "x")]) * 1000
        pys = (1 - np.array([ya.frac(ya.value(v)) for v in _values(prev, "y")])) * 1000
        ok = np.isfinite(pxs) & np.isfinite(pys)
        poly += list(zip(pxs[ok][::-1], pys[ok][::-1]))
    if not poly:
        return ""
    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in poly)
    return (_inner(xa, ya, g) + f'<polygon points="{pts}" fill="{fill_colour}" '
            f'fill-opacity="{fill_alpha * opacity:.2f}" stroke="none"/></svg>')


def _lines(t: dict, fx, fy, colour: str, alpha: float, scale: float, xa: Axis, ya: Axis, g: _Geometry) -> str:
    """The trace's line: broken where a value is missing (unless connectgaps), stepped for
    line.shape hv/vh, one dot for a lone point."""
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
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width:.1f}" '
                     f'stroke-opacity="{alpha:.2f}" stroke-linecap="round" stroke-linejoin="round" '
                     f'vector-effect="non-scaling-stroke"{dash}/>')
    parts.append("</svg>")
    return "".join(parts)


def _labels(t: dict, fx, fy, box: tuple, tick_font: float, scale: float) -> str:
    """Text mode: each point's text, placed by textposition."""
    x0, w, top, h = box
    n = len(fx)
    texts = _arr(t.get("text"))
    if len(texts) == 1 and n > 1 and isinstance(t.get("text"), str):
        texts = texts * n
    pos = str(t.get("textposition") or "middle center")
    size = float(_get(t, "textfont.size") or tick_font)
    colour = _colour(_get(t, "textfont.color"), TEXT)[0]
    out = []
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
    # marker.maxdisplayed (core.charts.marks puts a few shapes along a line): every k-th point.
    every = max(1, int(np.ceil(n / marker["maxdisplayed"]))) if marker.get("maxdisplayed") else 1
    for i, (a, b, c, s, sym) in enumerate(zip(fx, fy, colours, sizes, symbols)):
        if not (np.isfinite(a) and np.isfinite(b)) or not (-0.01 <= a <= 1.01 and -0.01 <= b <= 1.01) or i % every:
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
    """A bar trace: one rectangle per finite value, its pattern and its text label; grouped
    beside, or stacked on, the other bar traces of its subplot."""
    horizontal = t.get("orientation") == "h"
    cat_ax, val_ax = (ya, xa) if horizontal else (xa, ya)
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    values = [val_ax.value(v) for v in _arr(t.get(val_key))]
    cats = [cat_ax.value(c) for c in (_arr(t.get(cat_key)) or list(range(len(values))))]
    same = [b for b in bars if (_ref(b, "x"), _ref(b, "y")) == (_ref(t, "x"), _ref(t, "y"))]
    width, offset = _slot(same.index(t), len(same), barmode, cats, cat_ax)
    bases = _stack_bases(same[:same.index(t)], cat_key, val_key, cat_ax) if barmode in ("stack", "relative") else {}
    marker = t.get("marker") or {}
    colours = _marker_colours(marker, len(values), _colour(marker.get("color"), default_colour)[0]
                              if isinstance(marker.get("color"), str) else default_colour)
    x0, w, top, h = _box(xa, ya, g)
    texts = _arr(t.get("text"))
    if isinstance(t.get("texttemplate"), str) and "%{" in t["texttemplate"] and not texts:
        texts = [_template(t["texttemplate"], {"y": v, "x": v}) for v in values]
    outside = bool(t.get("textposition") in ("outside", "auto", None) and texts)
    size = float(_get(t, "textfont.size") or tick_font)
    pattern_id, pattern = hatch(_get(t, "marker.pattern.shape"))
    out = [pattern]
    opacity = float(t.get("opacity", 1.0))
    for i, (c, v) in enumerate(zip(cats, values)):
        if not (np.isfinite(c) and np.isfinite(v)):
            continue
        base = bases.get(c, 0.0)
        lo_v, hi_v = (val_ax.value(0) + base, v + base) if val_ax.kind != "log" else (val_ax.lo, v)
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
        if pattern_id:  # the bar's pattern over its colour
            out.append(f'<rect fill="url(#{pattern_id})" x="{rx:.2f}%" y="{ry:.1f}" width="{rw:.2f}%" height="{rh:.1f}"/>')
        if texts and i < len(texts) and texts[i] not in (None, ""):
            out.append(_bar_label(texts[i], v, (rx, ry, rw, rh), horizontal, outside, size))
    return "".join(out)


def _slot(k: int, m: int, barmode: str, cats: list, cat_ax: Axis) -> tuple[float, float]:
    """The k-th of m bar traces: its bars' width and offset from the category's centre (in
    category units): 80 % of the spacing, split among the traces when grouped."""
    spacing = 1.0
    finite = sorted({c for c in cats if np.isfinite(c)})
    if cat_ax.kind != "category" and len(finite) > 1:
        spacing = min(b - a for a, b in zip(finite, finite[1:]))
    group = spacing * 0.8
    if barmode == "group" and m > 1:
        return group / m, -group / 2 + group / m * (k + 0.5)
    return group, 0.0


def _stack_bases(below: list, cat_key: str, val_key: str, cat_ax: Axis) -> dict:
    """Where a stacked bar starts in each category: the sum of the traces below it."""
    bases: dict = {}
    for other in below:
        for c, v in zip(_arr(other.get(cat_key)) or range(len(_arr(other.get(val_key)))), _arr(other.get(val_key))):
            bases[cat_ax.value(c)] = bases.get(cat_ax.value(c), 0.0) + (_num(v) if np.isfinite(_num(v)) else 0)
    return bases


def _bar_label(text, v: float, rect: tuple, horizontal: bool, outside: bool, size: float) -> str:
    """A bar's text: past its end (outside) or in its middle."""
    rx, ry, rw, rh = rect
    if horizontal:
        return _text(f"{(rx + rw if v >= 0 else rx):.2f}%", ry + rh / 2, text, size,
                     anchor="start" if v >= 0 else "end", extra=f' dx="{4 if v >= 0 else -4}"')
    ty = ry - 2 if (outside and v >= 0) else (ry + rh + 2 if outside else ry + rh / 2)
    return _text(f"{rx + rw / 2:.2f}%", ty, text, size,
                 baseline="bottom" if (outside and v >= 0) else ("top" if outside else "middle"))


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
           + f'href="data:image/png;base64,{_png(img)}"/>']
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
           f'href="data:image/png;base64,{_png(img)}"/>']
    for v, label in _ticks(lo, hi, target=4):
        y = g.top + g.height * (1 - (v - lo) / (hi - lo))
        out.append(_text(f"{x + bw:.2f}%", y, label, tick_font, anchor="start", extra=f' dx="{4 * scale:.1f}"'))
    title = _get(t, "colorbar.title.text")
    if title:
        out.append(_text("100%", g.top - 4 * scale, title, tick_font, anchor="end", baseline="bottom",
                         extra=f' dx="{-4 * scale:.1f}"'))
    return "".join(out)
