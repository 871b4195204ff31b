"""The numbers behind a chart, as small tables: a figure's text alternative.

A screen reader cannot read a Plotly figure, and the back row of a classroom cannot read its
hover labels. `tables(fig, lang)` reads the figure's own data (never numbers typed a second
time), so the text cannot drift from what is drawn:

- a line or a few markers (one series): every point when there are at most `MAX_POINTS`, else
  its first, lowest, highest and last point;
- bars: every bar (category and value);
- a small heatmap: the whole grid; a large one: its lowest and highest cell;
- a cloud of many markers (a class in a projection): how many points it has and its centre.

Traces that carry no number of their own are left out: hidden or legend-only ones, text labels,
hover-less decorations, and pictures (a trace whose `meta` is "picture": a digit's pixels).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from core.i18n import t

MAX_POINTS = 12   # a series with more points is summarised by its first, lowest, highest, last
MAX_BARS = 24
MAX_CELLS = 64    # a heatmap with more cells is summarised by its lowest and highest cell
CLOUD = 100       # a markers-only trace with more points is a cloud: count and centre
PICTURE = "picture"


@dataclass(frozen=True)
class Table:
    """One small table: `columns` headers, `rows` of formatted cells, an optional `title`."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    kind: str  # "series", "bars", "grid", "cells" or "cloud": how to read it back (tests)


def number(value) -> str:
    """A number as a table shows it: integers whole, others to 4 significant digits; a gap as –."""
    if value is None or isinstance(value, str):
        return "–" if value is None else plain(value)
    v = float(value)
    if not math.isfinite(v):
        return "–"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.1f}" if abs(v) >= 1000 else f"{v:.4g}"


def plain(text) -> str:
    """Label text without Plotly's HTML (<br>, <b>…)."""
    text = re.sub(r"<br\s*/?>", " ", str(text if text is not None else ""))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


def tables(fig, lang: str) -> list[Table]:
    """The figure's numbers as tables, one per kind of trace and pair of axes."""
    words = _Words(lang)
    groups: dict[tuple, list] = {}
    for trace in fig.data:
        kind = _kind(trace)
        if kind:
            groups.setdefault((kind, _axis(trace, "x"), _axis(trace, "y")), []).append(trace)
    out: list[Table] = []
    for (kind, xa, ya), traces in groups.items():
        title = _subplot_title(fig, xa, ya)
        x_title, y_title = _axis_title(fig, xa), _axis_title(fig, ya)
        if kind == "series":
            out.append(_series_table(traces, title, x_title, y_title, words))
        elif kind == "bars":
            out.append(_bar_table(traces, title, x_title, y_title, words))
        elif kind == "heat":
            out += [_heat_table(trace, title, x_title, y_title, words) for trace in traces]
        else:
            out.append(_cloud_table(traces, title, x_title, y_title, words))
    unique: list[Table] = []
    for table in out:  # a trace drawn twice (a heatmap and its text layer) is listed once
        if table.rows and not any(table.rows == seen.rows for seen in unique) and not _all_gaps(table):
            unique.append(table)
    return unique


def _all_gaps(table: Table) -> bool:
    """A grid not computed yet (every cell a gap) says nothing."""
    return table.kind == "grid" and all(cell == "–" for row in table.rows for cell in row[1:])


class _Words:
    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str) -> str:
        return t(f"summary.{key}", self.lang)


def _kind(trace) -> str | None:
    if trace.visible in (False, "legendonly") or trace.hoverinfo == "skip" or trace.meta == PICTURE \
            or trace.opacity == 0 or (getattr(trace, "marker", None) is not None and trace.marker.opacity == 0):
        return None  # not drawn, or drawn only to catch clicks
    kind = trace.type
    if kind == "bar":
        return "bars"
    if kind == "heatmap":
        return "heat" if trace.z is not None else None
    if kind not in ("scatter", "scattergl"):
        return "cloud" if kind == "scatter3d" and trace.x is not None else None
    mode = trace.mode or "lines"
    xs, ys = _values(trace, "x"), _values(trace, "y")
    if "lines" not in mode and "markers" not in mode:
        return None  # text labels only
    if not len(xs) or all(v is None for v in ys) or trace.fill == "toself":
        return None  # a legend entry, or a band drawn behind a series
    return "cloud" if "lines" not in mode and len(xs) > CLOUD else "series"


def _values(trace, axis: str) -> list:
    values = getattr(trace, axis)
    if values is None:
        return []
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values, dtype=object).ravel()]


def _axis(trace, axis: str) -> str:
    return getattr(trace, f"{axis}axis", None) or axis


def _layout_axis(fig, ref: str):
    name = ref[0] + "axis" + ref[1:]
    return getattr(fig.layout, name, None)


def _axis_title(fig, ref: str) -> str:
    axis = _layout_axis(fig, ref)
    text = axis.title.text if axis is not None and axis.title is not None else None
    return plain(text) if text else ref[0]  # "x", not "x2"


def _subplot_title(fig, xa: str, ya: str) -> str:
    """The subplot title over these axes (make_subplots puts it, as an annotation, centred above
    the panel's domain), or ""."""
    x_axis, y_axis = _layout_axis(fig, xa), _layout_axis(fig, ya)
    if x_axis is None or y_axis is None or x_axis.domain is None or y_axis.domain is None:
        return ""
    (x0, x1), (_, y1) = x_axis.domain, y_axis.domain
    for note in fig.layout.annotations or ():
        if note.xref == "paper" and note.yref == "paper" and note.x is not None and note.y is not None \
                and abs(note.x - (x0 + x1) / 2) < 0.02 and 0 <= note.y - y1 < 0.05 and note.text:
            return plain(note.text)
    return ""


def _name(trace, fallback: str) -> str:
    """The trace's legend name; an unnamed one (a chart's only series) goes by its axis title."""
    return plain(trace.name) or plain(trace.legendgroup) or fallback


def _key_points(ys: list) -> list[tuple[int, str]]:
    """(index, role) of the points a long series is read by: first, lowest, highest, last."""
    finite = [i for i, y in enumerate(ys) if isinstance(y, (int, float)) and math.isfinite(y)]
    if not finite:
        return []
    lowest = min(finite, key=lambda i: ys[i])
    highest = max(finite, key=lambda i: ys[i])
    roles: dict[int, str] = {}
    for index, role in ((finite[0], "first"), (lowest, "lowest"), (highest, "highest"), (finite[-1], "last")):
        roles.setdefault(index, role)
    return sorted(roles.items())


def _series_table(traces, title, x_title, y_title, words) -> Table:
    rows = []
    for trace in traces:
        xs, ys = _values(trace, "x"), _values(trace, "y")
        points = [(i, "") for i in range(len(ys))] if len(ys) <= MAX_POINTS else \
            [(i, words(role)) for i, role in _key_points(ys)]
        rows += [(_name(trace, y_title), role, number(xs[i]), number(ys[i])) for i, role in points]
    return Table(title, (words("series"), words("point"), x_title, y_title), tuple(rows), "series")


def _bar_table(traces, title, x_title, y_title, words) -> Table:
    rows = []
    for trace in traces:
        across = trace.orientation == "h"
        categories, values = (_values(trace, "y"), _values(trace, "x")) if across else \
            (_values(trace, "x"), _values(trace, "y"))
        for category, value in list(zip(categories, values))[:MAX_BARS]:
            rows.append((_name(trace, x_title if across else y_title), plain(category), number(value)))
    category_title, value_title = (y_title, x_title) if traces[0].orientation == "h" else (x_title, y_title)
    return Table(title, (words("series"), category_title, value_title), tuple(rows), "bars")


def _heat_table(trace, title, x_title, y_title, words) -> Table:
    z = np.asarray(trace.z, dtype=float)
    z = z.reshape(1, -1) if z.ndim == 1 else z  # (rows, columns)
    xs = [plain(v) for v in _values(trace, "x")] or [str(j) for j in range(z.shape[1])]
    ys = [plain(v) for v in _values(trace, "y")] or [str(i) for i in range(z.shape[0])]
    if z.size <= MAX_CELLS:
        rows = tuple((ys[i], *(number(v) for v in z[i])) for i in range(z.shape[0]))
        return Table(title, (f"{y_title} \\ {x_title}", *xs), rows, "grid")
    rows = []
    for role, index in (("lowest", np.nanargmin(z)), ("highest", np.nanargmax(z))):
        i, j = np.unravel_index(index, z.shape)
        rows.append((words(role), ys[i], xs[j], number(z[i, j])))
    return Table(title, (words("point"), y_title, x_title, words("value")), tuple(rows), "cells")


def _cloud_table(traces, title, x_title, y_title, words) -> Table:
    rows = []
    for trace in traces:
        xs = np.asarray([np.nan if v is None else v for v in _values(trace, "x")], dtype=float)
        ys = np.asarray([np.nan if v is None else v for v in _values(trace, "y")], dtype=float)
        keep = np.isfinite(xs) & np.isfinite(ys)
        if keep.any():
            rows.append((_name(trace, words("unnamed")), number(int(keep.sum())),
                         number(float(xs[keep].mean())), number(float(ys[keep].mean()))))
    columns = (words("series"), words("count"), f"{x_title} ({words('mean')})", f"{y_title} ({words('mean')})")
    return Table(title, columns, tuple(rows), "cloud")
