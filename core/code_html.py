"""Python source as highlighted HTML, made on the server.

Why not `st.code`: it makes every new visitor's browser download and compile Streamlit's
syntax-highlighter bundle (1.5 MB of JavaScript) even when the code sits in a closed "Show the
code" expander; measured on the 2-core machine, a page with one closed expander of code was
complete ~1 s later than the same page without it (median of 5 fresh browser contexts). Pygments
does the same highlighting on the server in about a millisecond. The colours are the app's
accessible ones (contrast ≥ 4.5 on the code background, as ui.frame's CSS sets for st.code)."""

from __future__ import annotations

import html
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.style import Style
from pygments.token import Comment, Keyword, Name, Number, Operator, String

BACKGROUND = "#f6f7f9"


class AccessibleStyle(Style):
    background_color = BACKGROUND
    styles = {
        Comment: "italic #5f5e5c",
        Keyword: "#8250df",
        Name.Builtin: "#0b57d0",
        Name.Function: "#b3261e",
        Name.Class: "#b3261e",
        Name.Decorator: "#0b57d0",
        Number: "#0b57d0",
        String: "#1a7f37",
        Operator.Word: "#8250df",
    }


_FORMATTER = HtmlFormatter(style=AccessibleStyle, noclasses=True, nowrap=True)


def python_html(source: str) -> str:
    """`source` as a block of highlighted HTML (no script needed to show it)."""
    # One line of HTML: markdown ends an HTML block at a blank line, and the code after it would
    # become a markdown code block. Line breaks are <br>; white-space:pre keeps the indentation.
    body = highlight(source, PythonLexer(), _FORMATTER).rstrip("\n").replace("\n", "<br>")
    # A <div>, not <pre>/<code>: Streamlit's markdown hands those to its own code component,
    # which loads the very bundle this avoids (and shows highlighted spans as "[object Object]").
    return (f'<div data-code="python" role="region" aria-label="Python" tabindex="0" '
            f'style="background:{BACKGROUND};color:#1f2328;padding:0.9em 1em;border-radius:0.5rem;'
            f'overflow-x:auto;font-family:\'Source Code Pro\',ui-monospace,monospace;font-size:0.85em;'
            f'line-height:1.45;white-space:pre">{body}</div>')


def text_of(markup: str) -> str:
    """The plain source back from `python_html`'s markup (what tests compare)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup.replace("<br>", "\n"))) + "\n"
