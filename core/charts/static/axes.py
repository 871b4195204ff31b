"""Axes of a static chart: which exist, their ranges (as Plotly's autorange would set them), ticks,
grid lines and titles, and the subplot areas."""

from __future__ import annotations

import math
import re

import numpy as np

from core.charts.live import (
    AXIS,
    GRID,
    _label,
    _log_ticks,
    _ticks,
)
from core.charts.static.base import Axis, _arr, _Geometry, _get, _list, _num, _pct, _ref, _text, _width_px


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
            if ax.spec.get("rangemode") in ("tozero", "nonnegative") and ax.kind == "linear":
                include_zero = include_zero or ax.spec["rangemode"] == "tozero" or lo <= 0
                lo = max(lo, 0.0) if ax.spec["rangemode"] == "nonnegative" else lo
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


def _tick_list(ax: Axis, room: int = 6) -> list[tuple[float, str]]:
    """The axis' ticks: given ones, every category (thinned), powers of ten, or about five
    round values; `room` caps how many fit along the axis (a short y axis gets fewer)."""
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
        ticks = _log_ticks(ax.lo, ax.hi)
        return ticks[::math.ceil(len(ticks) / max(2, room))]
    ticks = _ticks(ax.lo, ax.hi, target=max(2, min(room, int(ax.spec.get("nticks") or 5))))
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
        room = max(2, int(abs(y0 - y1) / (2.2 * tick_font)))  # labels at least 2.2 lines apart
        for u, label in _tick_list(ya, room):
            y = y0 + (y1 - y0) * ya.frac(u)
            if ya.spec.get("showgrid", True) is not False:
                out.append(f'<line x1="{x0:.2f}%" x2="{x1:.2f}%" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
            if ya.spec.get("showticklabels", True) is not False:
                out.append(_text(f"{x0:.2f}%", y, label, tick_font, anchor="end", extra=f' dx="{-6 * scale:.1f}"'))
        title = _get(ya.spec, "title.text")
        if title:
            width = max((_width_px(lbl, tick_font) for _, lbl in _tick_list(ya, room)), default=0) + 12 * scale
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
