"""The classroom link in the sidebar: hide chosen controls of this page and share the address.

`apply()` runs before the page (it reads `?hide=` and injects the CSS); `builder()` runs after
it, when the page's widgets exist, and lists them for the teacher to pick from."""

from __future__ import annotations

import html

import functools
from pathlib import Path

import streamlit as st

from core import classroom
from core.i18n import literal
from ui.frame import set_query_params, tr

STATE_KEY = "classroom_hide"  # the keys hidden in this session (from the link or the builder)


def apply() -> None:
    """Hide what the link asks to hide; a refused entry is named in a warning."""
    if STATE_KEY not in st.session_state:
        keys, refused = classroom.parse_hidden(st.query_params.get_all(classroom.PARAM))
        st.session_state[STATE_KEY] = keys
        if refused:
            st.warning(tr("app.classroom.refused", names=", ".join(literal(name, 30) for name in refused)))
    keys = st.session_state[STATE_KEY]
    if keys:
        st.html(classroom.css_for(keys))
        set_query_params({classroom.PARAM: classroom.SEPARATOR.join(keys)})
    elif classroom.PARAM in st.query_params:
        del st.query_params[classroom.PARAM]


@functools.cache
def _widget_keys(prefix: str) -> frozenset[str]:
    """Every control a page with this key prefix may draw: the widget keys written in pages/
    and ui/, and the Lab's keys, which its field table makes (ui.lab_controls.WIDGET_KEYS).
    Only files holding a string that starts with the prefix are parsed (a literal key that
    starts with it is one): parsing all of them took 0.3-1.3 s of a fresh server's first page."""
    from ui.lab_controls import WIDGET_KEYS

    root = Path(__file__).resolve().parent.parent
    keys = set(WIDGET_KEYS)
    for path in [*root.glob("pages/*.py"), *root.glob("ui/*.py")]:
        source = path.read_text(encoding="utf-8")
        if f'"{prefix}' in source or f"'{prefix}" in source:
            keys |= classroom.widget_keys(source)
    return frozenset(key for key in keys if key.startswith(prefix))


def prepare(prefix: str) -> None:
    """Read the page's controls from the sources now (kept for the server's life)."""
    _widget_keys(prefix)


def builder(prefix: str) -> None:
    """Sidebar expander: pick controls to hide, get the link to share."""
    controls = classroom.page_controls(list(st.session_state.keys()), prefix, _widget_keys(prefix).__contains__)
    if not controls:
        return
    hidden = [k for k in st.session_state[STATE_KEY] if k.startswith(prefix)]
    with st.sidebar.expander(tr("app.classroom.title"), icon=":material/school:"):
        st.caption(tr("app.classroom.help"))
        chosen = st.multiselect(tr("app.classroom.hide"), controls, default=[k for k in hidden if k in controls],
                                format_func=lambda k: k[len(prefix):].replace("_", " "),
                                key=f"classroom_pick_{prefix}")
        others = [k for k in st.session_state[STATE_KEY] if not k.startswith(prefix)]
        params = {k: st.query_params.get(k) for k in st.query_params.keys()}
        url = classroom.link(st.context.url or "", params, others + chosen)
        # A link, not st.code: st.code here made every visitor's browser load the 1.5 MB code
        # highlighter on every page (this box is in every page's sidebar, even when closed).
        shown = html.escape(url)
        st.markdown(f'<a data-classroom-link href="{shown}" target="_blank" '
                    f'style="font-family:monospace;font-size:0.85em;word-break:break-all">{shown}</a>',
                    unsafe_allow_html=True)
        if st.button(tr("app.classroom.preview"), key=f"classroom_apply_{prefix}"):
            st.session_state[STATE_KEY] = others + chosen
            st.rerun()
