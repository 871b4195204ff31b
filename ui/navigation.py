"""The table of pages: one row per lesson, in the lecture's order. The entry file builds
`st.navigation` from it and the home page lists it, so a new page is added here once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from core.classroom import PARAM as HIDE_PARAM
from core.config import URL_FIELDS
from core.i18n import literal
from ui.frame import tr

FRAME_PARAMS = ("lang", "present", HIDE_PARAM)  # read on every page (ui.frame, ui.classroom)
LAB_PARAMS = tuple(key for _, key, _ in URL_FIELDS)  # the experiment (core.config)
MAX_NAMED = 5  # unused parameters named in the warning; the rest are counted

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    path: str        # file under pages/
    url: str         # stable url_path (shared links must survive a language switch)
    key: str         # i18n namespace: <key>.title, <key>.intro, …
    icon: str
    section: str     # i18n key under nav.section.
    topic: str = ""  # the lecture's topic (i18n key under home.topics.), for the lesson path
    prefix: str = ""  # the page's widget-key prefix (classroom links list these controls)
    params: tuple[str, ...] = ()  # URL parameters the page reads, besides FRAME_PARAMS


PAGES: tuple[PageInfo, ...] = (
    PageInfo("pages/home.py", "home", "home", ":material/home:", "start"),
    PageInfo("pages/lab.py", "lab", "lab", ":material/science:", "lab", "lab", prefix="lab_",
             params=LAB_PARAMS),
    PageInfo("pages/activations.py", "activations", "activations", ":material/show_chart:", "basics", "activations", prefix="act_"),
    PageInfo("pages/losses.py", "losses", "losses", ":material/straighten:", "basics", "losses", prefix="loss_"),
    PageInfo("pages/structure.py", "structure", "structure", ":material/account_tree:", "architecture", "structure", prefix="structure_"),
    PageInfo("pages/compile.py", "compile", "compile", ":material/restart_alt:", "architecture", "compile", prefix="compile_"),
    PageInfo("pages/overfitting.py", "overfitting", "overfitting", ":material/trending_down:", "architecture", "overfitting", prefix="overfitting_"),
    PageInfo("pages/skip.py", "skip", "skip", ":material/call_split:", "architecture", "skip", prefix="skip_"),
    PageInfo("pages/optimizers.py", "optimizers", "optimizers", ":material/explore:", "basics", "optimizers", prefix="opt_"),
    PageInfo("pages/deep.py", "deep", "deep", ":material/layers:", "architecture", "deep", prefix="deep_"),
    PageInfo("pages/tokens.py", "tokens", "tokens", ":material/text_fields:", "language", "tokens", prefix="tok_"),
    PageInfo("pages/embeddings.py", "embeddings", "embeddings", ":material/scatter_plot:", "language", "embeddings", prefix="emb_"),
    PageInfo("pages/next-token.py", "next-token", "next_token", ":material/auto_awesome:", "language", "next_token", prefix="nt_"),
    PageInfo("pages/vector-search.py", "vector-search", "vector_search", ":material/search:", "language", "vector_search", prefix="vs_"),
    PageInfo("pages/prompting.py", "prompting", "prompting", ":material/chat:", "language", "prompting", prefix="pr_"),
)
SECTION_ORDER = ("start", "lab", "basics", "architecture", "language")


def available() -> list[PageInfo]:
    """Pages whose file exists (lessons are added one issue at a time)."""
    return [p for p in PAGES if (ROOT / p.path).exists()]


def lesson_path() -> list[PageInfo]:
    """The lecture's order of topics (PAGES order), without the home page."""
    return [p for p in available() if p.topic]


def next_after(key: str) -> PageInfo | None:
    path = lesson_path()
    for i, page in enumerate(path):
        if page.key == key:
            return path[i + 1] if i + 1 < len(path) else path[0]
    return None


def by_url(url_path: str) -> PageInfo | None:
    return next((p for p in PAGES if p.url == url_path or (p.key == "home" and not url_path)), None)


def navigation():
    """`st.navigation` over the available pages, grouped by section."""
    groups: dict[str, list] = {}
    for page in available():
        groups.setdefault(tr(f"nav.section.{page.section}"), []).append(
            st.Page(page.path, title=tr(f"{page.key}.title"), icon=page.icon,
                    url_path=page.url, default=page.key == "home"))
    # expanded: every lesson listed (no "View more" button, whose label is English only)
    return st.navigation(groups, expanded=True)


def warn_unused_params(page: PageInfo | None) -> None:
    """Name the link's parameters that this page does not read, on the page's first run in the
    session: a mistyped or outdated link should say what it lost, not drop it silently.
    (Moving between pages clears the parameters, so the app's own links never warn.)"""
    if page is None:
        return
    checked = st.session_state.setdefault("nav_params_checked", set())
    if page.url in checked:
        return
    checked.add(page.url)
    known = set(FRAME_PARAMS) | set(page.params)
    unused = [name for name in st.query_params.keys() if name not in known]
    if not unused:
        return
    names = ", ".join(f"“{literal(name, 30)}”" for name in unused[:MAX_NAMED])
    if len(unused) > MAX_NAMED:
        names += " " + tr("app.more_names", n=len(unused) - MAX_NAMED)
    st.warning(tr("app.unused_params", count=len(unused), names=names))


def link_to_next(key: str) -> None:
    """Every lesson ends with a link to the next topic on the lesson path."""
    page = next_after(key)
    if page is None:
        return
    st.divider()
    page_link(page, f"{tr('app.next_topic')}: {tr(page.key + '.title')}", ":material/arrow_forward:")


def page_link(page: PageInfo, label: str, icon: str | None = None) -> None:
    """`st.page_link` to a lesson; a plain link when the page runs on its own (as in a
    page-level AppTest), where there is no st.navigation to resolve the page against."""
    try:
        st.page_link(page.path, label=label, icon=icon or page.icon)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}](/{page.url})")
