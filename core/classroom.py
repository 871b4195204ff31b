"""Classroom links: a teacher hides the controls that do not matter for a lesson and shares the
page's address with `?hide=key1-key2`. Pure logic here (parsing, CSS, the link); the sidebar
builder is ui/classroom.py.

Controls are hidden with CSS, not left out of the script: a hidden widget still exists, keeps
the value the link gave it and feeds the experiment exactly as if it were visible. Streamlit
gives every element with a key the class `st-key-<key>`, which is what the CSS targets."""

from __future__ import annotations

import ast
import re
from urllib.parse import urlencode

PARAM = "hide"
SEPARATOR = "-"  # the URL list separator used everywhere in Keras Lens (keys have no '-')
MAX_HIDDEN = 60
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Links shared before the Lab's widget keys took their field's name still hide the same control.
RENAMED = {"lab_samples": "lab_n_samples", "lab_val": "lab_val_split", "lab_bn": "lab_batchnorm",
           "lab_lr": "lab_learning_rate", "lab_batch": "lab_batch_size"}
# Streamlit's input widgets: what a teacher may hide (charts and tables have keys too).
WIDGETS = frozenset({"button", "checkbox", "color_picker", "data_editor", "date_input", "download_button",
                     "file_uploader", "multiselect", "number_input", "pills", "radio", "segmented_control",
                     "select_slider", "selectbox", "slider", "text_area", "text_input", "time_input",
                     "toggle"})


def parse_hidden(values: list[str] | tuple[str, ...] | str | None) -> tuple[list[str], list[str]]:
    """`?hide=` values -> (widget keys to hide, entries refused). Order kept, duplicates dropped.

    Only lower-case snake_case names are accepted: they become CSS class names, so anything
    else (quotes, braces, unicode, `</style>`) is refused rather than escaped."""
    if values is None:
        return [], []
    if isinstance(values, str):
        values = [values]
    keys: list[str] = []
    refused: list[str] = []
    for value in values:
        for part in str(value).split(SEPARATOR):
            part = part.strip()
            if not part:
                continue
            if not _KEY.match(part):
                refused.append(part[:40])
            elif RENAMED.get(part, part) not in keys:
                keys.append(RENAMED.get(part, part))
    if len(keys) > MAX_HIDDEN:
        refused.extend(keys[MAX_HIDDEN:])
        keys = keys[:MAX_HIDDEN]
    return keys, refused


def css_for(keys: list[str]) -> str:
    """A <style> block that hides the elements with these keys ("" when there are none)."""
    if not keys:
        return ""
    selectors = ", ".join(f".st-key-{key}" for key in keys if _KEY.match(key))
    return f"<style>{selectors} {{ display: none !important; }}</style>"


def page_controls(session_keys, prefix: str, is_widget) -> list[str]:
    """The keys of a page's own controls: session keys with the page's prefix that
    `is_widget(key)` says belong to a widget (not to the page's cached results)."""
    if not prefix:
        return []
    return sorted(k for k in session_keys if isinstance(k, str) and k.startswith(prefix)
                  and _KEY.match(k) and is_widget(k))


def widget_keys(source: str) -> set[str]:
    """The literal keys of the input widgets a Python source draws (`….slider(…, key="x")`):
    read from the code, so no list of controls has to be kept beside it."""
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in WIDGETS:
            for keyword in node.keywords:
                if keyword.arg == "key" and isinstance(keyword.value, ast.Constant):
                    keys.add(keyword.value.value)
    return keys


def link(page_url: str, params: dict[str, str], hidden: list[str]) -> str:
    """The page's address with its current query parameters and `hide=` set to `hidden`."""
    query = {k: v for k, v in params.items() if k != PARAM}
    if hidden:
        query[PARAM] = SEPARATOR.join(hidden)
    return page_url + ("?" + urlencode(query, safe="-_.") if query else "")
