"""Colour is never the only carrier of meaning: series that a legend tells apart by colour also
differ by marker shape, dash or bar pattern (a greyscale print, a washed-out projector, a
colour-blind learner).

`distinguish(fig)` runs in `core.charts.theme` on every figure, so every chart gets it without
each chart function choosing shapes itself; a chart that already tells its series apart (its
own dashes or symbols) keeps its look. `indistinct(fig)` is the check the tests run.

Within one subplot, the legend's series are grouped by colour. Different colours get:
- markers-only series (classes in a projection): distinct marker symbols;
- line series: distinct dashes, or, when the chart already uses dashes for something else
  (training solid, validation dashed), a few markers of a distinct symbol along each line;
- bars: distinct fill patterns.
"""

from __future__ import annotations

SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down",
           "pentagon", "hexagram", "star-square", "hourglass")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|")
LINE_MARKERS = 9  # markers drawn along a line that gets a symbol (marker.maxdisplayed)


def _legend_traces(fig) -> list[tuple[int, object]]:
    """(index, trace) of the series a legend names (visible, shown in the legend, named)."""
    out = []
    for i, trace in enumerate(fig.data):
        if trace.type not in ("scatter", "scattergl", "bar") or trace.visible is False:
            continue
        if trace.showlegend is False or not (trace.name or "").strip():
            continue
        if trace.x is not None and all(v is None for v in trace.x):
            continue  # a legend key for points drawn elsewhere (the Lab's class colours): its own rule
        if trace.type != "bar" and "lines" not in (trace.mode or "lines") and "markers" not in (trace.mode or ""):
            continue
        out.append((i, trace))
    return out


def colour_of(fig, index: int, trace) -> str | None:
    """The trace's colour as drawn: its own, else the colorway's (by trace index)."""
    own = None
    if trace.type != "bar" and trace.line is not None and isinstance(trace.line.color, str):
        own = trace.line.color
    if own is None and trace.marker is not None and isinstance(trace.marker.color, str):
        own = trace.marker.color
    if own is None:
        from core.charts import PALETTE

        way = fig.layout.colorway or (fig.layout.template.layout.colorway if fig.layout.template else None) or PALETTE
        own = way[index % len(way)]
    return own.lower().replace(" ", "")


def look(trace) -> tuple:
    """What tells a trace apart without colour: (dash, symbol, pattern, direct text label)."""
    if trace.type == "bar":
        shape = trace.marker.pattern.shape if trace.marker is not None and trace.marker.pattern is not None else None
        return (None, None, shape or "", bool(trace.text is not None and len(trace.text) and trace.textposition == "inside"))
    mode = trace.mode or "lines"
    dash = (trace.line.dash or "solid") if "lines" in mode else None
    symbol = None
    if "markers" in mode:
        symbol = trace.marker.symbol if trace.marker is not None and trace.marker.symbol is not None else "circle"
        symbol = tuple(symbol) if not isinstance(symbol, (str, int)) else str(symbol)
    text = "text" in mode and trace.text is not None and any(str(v).strip() for v in _list(trace.text))
    return (dash, symbol, None, text)


def _list(value):
    return [value] if isinstance(value, str) else list(value)


def _panels(fig) -> dict[tuple, list[tuple[int, object]]]:
    panels: dict[tuple, list] = {}
    for i, trace in _legend_traces(fig):
        panels.setdefault((trace.xaxis or "x", trace.yaxis or "y"), []).append((i, trace))
    return panels


def indistinct(fig) -> list[tuple[str, str]]:
    """Pairs of legend series (by name) in one subplot that differ only in colour."""
    found = []
    for traces in _panels(fig).values():
        seen: dict[str, tuple] = {}
        for i, trace in traces:
            c, mark = colour_of(fig, i, trace), look(trace)
            for other, (oc, omark) in seen.items():
                if oc != c and omark == mark and not mark[3]:
                    found.append((other, trace.name))
            seen.setdefault(trace.name, (c, mark))
    return found


def distinguish(fig):
    """Give each colour in a subplot's legend its own symbol, dash or pattern, where two
    colours would otherwise look the same (see the module doc). Traces that share a legend
    group with a restyled one (the same class in the next panel) follow it. Returns the figure."""
    styled: dict[tuple, dict] = {}
    for traces in _panels(fig).values():
        clashing = _clashing(fig, traces)
        if not clashing:
            continue
        colours: list[str] = []
        for i, trace in traces:
            c = colour_of(fig, i, trace)
            if i in clashing and c not in colours:
                colours.append(c)
        taken = [look(trace) for i, trace in traces if i not in clashing]
        free = dict(dashes=[d for d in DASHES if d not in {m[0] for m in taken}],
                    symbols=[x for x in SYMBOLS if x not in {m[1] for m in taken}],
                    patterns=[x for x in PATTERNS if x not in {m[2] for m in taken}])
        dashes_used = any(trace.type != "bar" and "lines" in (trace.mode or "lines")
                          and (trace.line.dash or "solid") != "solid" for _, trace in traces)
        for i, trace in traces:
            if i in clashing:
                change = _mark(trace, colours.index(colour_of(fig, i, trace)), dashes_used, free)
                styled[(trace.legendgroup or trace.name, colour_of(fig, i, trace))] = change
    for i, trace in enumerate(fig.data):  # the same series drawn again without a legend entry
        change = styled.get((trace.legendgroup or trace.name, colour_of(fig, i, trace)) if trace.type in
                            ("scatter", "scattergl", "bar") else None)
        if change and trace.showlegend is False:
            trace.update(**change)
    return fig


def _clashing(fig, traces) -> set[int]:
    """Indices of traces whose look another colour in the panel shares."""
    marks = [(i, colour_of(fig, i, trace), look(trace)) for i, trace in traces]
    return {i for i, c, mark in marks if not mark[3]
            and any(oc != c and omark == mark for _, oc, omark in marks)}


def _mark(trace, g: int, dashes_used: bool, free: dict) -> dict:
    """Series group `g` (its colour's rank among the clashing ones) gets its own look, from the
    dashes, symbols and patterns no other series of the panel uses. Returns the change."""
    def pick(options, fallback):
        return options[g % len(options)] if options else fallback[g % len(fallback)]

    if trace.type == "bar":
        change = dict(marker_pattern_shape=pick(free["patterns"], PATTERNS), marker_pattern_fillmode="overlay",
                      marker_pattern_fgcolor="white", marker_pattern_size=8)
    elif "lines" in (trace.mode or "lines") and not dashes_used and g < len(free["dashes"]):
        change = dict(line_dash=free["dashes"][g])
    else:
        mode = trace.mode or "lines"
        change = dict(marker_symbol=pick(free["symbols"], SYMBOLS))
        if "markers" not in mode:
            change.update(mode=mode + "+markers", marker_maxdisplayed=LINE_MARKERS)
    trace.update(**change)
    return change


# Classes drawn as points (the Lab's boundary and projections): class k has its own shape as
# well as its own colour. Plotly's names and the same shapes in SVG (the live frames).
CLASS_SYMBOLS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross")


def class_symbol(k: int) -> str:
    return CLASS_SYMBOLS[int(k) % len(CLASS_SYMBOLS)]


def svg_mark(k: int, x: float, y: float, r: float, fill: str, stroke: str, width: float) -> str:
    """Class k's shape centred on (x, y), about 2r across, as SVG markup."""
    shape = class_symbol(k)
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{width:.1f}"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {paint}/>'
    if shape == "square":
        s = r * 0.9
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" {paint}/>'
    a, c = r * 1.25, r * 0.4  # the outer reach of a triangle, diamond or cross; a cross's half-width
    points = {
        "triangle-up": [(0, -a), (a, 0.75 * a), (-a, 0.75 * a)],
        "triangle-down": [(0, a), (a, -0.75 * a), (-a, -0.75 * a)],
        "diamond": [(0, -a), (a, 0), (0, a), (-a, 0)],
        "cross": [(-c, -a), (c, -a), (c, -c), (a, -c), (a, c), (c, c), (c, a), (-c, a), (-c, c), (-a, c), (-a, -c),
                  (-c, -c)],
    }[shape]
    d = "M" + "L".join(f"{x + dx:.1f} {y + dy:.1f}" for dx, dy in points) + "Z"
    return f'<path d="{d}" {paint}/>'
