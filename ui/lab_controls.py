"""The Training Lab's controls: widgets <-> ExperimentConfig <-> URL, driven by one table.

`core.config.FIELDS` lists every setting once (config field, URL key, widget); the widget key
is "lab_" + the field's name. On the first run of a session the URL is read into the widgets
(with warnings for what had to be fixed); on every run the widgets are read into a config and
the config is written back to the URL, so the address bar always reproduces the experiment.
"""

from __future__ import annotations

from itertools import groupby

import streamlit as st

from core.activations import ACTIVATIONS
from core.config import CAPS, FIELD, FIELDS, LIMITS, ConfigError, ExperimentConfig, Field
from core.datasets import DATASETS, FEATURE_LABELS, FEATURES, DataError, get_dataset, is_known, register_csv
from core.losses import DEFAULT_LOSS, LOSSES, losses_for
from core.optimizers import OPTIMIZERS
from ui.frame import client_query, lang, set_query_params, tr

UPLOADS_KEY = "lab_uploads"  # data-set name -> label, for this session's uploaded CSV files
SHOWN_DATASET_KEY = "lab_dataset_shown"  # the data set the controls were last drawn for
KEPT_FEATURES_KEY = "lab_features_kept"  # the 2-D inputs, kept while a table is shown
SWITCH_NOTES_KEY = "lab_switch_notes"  # what a data-set switch changed that the learner had set
LR_OFFER_KEY = "lab_lr_offer"  # the optimizer just chosen, whose default learning rate is offered
# The hidden layers are one field drawn as four widgets: a per-layer switch, then either a
# list of widths or a depth and one width for every layer.
HIDDEN_KEYS = ("lab_per_layer", "lab_depth", "lab_width", "lab_widths")
# Every key a learner sees as one of the Lab's controls (classroom links may hide them).
WIDGET_KEYS = tuple(f.widget_key for f in FIELDS if f.name != "hidden") + HIDDEN_KEYS
_REGISTRIES = {"activation": ACTIVATIONS, "optimizer": OPTIMIZERS}


def _with(options, value) -> list:
    """Options plus a value from a shared link that is not among them, kept in order."""
    return sorted(set(options) | {value})


def load_url_once() -> list:
    """Fill the widgets from the URL the first time the Lab runs in a session."""
    if st.session_state.get("lab_url_loaded"):
        return st.session_state.get("lab_url_warnings", [])
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    config, warnings = ExperimentConfig.from_query_params(params)
    set_widgets(config)
    st.session_state["lab_url_loaded"] = True
    st.session_state["lab_url_config"] = config
    st.session_state["lab_url_warnings"] = warnings
    return warnings


def set_widgets(config: ExperimentConfig) -> None:
    """Put a config into the widgets' session state (before the widgets are drawn)."""
    s = st.session_state
    for field in FIELDS:
        if field.name != "hidden":
            value = getattr(config, field.name)
            s[field.widget_key] = list(value) if field.kind == "features" else value
    hidden = config.hidden
    s["lab_per_layer"] = len(set(hidden)) > 1
    s["lab_depth"] = len(hidden)
    s["lab_width"] = hidden[0] if hidden else 8
    s["lab_widths"] = ",".join(map(str, hidden))


def controls(places: dict) -> tuple[ExperimentConfig | None, str | None]:
    """Draw every control in the page, grouped as the lecture goes (data, model, training) and
    in the table's order, each group in the container `places[group]`; the rarely changed
    fields (`Field.folded`) sit in an expander at the end of their group. Returns
    (config, error)."""
    for section in ("data", "model", "training"):
        with places[section].container(key=f"lab_group_{section}"):
            st.header(tr(f"lab.controls.{section}"))
            fields = [f for f in FIELDS if f.section == section]
            _draw_fields([f for f in fields if not f.folded])
            folded = [f for f in fields if f.folded]
            if folded:
                with st.expander(tr(f"lab.controls.more_{section}")):
                    _draw_fields(folded)
            if section == "data":
                _upload()
    return read_config()


def _draw_fields(fields: list[Field]) -> None:
    """Fields in order; switches next to each other share a row."""
    for side_by_side, group in groupby(fields, lambda f: f.control == "toggle"):
        if side_by_side:
            _toggles(list(group))
        else:
            for field in group:
                _DRAW[field.control](field)


def _label(field: Field) -> str:
    return tr(f"lab.controls.{field.name}")


def _help(field: Field) -> str | None:
    return tr(f"lab.controls.{field.name}_help") if field.help else None


def _toggles(fields: list[Field]) -> None:
    """Switches side by side, each as wide as its label, wrapping onto the next line when the
    column is narrow (in equal columns "Skip connections" was cut to "Skip conn…")."""
    row = st.container(horizontal=True, gap="medium")
    for field in fields:
        row.toggle(_label(field), key=field.widget_key, help=_help(field))


def _slider(field: Field) -> None:
    lo, hi = LIMITS[field.name]
    st.slider(_label(field), lo, hi, step=field.step, key=field.widget_key)


def _select_slider(field: Field) -> None:
    # Labels are worked out now, in this run's language: AppTest formats options after the run.
    full_batch = tr("lab.controls.full_batch")
    labels = {"batch_size": lambda v: full_batch if v >= CAPS["batch_size"] else str(v),
              "epochs": str}
    st.select_slider(_label(field), _with(field.steps, st.session_state[field.widget_key]),
                     key=field.widget_key, format_func=labels.get(field.name, lambda v: f"{v:g}"),
                     help=_help(field))
    if field.name == "learning_rate":
        _offer_default_lr(field)


def _selectbox(field: Field) -> None:
    if field.name not in _REGISTRIES:  # a fixed list of choices (field.steps), named in the locales
        names = {value: tr(f"lab.controls.{field.name}_{value}") for value in field.steps}
        st.selectbox(_label(field), list(field.steps), key=field.widget_key, format_func=names.get,
                     help=_help(field))
        return
    registry = _REGISTRIES[field.name]
    changed = _optimizer_changed if field.name == "optimizer" else None
    st.selectbox(_label(field), list(registry), key=field.widget_key, format_func=lambda n: registry[n].label,
                 on_change=changed)


def _optimizer_changed() -> None:
    st.session_state[LR_OFFER_KEY] = st.session_state["lab_optimizer"]


def _offer_default_lr(field: Field) -> None:
    """After the optimizer was changed, an offer of that optimizer's own default learning rate
    (a good step for Adam is far too small for SGD, and the reverse)."""
    s = st.session_state
    optimizer = OPTIMIZERS[s["lab_optimizer"]]
    if s.get(LR_OFFER_KEY) == optimizer.name and s[field.widget_key] != optimizer.default_lr:
        text = tr("lab.controls.use_default_lr", optimizer=optimizer.label, lr=f"{optimizer.default_lr:g}")
        st.button(text, key="lab_use_default_lr", type="tertiary", icon=":material/tune:",
                  on_click=_use_default_lr, args=(optimizer.default_lr,))


def _use_default_lr(rate: float) -> None:
    st.session_state["lab_learning_rate"] = rate
    st.session_state.pop(LR_OFFER_KEY, None)


def _number_input(field: Field) -> None:
    lo, hi = LIMITS[field.name]
    st.number_input(_label(field), lo, hi, step=1, key=field.widget_key)


def _dataset(field: Field) -> None:
    s = st.session_state
    uploads = s.get(UPLOADS_KEY, {})
    labels = {name: tr(f"lab.datasets.{name}") for name in DATASETS} | uploads
    if not is_known(s.get(field.widget_key, "")):
        if str(s.get(field.widget_key, "")).startswith("upload_"):  # left the server's upload store
            st.warning(tr("config.warn.upload_gone"))
        s[field.widget_key] = "xor"
    dataset = st.selectbox(_label(field), list(labels), key=field.widget_key, format_func=labels.get,
                           on_change=_dataset_changed)
    s[SHOWN_DATASET_KEY] = dataset
    ds = get_dataset(dataset)
    st.caption(tr(f"lab.task.{ds.task}") + f" · {ds.n_features} " + tr("lab.controls.n_features"))
    for note in s.pop(SWITCH_NOTES_KEY, []):
        st.info(note)


def _dataset_changed() -> None:
    """Reset what depends on the data set (size, input features, loss) to values valid for the
    new one, before the widgets are drawn, and note each value the learner had set that changed.

    The features' widget is not drawn for a table, and Streamlit forgets the state of a widget
    that is not drawn: the 2-D inputs are kept aside while a table is shown and come back after."""
    s = st.session_state
    old_name, new_name = s.get(SHOWN_DATASET_KEY, "xor"), s["lab_dataset"]
    if not (is_known(old_name) and is_known(new_name)):
        return
    old = get_dataset(old_name)
    if old.is_2d and s.get("lab_features"):
        s[KEPT_FEATURES_KEY] = tuple(s["lab_features"])
    before = ExperimentConfig(dataset=old_name, n_samples=int(s.get("lab_n_samples", old.default_samples)),
                              features=tuple(s.get(KEPT_FEATURES_KEY) or ExperimentConfig.features),
                              loss=s.get("lab_loss", DEFAULT_LOSS[old.task]))
    after = before.with_dataset(new_name)
    s["lab_n_samples"], s["lab_loss"] = after.n_samples, after.loss
    if get_dataset(new_name).is_2d:
        s["lab_features"] = list(after.features)
    notes = []
    if after.n_samples != before.n_samples and before.n_samples != old.default_samples:
        notes.append(tr("lab.controls.switch_samples", old=before.n_samples, new=after.n_samples))
    if after.loss != before.loss and before.loss != DEFAULT_LOSS[old.task]:
        notes.append(tr("lab.controls.switch_loss", old=LOSSES[before.loss].label,
                        new=LOSSES[after.loss].label))
    s[SWITCH_NOTES_KEY] = notes


def _samples(field: Field) -> None:
    """A generated set takes any size up to the cap; a table has its own size."""
    ds = get_dataset(st.session_state["lab_dataset"])
    if ds.max_samples is None:
        _slider(field)
        return
    key = field.widget_key
    st.session_state[key] = min(max(int(st.session_state.get(key, ds.max_samples)), 20), ds.max_samples)
    st.slider(_label(field), min(20, ds.max_samples), ds.max_samples, key=key)


def _features(field: Field) -> None:
    if get_dataset(st.session_state["lab_dataset"]).is_2d:
        st.multiselect(_label(field), list(FEATURES), key=field.widget_key, format_func=FEATURE_LABELS.get)


def _hidden(field: Field) -> None:
    if st.toggle(tr("lab.controls.per_layer"), key="lab_per_layer"):
        st.text_input(tr("lab.controls.widths"), key="lab_widths", help=tr("lab.controls.widths_help"))
    else:
        st.slider(tr("lab.controls.depth"), 0, CAPS["depth"], key="lab_depth")
        st.select_slider(tr("lab.controls.width"), _with(field.steps, st.session_state["lab_width"]),
                         key="lab_width")


def _loss(field: Field) -> None:
    """Only the losses that fit the data set's task; a note where MSE meets classes."""
    s = st.session_state
    task = get_dataset(s["lab_dataset"]).task
    allowed = losses_for(task)
    if s.get(field.widget_key) not in allowed:
        s[field.widget_key] = DEFAULT_LOSS[task]
    loss = st.selectbox(_label(field), allowed, key=field.widget_key, format_func=lambda n: LOSSES[n].label)
    if loss == "mse" and task != "regression":
        st.info(tr("lab.controls.mse_note"))


_DRAW = {"slider": _slider, "select_slider": _select_slider, "selectbox": _selectbox,
         "number_input": _number_input, "dataset": _dataset, "samples": _samples,
         "features": _features, "hidden": _hidden, "loss": _loss}
_CAST = {"int": int, "float": float, "bool": bool, "choice": str}


def read_config() -> tuple[ExperimentConfig | None, str | None]:
    """The widgets' values as a validated config, or (None, the reason in the learner's words)."""
    s = st.session_state
    values = {f.name: _CAST[f.kind](s[f.widget_key]) for f in FIELDS if f.kind in _CAST}
    if s["lab_per_layer"]:
        try:
            values["hidden"] = tuple(int(w) for w in str(s["lab_widths"]).replace(" ", "").split(",") if w)
        except ValueError:
            return None, tr("lab.controls.widths_error")
    else:
        values["hidden"] = (int(s["lab_width"]),) * int(s["lab_depth"])
    is_2d = get_dataset(values["dataset"]).is_2d
    values["features"] = tuple(s.get("lab_features") or ()) if is_2d else ExperimentConfig.features
    try:
        return ExperimentConfig(**values).validate(), None
    except ConfigError as err:
        return None, err.text(lang())


def write_url(config: ExperimentConfig) -> None:
    """Keep the address bar equal to the experiment: copy it to share the exact run.

    Written whenever the address bar this run started from (`frame.client_query`) describes
    another experiment, on every run, so the last run after quick changes always writes it.
    One exception, the visit's first run when the widgets still hold the link's own config
    (repaired if it had to be): rewriting the URL while the multipage router is still
    settling on a fresh visit makes Streamlit 1.67 report "page not found", and the link
    already says it. (A fixed "skip the session's first run" lost the learner's changes when
    that first run was interrupted by them: issue #14, defect 2.)"""
    s = st.session_state
    shown = client_query()
    if shown is not None and ExperimentConfig.from_query_params(shown) == (config, []):
        s["lab_url_settled"] = True
        return  # the address bar says this experiment already, cleanly (missing keys are defaults)
    if not s.get("lab_url_settled") and config == s.get("lab_url_config"):
        s["lab_url_settled"] = True
        return
    s["lab_url_settled"] = True
    params = config.to_query_params()
    params["lang"] = lang()
    if st.query_params.get("present") == "1":
        params["present"] = "1"
    set_query_params(params)


def _upload() -> None:
    """Your own data: a CSV file, a target column, the task inferred and shown."""
    with st.expander(tr("lab.controls.upload")):
        file = st.file_uploader(tr("lab.controls.upload_file"), type=["csv", "txt"], key="lab_csv",
                                help=tr("lab.controls.upload_help"))
        if file is None:
            return
        content = file.getvalue()
        try:
            from core.datasets import parse_csv

            columns, _ = parse_csv(content)
        except DataError as err:
            st.error(err.text(lang()))
            return
        target = st.selectbox(tr("lab.controls.target"), columns, index=len(columns) - 1, key="lab_csv_target")
        if st.button(tr("lab.controls.use_file"), key="lab_csv_use"):
            try:
                name, summary = register_csv(content, target, label=file.name)
            except DataError as err:
                st.error(err.text(lang()))
                return
            uploads = st.session_state.setdefault(UPLOADS_KEY, {})
            uploads[name] = unique_label(uploads, name, f"{file.name} → {target}")
            if summary["dropped"]:
                st.session_state["lab_csv_note"] = tr("data.dropped", rows=summary["dropped"])
            st.session_state["lab_pending_dataset"] = name
            st.rerun()


def unique_label(uploads: dict[str, str], name: str, label: str) -> str:
    """`label`, numbered if another upload of this session already shows it. The data-set box
    sends the chosen label back, not the data set: two uploads of "data.csv → y" (an edited
    file) made the box pick the first one while the second was set, so the box and the
    trained data disagreed."""
    taken = {text for other, text in uploads.items() if other != name}
    candidate, number = label, 2
    while candidate in taken:
        candidate, number = f"{label} ({number})", number + 1
    return candidate


def apply_pending() -> None:
    """A dataset chosen by an action (an upload) is applied before the widgets are drawn."""
    name = st.session_state.pop("lab_pending_dataset", None)
    if name and is_known(name):
        try:
            current, _ = read_config()
        except KeyError:  # the widgets have not been drawn yet in this session
            current = None
        set_widgets((current or ExperimentConfig()).with_dataset(name))
