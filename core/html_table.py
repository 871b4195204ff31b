"""Small tables as plain HTML, and back.

Streamlit's `st.dataframe` and `st.table` load 1.0–1.6 MB of JavaScript (the Arrow reader and
the data grid) into every new visitor's browser, which a page with a five-row table pays for in
its first seconds on a projector (measured in issue #12's closing note). A `<table>` inside the
page's markdown costs nothing extra: the markdown renderer is loaded for the text anyway.

`render` writes one line of HTML (a blank line would end markdown's HTML block): a caption-less
`<table>` with `<th scope="col">` headers, numbers right-aligned and formatted for reading, each
number's exact value kept in `data-value` so that `parse` (tests) gets the numbers back, not
their rounded text.
"""

from __future__ import annotations

import html
import math
import re
from html.parser import HTMLParser
from numbers import Integral, Real


MARK = "data-table"
_CODE = re.compile(r"`([^`]+)`")
_MARKED = ' class="marked"'


def number_text(value: float, precision: int | None = None) -> str:
    """A number as a reader wants it: integers whole, fixed `precision` decimals when given,
    otherwise four significant digits (scientific outside 1e-3 … 1e5)."""
    if isinstance(value, Integral):
        return f"{int(value):,}" if abs(int(value)) >= 10_000 else str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if precision is not None:
        return f"{value:.{precision}f}"
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return f"{value:.3e}"


def _cell(value, tag: str, precision: int | None, marked: bool = False, row_header: bool = False) -> str:
    classes = " ".join(c for c, on in (("num", _is_number(value)), ("marked", marked)) if on)
    attrs = (' scope="row"' if row_header else "") + (f' class="{classes}"' if classes else "")
    if _is_number(value):
        exact = repr(int(value)) if isinstance(value, Integral) else repr(float(value))
        return f'<{tag}{attrs} data-value="{exact}">{number_text(value, precision)}</{tag}>'
    text = "" if value is None else str(value)
    shown = _CODE.sub(r"<code>\1</code>", html.escape(text))  # `x`: markdown's inline code
    return f"<{tag}{attrs}>{shown}</{tag}>"


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def render(df, name: str = "table", index: bool = False,
           precision: int | dict[str, int] | None = None, marked=()) -> str:
    """`df` (a DataFrame or a dict of columns) as one line of HTML; `index=True` shows the index
    as the first column (row headers); `precision` fixes the decimals of every number or, as a
    dict, of the named columns; the `marked` columns are highlighted."""
    import pandas as pd  # here, not at the top: ui.frame imports this module on every first page

    frame = pd.DataFrame(df)
    frame = frame.reset_index() if index else frame
    columns = list(frame.columns)
    head = "".join(f'<th scope="col"{_MARKED if c in marked else ""}>{html.escape(str(c))}</th>' for c in columns)
    digits = [precision.get(c) if isinstance(precision, dict) else precision for c in columns]
    rows = ["<tr>" + "".join(
        _cell(v, "th" if index and i == 0 else "td", digits[i], columns[i] in marked, index and i == 0)
        for i, v in enumerate(values)) + "</tr>" for values in frame.itertuples(index=False)]
    return (f'<div {MARK}="{html.escape(name, quote=True)}" class="kl-table">'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[str], list[list[object]]]] = []
        self._cell: list[str] | None = None
        self._value: str | None = None
        self._row: list[object] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and MARK in attrs:
            self.tables.append((attrs[MARK], [], []))
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell, self._value = [], attrs.get("data-value")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell)
            value = text if self._value is None else (
                int(self._value) if self._value.lstrip("-").isdigit() else float(self._value))
            self._row.append(value)
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            _, columns, rows = self.tables[-1]
            (columns.extend if self._in_head else rows.append)(self._row)
            self._row = None


def parse(text: str) -> list:
    """Every table `render` wrote into `text`, as DataFrames with their exact values."""
    import pandas as pd

    reader = _Reader()
    reader.feed(text)
    found = []
    for name, columns, rows in reader.tables:
        df = pd.DataFrame(rows, columns=columns)
        df.attrs["name"] = name
        found.append(df)
    return found
