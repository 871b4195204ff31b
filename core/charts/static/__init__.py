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

import plotly.graph_objects as go

from core.charts import BASE_FONT, PALETTE
from core.charts.live import FONT, TEXT, escape
from core.charts.static.axes import _autorange, _axes, _subplot_frame, _subplots, _tick_list
from core.charts.static.base import (
    DEFAULT_HEIGHT,
    NOMINAL_WIDTH,
    Unsupported,
    _decode,
    _Defs,
    _Geometry,
    _get,
    _list,
    _local,
    _pct,
    _plain,
    _ref,
    _text,
    _width_px,
)
from core.charts.static.decor import _annotation, _arrow_defs, _legend, _legend_items, _legend_rows, _shape
from core.charts.static.traces import _bar, _colourbar, _heatmap, _scatter


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

    title_text = _get(layout, "title.text")
    top, left_px, bottom, right_px = _margins(layout, axes, scalebars, font, tick_font, scale)
    legend_rows = _legend_rows(legend_items, font)
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
    body += _traces(traces, axes, layout, colorway, geom, defs, tick_font, scale)
    for shape in _list(layout.get("shapes")):
        if shape.get("layer") != "below":
            body.append(_shape(shape, axes, geom))
    for note in _list(layout.get("annotations")):
        body.append(_annotation(note, axes, geom, font, scale))
    if scalebars:  # one colour bar, the first heatmap's
        body.append(_colourbar(scalebars[0], geom, tick_font, scale))
    if title_text:
        body.append(_text(f"{geom.left:.2f}%", 0.6 * font, title_text, float(_get(layout, "title.font.size") or font * 1.1),
                          anchor="start", baseline="top"))
    body.append(_legend(legend_rows, height - len(legend_rows) * row_h + 0.2 * font, row_h, font, defs, scale, geom))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{escape(name)}" width="100%" height="{height:.0f}" '
            f'font-family="{FONT}" font-size="{font:.1f}" fill="{TEXT}" style="background:white">')
    body_markup = "".join(body)
    return head + "<defs>" + "".join(defs.items) + _arrow_defs(body_markup) + "</defs>" + body_markup + "</svg>"


def _margins(layout: dict, axes: dict, scalebars: list, font: float, tick_font: float,
             scale: float) -> tuple[float, float, float, float]:
    """Room around the plot, in px: top (the title, a colour bar's title), left (the y axes'
    tick labels and titles), bottom (the x axes'; the legend is added by the caller), right
    (a colour bar)."""
    title_text = _get(layout, "title.text")
    top = max(float(_get(layout, "margin.t") or 20 * scale), 10 * scale)
    if title_text:
        top = max(top, (len(_plain(title_text).split("\n")) * 1.2 + 1.0) * font * 1.1)
    if any(_get(t, "colorbar.title.text") for t in scalebars):  # the colour bar's title sits above it
        top = max(top, 1.8 * tick_font)
    left_px, bottom = 10 * scale, 8 * scale
    for ax in axes.values():
        if ax.spec.get("visible") is False:
            continue
        title = _get(ax.spec, "title.text")
        title_room = (len(_plain(title).split("\n")) * 1.2 * font + 6 * scale) if title else 0
        if ax.name.startswith("y"):
            labels = [label for _, label in _tick_list(ax)] if ax.spec.get("showticklabels", True) else []
            need = max((_width_px(label, tick_font) for label in labels), default=0) + 8 * scale + title_room
            left_px = max(left_px, need + 4 * scale)
        else:
            need = (tick_font * 1.6 if ax.spec.get("showticklabels", True) else 4) + title_room
            bottom = max(bottom, need + 6 * scale)
    right_px = max(float(_get(layout, "margin.r") or 10 * scale), 10 * scale) + (70 * scale if scalebars else 0)
    return top, left_px, bottom, right_px


def _traces(traces: list, axes: dict, layout: dict, colorway: list, geom: _Geometry, defs: _Defs,
            tick_font: float, scale: float) -> list[str]:
    """Every trace's markup, in order (later traces on top), each on its own axes."""
    barmode = layout.get("barmode") or "group"
    bars = [t for t in traces if t.get("type") == "bar"]
    out = []
    for i, t in enumerate(traces):
        colour = colorway[i % len(colorway)]
        xa, ya = axes[_ref(t, "x")], axes[_ref(t, "y")]
        kind = t.get("type", "scatter")
        if kind in ("heatmap", "contour"):
            out.append(_heatmap(t, xa, ya, geom, tick_font))
        elif kind == "bar":
            out.append(_bar(t, bars, barmode, colour, xa, ya, geom, tick_font, axes))
        else:
            out.append(_scatter(t, traces, colour, xa, ya, geom, defs, tick_font, scale))
    return out


def alt_text(fig: go.Figure, fallback: str = "") -> str:
    """A short description of a chart for its picture's alt attribute: its title, the axes'
    and subplots' titles and the names of its series; `fallback` when it has none of them."""
    layout = fig.layout
    parts = [_plain(layout.title.text) if layout.title and layout.title.text else ""]
    for name in sorted(k for k in layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))):
        axis = layout[name]
        if axis.title and axis.title.text:
            parts.append(_plain(axis.title.text))
    parts += [_plain(a.text) for a in layout.annotations or () if a.text and a.showarrow is False]
    names = [t.name for t in fig.data if getattr(t, "name", None)]
    parts.append(", ".join(dict.fromkeys(names)))
    text = " · ".join(dict.fromkeys(p.replace("\n", " ").strip() for p in parts if p and p.strip()))
    return text or fallback
