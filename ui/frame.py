"""The frame every page shares: language, presentation mode, page header and footer.

Pages call `tr()` for text, `plot()` for figures, and `header()` / `notice()` / `code()` for
the parts of the page contract (DESIGN.md) so every lesson looks and reads the same.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from core import charts, code_html, html_table
from core.charts import live, static
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalize_language, t

LANG_KEY = "lang"
PRESENT_KEY = "presentation"
INTERACTIVE_KEY = "interactive_charts"


def lang() -> str:
    """The learner's language: the sidebar's choice, else ?lang= in the URL, else English."""
    if LANG_KEY not in st.session_state:
        raw = st.query_params.get("lang", DEFAULT_LANGUAGE)
        st.session_state[LANG_KEY] = normalize_language(raw)
        if raw not in LANGUAGES:  # a bad link: say so once, in the language we fell back to
            _url_warnings().append(("app.bad_lang", raw))
    return normalize_language(st.session_state[LANG_KEY])


def tr(key: str, **kwargs) -> str:
    return t(key, lang(), **kwargs)


def words(prefix: str, names) -> dict[str, str]:
    """`<prefix>.<name>` from the catalogues for each name, in this run's language. As a
    select box's `format_func` (`words(…).get`) the labels are fixed during the run: a function
    calling `tr` later would run where no session is (AppTest formats options on its thread)."""
    return {name: tr(f"{prefix}.{name}") for name in names}


def presenting() -> bool:
    if PRESENT_KEY not in st.session_state:
        raw = st.query_params.get("present", "0")
        st.session_state[PRESENT_KEY] = raw in ("1", "true")
        if raw not in ("0", "1", "true", "false"):
            _url_warnings().append(("app.bad_present", raw))
    return bool(st.session_state[PRESENT_KEY])


def scale() -> float:
    """Chart scale: 1 normally, larger in presentation mode."""
    return charts.PRESENTATION_SCALE if presenting() else 1.0


def set_query_params(values: dict[str, str]) -> None:
    """Put `values` in the address bar: only those that differ, in one message. Each message
    makes the browser rewrite its history entry (20 of them took ~0.45 s of a click on Train).
    Not `st.query_params.from_dict`: it would also drop the page from the URL, which makes the
    browser report "page not found" on a fresh visit."""
    shown = client_query()
    if shown is None:  # outside a script run (tests): the session's copy is all there is
        shown = {key: st.query_params.get(key) for key in values}
    if any(shown.get(key) != value for key, value in values.items()):
        # All of them, not only those that differ from st.query_params: with fast reruns the
        # session's query-parameter object is shared by the new run and the old run still
        # winding down, and the old one may write its values into it (a message it then never
        # sends) after the new run read the browser's URL, so the new run would skip keys the
        # address bar never got (issue #14, defect 2: "hidden=8-8-8-8&act=relu" left behind).
        st.query_params.update(values)


def client_query() -> dict[str, str] | None:
    """The query string this script run started from (the browser's address bar then), plus
    what this run has sent since: per run, unlike st.query_params."""
    from urllib.parse import parse_qs

    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    return {key: values[-1] for key, values in parse_qs(ctx.query_string or "", keep_blank_values=True).items()}


def _url_warnings() -> list:
    return st.session_state.setdefault("frame_url_warnings", [])


def sidebar_frame() -> None:
    """Language and presentation-mode controls, kept in the URL so a shared link keeps them.
    A value in the link that had to be replaced is named in a warning, once."""
    lang()
    presenting()
    for key, raw in st.session_state.pop("frame_url_warnings", []):
        st.warning(tr(key, value=str(raw)[:40]))
    with st.sidebar:
        st.selectbox(t("app.language", lang()), list(LANGUAGES), format_func=LANGUAGES.get,
                     key=LANG_KEY)
        st.toggle(tr("app.presentation"), key=PRESENT_KEY, help=tr("app.presentation_help"))
        st.toggle(tr("app.interactive_charts"), key=INTERACTIVE_KEY, help=tr("app.interactive_charts_help"))
        # In the sidebar: a style element in the page would add a gap above the title.
        st.markdown(_BASE_CSS + (_KOREAN_CSS if lang() == "ko" else ""), unsafe_allow_html=True)
    set_query_params({"lang": lang(), **({"present": "1"} if presenting() else {})})
    if presenting():
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)
    elif "present" in st.query_params:
        del st.query_params["present"]


# Every page, both modes. Captions: Streamlit's grey at opacity 0.6 (#9f9e9d on white, 2.67) is below
# WCAG's 4.5 for body text; #5f5e5c gives 6.5 on white and 5.8 on the sidebar. Sections are
# h2 (frame.section) so headings go h1 -> h2, sized as Streamlit's subheader. A keyboard user
# sees where the focus is on every control.
_BASE_CSS = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stTooltipIcon"], [data-testid="stTickBarMin"],
[data-testid="stTickBarMax"], [data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"] {
  color: #5f5e5c !important; opacity: 1 !important; }
[data-testid="stMain"] h2 { font-size: 1.75rem; }
/* Code blocks: Streamlit's highlighting colours (#1c83e1 keys, grey comments) are 3.8 or less. */
[data-testid="stCode"] .token.comment, [data-testid="stCode"] .token.prolog { color: #5f5e5c !important; }
[data-testid="stCode"] .token.table, [data-testid="stCode"] .token.key, [data-testid="stCode"] .token.property,
[data-testid="stCode"] .token.number, [data-testid="stCode"] .token.boolean, [data-testid="stCode"] .token.constant,
[data-testid="stCode"] .token.builtin { color: #0b57d0 !important; }
[data-testid="stCode"] .token.string, [data-testid="stCode"] .token.char { color: #1a7f37 !important; }
[data-testid="stCode"] .token.keyword, [data-testid="stCode"] .token.atrule { color: #8250df !important; }
[data-testid="stCode"] .token.function, [data-testid="stCode"] .token.class-name { color: #b3261e !important; }
:focus-visible, [data-baseweb="tab"]:focus-visible, [role="slider"]:focus-visible, button:focus-visible,
a:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible {
  outline: 3px solid #0b57d0 !important; outline-offset: 2px !important; }
/* Tables drawn as HTML (frame.table): wide ones scroll sideways, numbers line up on the right. */
.kl-table { overflow-x: auto; margin-bottom: 1rem; }
.kl-table table { border-collapse: collapse; font-size: 0.9rem; width: auto; }
.kl-table th, .kl-table td { border: 1px solid #d6d6d8; padding: 0.25rem 0.6rem; text-align: left; }
.kl-table thead th { background: #f3f3f5; }
.kl-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.kl-table .marked { background: #fde2b8; }
</style>
"""

# Korean breaks between words (어절), never inside one ("기울기 크/기는"); a very long token
# (a URL, a run of symbols) may still break so nothing overflows its column.
_KOREAN_CSS = """
<style>
/* Streamlit sets word-break on paragraphs itself, hence every element and !important. */
[data-testid="stAppViewContainer"] *, [data-testid="stSidebar"] * { word-break: keep-all !important;
  overflow-wrap: break-word; }
</style>
"""

# Presentation mode: larger type everywhere for a projector at the back of a room.
_PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 21px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.25rem; }
h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; } h3 { font-size: 1.8rem !important; }
[data-testid="stMain"] h2 { font-size: 1.8rem !important; }
[data-testid="stWidgetLabel"] p { font-size: 1.15rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 1.05rem !important; }
button[data-baseweb="tab"] p { font-size: 1.15rem !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th, .kl-table td, .kl-table th { font-size: 1.05rem !important; }
[data-baseweb="select"] div, [data-testid="stTextInput"] input, [data-testid="stNumberInput"] input,
[data-testid="stTextArea"] textarea { font-size: 1.1rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem !important; white-space: normal !important; }
[data-testid="stMetricLabel"] div { overflow: visible !important; }
/* Toggle and checkbox labels wrap instead of ending in "…". */
[data-testid="stCheckbox"] [data-testid="stWidgetLabel"], [data-testid="stCheckbox"] [data-testid="stWidgetLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
/* Tabs go onto a second line rather than scroll the last one out of view. */
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap !important; row-gap: 0.25rem; }
/* Page names wrap instead of being cut in the sidebar. */
[data-testid="stSidebarNavLink"] { height: auto !important; min-height: 2rem; }
[data-testid="stSidebarNavLink"] *, [data-testid="stNavSectionHeader"], [data-testid="stNavSectionHeader"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  line-height: 1.3; }
/* Page links in the page (home's numbered topics) and button labels wrap instead of being cut
   at the column's edge: the larger type no longer fits one line of a narrow column. */
[data-testid="stPageLink"] a, [data-testid="stButton"] button { height: auto !important; }
[data-testid="stPageLink"] *, [data-testid="stButton"] button * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word; line-height: 1.3; }
</style>
"""


def metric_columns(n: int) -> list:
    """Columns for a row of `n` st.metric: one row normally; rows of two in presentation mode,
    where four large labels side by side no longer fit their columns."""
    if not presenting() or n <= 2:
        return list(st.columns(n))
    return [cell for _ in range((n + 1) // 2) for cell in st.columns(2)][:n]


ENTRY_FILE = "streamlit_app.py"
_inside = threading.local()  # per script thread: is the entry file running this page?


@contextmanager
def inside_frame(title: str | None = None):
    """The entry file runs the chosen page inside this, after drawing the frame. `title`, the
    page's title, is drawn at once: a page's own imports (TensorFlow, on a fresh server) run
    before its `header()`, and the visitor should not wait for them to see where they are.
    `header()` then writes the title into the same element, so it is never drawn twice."""
    _inside.active = True
    _inside.title = None
    if title is not None:
        _inside.title = st.empty()
        _inside.title.title(title)
    try:
        yield
    finally:
        _inside.active = False
        _inside.title = None


def ensure_inside_frame() -> None:
    """Run the app around a page that Streamlit started outside it.

    A server that has not yet run `st.navigation` treats `pages/` as Streamlit's old
    auto-discovered pages: the first request to /prompting runs pages/prompting.py on its own,
    with no language or presentation controls, and would keep doing so for every visitor until
    someone opens /. Here the page hands over to `ui.app.main()` instead: its public
    `st.navigation` switches the server to the app's navigation for good and resolves the same
    URL to the same page, which then runs inside the frame; `st.stop()` ends the stray run.
    A page run as the main script (AppTest of one page) is left alone."""
    if getattr(_inside, "active", False):
        return
    main = Path(getattr(sys.modules.get("__main__"), "__file__", "") or "").name
    if main != ENTRY_FILE:
        return
    from ui import app  # ui.app imports this module

    app.main()
    st.stop()


def header(ns: str, intro: bool = True) -> None:
    """Title and two-sentence intro of a page, from `<ns>.title` and `<ns>.intro` (intro=False:
    the page places the intro itself, as the Lab does beside its charts)."""
    ensure_inside_frame()
    from ui import stored  # imports this module

    stored.new_run()
    holder = getattr(_inside, "title", None) or st
    _inside.title = None
    holder.title(tr(f"{ns}.title"))
    if intro:
        st.markdown(tr(f"{ns}.intro"))


def section(text: str) -> None:
    """A numbered section of a page: h2 under the page's h1 title (st.subheader is h3, and a
    heading level skipped is a barrier for screen-reader navigation)."""
    st.header(text)


def interactive() -> bool:
    """Whether charts are drawn by Plotly in the browser (hover, zoom, click, animation)
    rather than as pictures drawn on the server (the default: see core.charts.static)."""
    return bool(st.session_state.get(INTERACTIVE_KEY, False))


def _expected_width() -> float:
    """About how wide a chart drawn here will be, in px: the main column's width, or about
    half of it inside st.columns (a picture's margins and legend are laid out for that). Reads
    Streamlit's current container, an internal; a failure means the main column."""
    try:
        from streamlit.delta_generator_singletons import context_dg_stack

        dg = context_dg_stack.get()[-1]
        in_columns = any(kind == "column" for kind in dg._ancestor_block_types)
    except Exception:  # noqa: BLE001 - only a layout hint
        in_columns = False
    return 420.0 if in_columns else static.NOMINAL_WIDTH


def hover_hint(key: str) -> str:
    """What hovering shows (`key`) when charts are interactive; else how to get there."""
    return tr(key) if interactive() else tr("app.hover_off")


def plot(fig, key: str | None = None, height: int | None = None, numbers: bool = True) -> None:
    """A figure (a picture, or Plotly when charts are interactive), and below it the numbers it
    draws: its text alternative (`numbers=False` for a diagram with none)."""
    themed = charts.theme(fig, scale(), height=height)
    draw_themed(themed, key)
    if numbers:
        chart_numbers(themed)


def picture(themed, key: str | None) -> str | None:
    """The markup `plot` shows for a themed figure drawn as a picture; None when Plotly draws
    it (charts are interactive, or the picture renderer does not draw this figure)."""
    if interactive():
        return None
    try:
        svg = static.figure_svg(themed, name=key or "chart", width=_expected_width())
    except static.Unsupported:
        return None  # a figure the picture renderer does not draw: Plotly draws it
    return live.as_image(svg, alt=static.alt_text(themed, tr("app.chart")))


def draw_themed(themed, key: str | None) -> None:
    """A themed figure as a picture, or by Plotly when charts are interactive."""
    markup = picture(themed, key)
    if markup is not None:
        st.markdown(markup, unsafe_allow_html=True)
        return
    # theme=None: Streamlit's own chart theme replaces the template's fonts, so presentation
    # mode's larger chart type (core.charts.theme) never reached the screen.
    st.plotly_chart(themed, key=key, width="stretch", theme=None, config={"displaylogo": False})


def chart_numbers(fig) -> None:
    """"Numbers behind this chart": the figure's data as small tables (core.charts.summary), for
    a screen reader and for the back row of a classroom. Read from the figure itself, so the
    text cannot drift from the drawing."""
    from core.charts import summary

    found = summary.tables(fig, lang())
    if not found:
        return
    import pandas as pd

    with st.expander(tr("summary.title")):
        for table in found:
            if table.title:
                st.caption(table.title)
            columns = _unique(table.columns)
            st.markdown(html_table.render(pd.DataFrame(list(table.rows), columns=columns).set_index(columns[0]),
                                          name="numbers", index=True), unsafe_allow_html=True)


def table(df, name: str = "table", index: bool = False, precision: int | None = None) -> None:
    """A small table as plain HTML (core.html_table): none of the 1–1.6 MB of table JavaScript
    that `st.dataframe`/`st.table` load into every new visitor's browser."""
    st.markdown(html_table.render(df, name=name, index=index, precision=precision), unsafe_allow_html=True)


def _unique(columns) -> list[str]:
    """Column headers made unique (a DataFrame needs it; two axes may share a title)."""
    seen: dict[str, int] = {}
    out = []
    for name in columns:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def notice(ns: str, **kwargs) -> None:
    """The "What to notice" box: the lesson in the learner's language."""
    with st.container(border=True):
        st.markdown(f"**{tr('app.what_to_notice')}**")
        st.markdown(tr(f"{ns}.notice", **kwargs))


def claim_vs_measurement(claim: str, measured: str) -> None:
    """Where the lecture's claim and our measurement differ, say so plainly."""
    with st.container(border=True):
        st.markdown(f"**{tr('app.lecture_says')}** {claim}")
        st.markdown(f"**{tr('app.we_measured')}** {measured}")


def code(source: str, key: str | None = None) -> None:
    with st.expander(tr("app.show_code")):
        st.markdown(code_html.python_html(source), unsafe_allow_html=True)

