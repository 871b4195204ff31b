"""core.html_table: small tables as one line of HTML, read back with their exact values."""

import math

import numpy as np
import pandas as pd

from core.html_table import number_text, parse, render


def test_a_table_round_trips_with_exact_numbers_and_escaped_text():
    df = pd.DataFrame({"name": ["<b>x</b>", "a & b"], "n": np.array([3, 12345], dtype=np.int64),
                       "loss": [0.123456789, 1e-7]})
    html = render(df, name="t")
    assert "\n" not in html  # a blank line would end markdown's HTML block
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert ">0.1235<" in html and ">1.000e-07<" in html and ">12,345<" in html
    (back,) = parse(html)
    assert back.attrs["name"] == "t"
    assert list(back.columns) == ["name", "n", "loss"]
    assert back["name"].tolist() == ["<b>x</b>", "a & b"]
    assert back["n"].tolist() == [3, 12345] and back["loss"].tolist() == [0.123456789, 1e-7]


def test_index_becomes_row_headers_and_marked_columns_are_highlighted():
    df = pd.DataFrame({"run": [1, 2], "lr": [0.1, 0.01], "act": ["relu", "relu"]}).set_index("run")
    html = render(df, index=True, marked={"lr"})
    assert html.count('scope="row"') == 2 and html.count('scope="col"') == 3
    assert html.count('class="num marked"') == 2 and '<th scope="col" class="marked">lr' in html
    assert parse(html)[0]["lr"].tolist() == [0.1, 0.01]


def test_precision_per_column_and_inline_code():
    html = render({"d": [0.5, 0.25], "e": [0.5, 0.25], "code": ["`fit()` twice", "plain"]},
                  precision={"d": 6})
    assert ">0.500000<" in html and ">0.5<" in html
    assert "<code>fit()</code> twice" in html
    assert parse(html)[0]["code"].tolist() == ["fit() twice", "plain"]


def test_number_text_reads_well():
    assert number_text(0) == "0" and number_text(0.0) == "0"
    assert number_text(123.456) == "123.5" and number_text(2.5e6) == "2.500e+06"
    assert number_text(float("nan")) == "nan" and number_text(-math.inf) == "-inf"
    assert number_text(np.float32(0.5), precision=2) == "0.50"
