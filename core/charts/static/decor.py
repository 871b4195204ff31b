"""What sits on top of a static chart: shapes, annotations (with arrows) and the legend."""

from __future__ import annotations

import re

import numpy as np

from core.charts.live import (
    TEXT,
)
from core.charts.static.base import (
    hatch,
    NOMINAL_WIDTH,
    _colour,
    _dash,
    _Defs,
    _Geometry,
    _get,
    _local,
    _num,
    _pct,
    _plain,
    _text,
    _width_px,
)


def _position(axis: str, ref: str | None, v, axes: dict, g: _Geometry) -> float | None:
    """A shape's or annotation's coordinate along `axis` ("x": % of the width, "y": px) for
    a reference of "paper", "<axis> domain" or a data axis ("x2", ...)."""
    ref = ref or axis
    place = g.x if axis == "x" else g.y
    if ref == "paper":
        return place(_num(v))
    ax = axes.get(ref.split()[0])
    if ax is None:
        return None
    along = _num(v) if ref.endswith(" domain") else ax.frac(ax.value(v))
    return place(ax.domain[0] + (ax.domain[1] - ax.domain[0]) * along)


def _ref_x(ref: str | None, v, axes: dict, g: _Geometry) -> float | None:
    return _position("x", ref, v, axes, g)


def _ref_y(ref: str | None, v, axes: dict, g: _Geometry) -> float | None:
    return _position("y", ref, v, axes, g)


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
                          dash=_get(t, "line.dash"), explicit=t.get("showlegend") is True,
                          pattern=_get(t, "marker.pattern.shape") if mode == "bar" else None,
                          edge=_get(marker, "line.color") if isinstance(_get(marker, "line.color"), str) else None))
    if len(items) < 2 and not any(i["explicit"] for i in items) and layout.get("showlegend") is not True:
        return []
    return items


def _legend_rows(items: list[dict], font: float) -> list[list[dict]]:
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
                if item.get("edge") and not open_:  # a white star with a dark outline stays visible
                    paint += f' stroke="{item["edge"]}" stroke-width="1"'
                sample.append(f'<use href="#{ref}" x="{x + _pct(14):.2f}%" y="{y:.1f}" {paint}/>')
            if item["mode"] == "bar":
                sample.append(f'<rect x="{x + _pct(6):.2f}%" y="{y - 6 * scale:.1f}" '
                              f'width="{_pct(16):.2f}%" height="{12 * scale:.1f}" fill="{item["marker"]}"/>')
                pattern_id, pattern = hatch(item.get("pattern"))
                if pattern_id:
                    sample.append(pattern + f'<rect fill="url(#{pattern_id})" x="{x + _pct(6):.2f}%" y="{y - 6 * scale:.1f}" '
                                  f'width="{_pct(16):.2f}%" height="{12 * scale:.1f}"/>')
            if not sample:  # text-only traces
                sample.append(f'<text x="{x + _pct(14):.2f}%" y="{y:.1f}" dy="0.35em" text-anchor="middle" '
                              f'font-size="{font * 0.9:.1f}">Aa</text>')
            out += sample
            out.append(_text(f"{x + _pct(34):.2f}%", y, item["name"], font * 0.93, anchor="start"))
            x += _pct(item["width"])
    return "".join(out)
