"""Every chart on every lesson page can be read without seeing its colours.

1. A text alternative: right after the chart, a "Numbers behind this chart" expander whose
   tables hold the chart's own numbers. The check reads the figure the browser receives (the
   chart element's JSON) and finds every number of every table in it.
2. Colour is never the only difference: two series of one legend (in one subplot) that differ
   in colour also differ in marker symbol, dash or pattern, or carry a direct text label."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from core.charts import marks, summary
from core.i18n import t
from tests.app.conftest import assert_clean, run_page, tables
from ui.frame import INTERACTIVE_KEY
from ui.navigation import available

# Every page of the app but those without a chart (home, prompting) and the Lab (its charts
# appear after training: tests/unit/test_chart_access.py builds them).
WITHOUT_CHARTS = {"home", "prompting", "lab"}
PAGES = [page.path for page in available() if page.key not in WITHOUT_CHARTS]


def walk(node):
    """The page's elements and blocks in screen order."""
    yield node
    for _, child in sorted(getattr(node, "children", {}).items()):
        yield from walk(child)


def charts_and_numbers(at, lang):
    """[(figure JSON or None for a picture, expander or None)] for every chart: the expander is
    the next numbers box on the page before any other chart."""
    title = t("summary.title", lang)
    pairs = []
    for node in walk(at.main):
        if node.type == "plotly_chart":
            pairs.append([decoded(json.loads(node.proto.spec)), None])
        elif node.type == "markdown" and node.value.startswith("<img data-chart="):  # a server-drawn picture
            pairs.append([None, None])
        elif node.type == "expander" and getattr(node, "label", None) == title and pairs and pairs[-1][1] is None:
            pairs[-1][1] = node
    return pairs


def decoded(value):
    """The spec with Plotly's packed arrays ({"dtype", "bdata", "shape"}) as plain lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(n) for n in str(shape).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def close(shown: str, value) -> bool:
    """`shown` is `value` as printed (4 significant digits, integers whole); – is a gap."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return shown == "–"
    if isinstance(value, str):
        return summary.plain(value) == shown
    try:
        return math.isclose(float(shown), float(value), rel_tol=6e-4, abs_tol=1e-12)
    except ValueError:
        return False


def traces_named(figure, name):
    found = [tr for tr in figure["data"] if summary.plain(tr.get("name") or tr.get("legendgroup") or "") == name]
    return found or [tr for tr in figure["data"] if not (tr.get("name") or tr.get("legendgroup"))]


def flat(values):
    return list(np.asarray(values if values is not None else [], dtype=object).ravel())


def row_in_figure(figure, kind, row) -> bool:
    """Is this table row drawn in the figure?"""
    if kind == "series":
        name, role, x, y = row
        for tr in traces_named(figure, name):
            pairs = list(zip(flat(tr.get("x")), flat(tr.get("y"))))
            ys = [v for _, v in pairs if isinstance(v, (int, float))]
            if role in ("lowest", "highest", "최저", "최고") and not close(y, (min if role in ("lowest", "최저") else max)(ys)):
                continue
            if any(close(x, px) and close(y, py) for px, py in pairs):
                return True
        return False
    if kind == "bars":
        name, category, value = row
        for tr in traces_named(figure, name):
            cats, vals = (tr.get("y"), tr.get("x")) if tr.get("orientation") == "h" else (tr.get("x"), tr.get("y"))
            if any(close(category, c) and close(value, v) for c, v in zip(flat(cats), flat(vals))):
                return True
        return False
    if kind == "grid":
        label, *cells = row
        grids = [np.asarray(tr["z"], dtype=float) for tr in figure["data"] if tr.get("type") == "heatmap"]
        return any(any(all(close(c, v) for c, v in zip(cells, line)) for line in np.atleast_2d(z)) for z in grids)
    if kind == "cells":
        _, _, _, value = row
        return any(close(value, v) for tr in figure["data"] if tr.get("type") == "heatmap"
                   for v in np.asarray(tr["z"], dtype=float).ravel())
    if kind == "cloud":
        name, count, mx, my = row
        for tr in traces_named(figure, name):
            xs = np.array([np.nan if v is None else v for v in flat(tr.get("x"))], dtype=float)
            ys = np.array([np.nan if v is None else v for v in flat(tr.get("y"))], dtype=float)
            keep = np.isfinite(xs) & np.isfinite(ys)
            if int(count) == keep.sum() and close(mx, xs[keep].mean()) and close(my, ys[keep].mean()):
                return True
        return False
    raise AssertionError(kind)


@pytest.mark.parametrize("path", PAGES)
def test_every_chart_has_its_numbers_and_needs_no_colour(path, lang):
    at = run_page(path, lang, **{INTERACTIVE_KEY: True})  # Plotly figures: their data is in the page
    assert_clean(at)
    pairs = charts_and_numbers(at, lang)
    assert pairs, "the page draws charts"
    described = 0
    for figure, box in pairs:
        assert not marks.indistinct(go.Figure(figure)), f"{path}: series told apart by colour alone"
        expected = summary.tables(go.Figure(figure), lang)
        if not expected:
            continue  # a diagram (a model graph) has no numbers of its own
        assert box is not None, f"{path}: a chart without its numbers ({expected[0].columns})"
        shown = tables(box, numbers=True)
        assert len(shown) == len(expected)
        for table, element in zip(expected, shown):
            frame = element
            assert tuple(str(c) for c in frame.columns)[1:] == tuple(table.columns)[1:] or table.kind == "grid"
            for row in frame.astype(str).itertuples(index=False):
                assert row_in_figure(figure, table.kind, tuple(row)), f"{path}: {tuple(row)} is not in the chart"
        described += 1
    assert described, f"{path}: no chart has its numbers"


@pytest.mark.parametrize("path", ["pages/tokens.py", "pages/losses.py"])
def test_the_pictures_drawn_by_default_have_the_same_numbers_beside_them(path):
    """Charts are server-drawn pictures unless the learner asks for interactive ones: the same
    numbers boxes follow them, each right after its picture."""
    pictures = charts_and_numbers(run_page(path, "en"), "en")
    interactive = charts_and_numbers(run_page(path, "en", **{INTERACTIVE_KEY: True}), "en")
    assert pictures and all(figure is None for figure, _ in pictures)
    assert [box is not None for _, box in pictures] == [box is not None for _, box in interactive]
    assert [[tb.to_json() for tb in tables(box, numbers=True)] for _, box in pictures if box] == \
        [[tb.to_json() for tb in tables(box, numbers=True)] for _, box in interactive if box]
