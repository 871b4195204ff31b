"""The Training Lab's controls: widgets <-> ExperimentConfig <-> URL, in one table-driven place.

On the first run of a session the URL is read into the widgets (with warnings for what had to
be fixed); on every run the widgets are read into a config and the config is written back to
the URL, so the address bar always reproduces the experiment on screen.
"""

from __future__ import annotations

import streamlit as st

from core.activations import ACTIVATIONS
from core.config import CAPS, ConfigError, ExperimentConfig
from core.datasets import DATASETS, FEATURE_LABELS, FEATURES, DataError, get_dataset, is_known, register_csv
from core.losses import DEFAULT_LOSS, LOSSES, losses_for
from core.optimizers import OPTIMIZERS
from ui.frame import lang, set_query_params, tr

LR_OPTIONS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
L2_OPTIONS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0]
WIDTH_OPTIONS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]
BATCH_OPTIONS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, CAPS["batch_size"]]
EPOCH_OPTIONS = [1, 10, 25, 50, 100, 200, 300, 500, 1000, 1500, 2000]
UPLOADS_KEY = "lab_uploads"  # data-set name -> label, for this session's uploaded CSV files


def _with(options: list, value) -> list:
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
    st.session_state["lab_url_warnings"] = warnings
    return warnings


def set_widgets(config: ExperimentConfig) -> None:
    """Put a config into the widgets' session state (before the widgets are drawn)."""
    s = st.session_state
    s["lab_dataset"] = config.dataset
    s["lab_samples"] = config.n_samples
    s["lab_noise"] = config.noise
    s["lab_val"] = config.val_split
    s["lab_features"] = list(config.features)
    uniform = len(set(config.hidden)) <= 1
    s["lab_per_layer"] = not uniform
    s["lab_depth"] = len(config.hidden)
    s["lab_width"] = config.hidden[0] if config.hidden else 8
    s["lab_widths"] = ",".join(map(str, config.hidden))
    s["lab_activation"] = config.activation
    s["lab_skip"] = config.skip
    s["lab_bn"] = config.batchnorm
    s["lab_dropout"] = config.dropout
    s["lab_l2"] = config.l2
    s["lab_loss"] = config.loss
    s["lab_optimizer"] = config.optimizer
    s["lab_lr"] = config.learning_rate
    s["lab_batch"] = config.batch_size
    s["lab_epochs"] = config.epochs
    s["lab_seed"] = config.seed


def controls() -> tuple[ExperimentConfig | None, str | None]:
    """Draw every control (in the sidebar) and return (config, error message)."""
    s = st.session_state
    with st.sidebar:
        st.header(tr("lab.controls.data"))
        names = list(DATASETS) + list(s.get(UPLOADS_KEY, {}))
        if not is_known(s.get("lab_dataset", "")):
            s["lab_dataset"] = "xor"
        dataset = st.selectbox(tr("lab.controls.dataset"), names, key="lab_dataset",
                               format_func=_dataset_label)
        ds = get_dataset(dataset)
        st.caption(tr(f"lab.task.{ds.task}") + f" · {ds.n_features} " + tr("lab.controls.n_features"))
        if ds.max_samples is None:
            st.slider(tr("lab.controls.samples"), 20, CAPS["n_samples"], step=10, key="lab_samples")
        else:
            s["lab_samples"] = min(max(int(s.get("lab_samples", ds.max_samples)), 20), ds.max_samples)
            st.slider(tr("lab.controls.samples"), min(20, ds.max_samples), ds.max_samples, key="lab_samples")
        st.slider(tr("lab.controls.noise"), 0.0, 1.0, step=0.05, key="lab_noise")
        st.slider(tr("lab.controls.val"), 0.1, 0.5, step=0.05, key="lab_val")
        if ds.is_2d:
            st.multiselect(tr("lab.controls.features"), list(FEATURES), key="lab_features",
                           format_func=FEATURE_LABELS.get)
        _upload()

        st.header(tr("lab.controls.model"))
        per_layer = st.toggle(tr("lab.controls.per_layer"), key="lab_per_layer")
        if per_layer:
            st.text_input(tr("lab.controls.widths"), key="lab_widths", help=tr("lab.controls.widths_help"))
        else:
            st.slider(tr("lab.controls.depth"), 0, CAPS["depth"], key="lab_depth")
            st.select_slider(tr("lab.controls.width"), _with(WIDTH_OPTIONS, s["lab_width"]), key="lab_width")
        st.selectbox(tr("lab.controls.activation"), list(ACTIVATIONS), key="lab_activation",
                     format_func=lambda n: ACTIVATIONS[n].label)
        cols = st.columns(2)
        cols[0].toggle(tr("lab.controls.skip"), key="lab_skip")
        cols[1].toggle(tr("lab.controls.bn"), key="lab_bn")
        st.slider(tr("lab.controls.dropout"), 0.0, 0.9, step=0.05, key="lab_dropout")
        st.select_slider(tr("lab.controls.l2"), _with(L2_OPTIONS, s["lab_l2"]), key="lab_l2",
                         format_func=lambda v: f"{v:g}")

        st.header(tr("lab.controls.training"))
        allowed = losses_for(ds.task)
        if s.get("lab_loss") not in allowed:
            s["lab_loss"] = DEFAULT_LOSS[ds.task]
        loss = st.selectbox(tr("lab.controls.loss"), allowed, key="lab_loss",
                            format_func=lambda n: LOSSES[n].label)
        if loss == "mse" and ds.task != "regression":
            st.info(tr("lab.controls.mse_note"))
        st.selectbox(tr("lab.controls.optimizer"), list(OPTIMIZERS), key="lab_optimizer",
                     format_func=lambda n: OPTIMIZERS[n].label)
        st.select_slider(tr("lab.controls.lr"), _with(LR_OPTIONS, s["lab_lr"]), key="lab_lr",
                         format_func=lambda v: f"{v:g}", help=tr("lab.controls.lr_help"))
        st.select_slider(tr("lab.controls.batch"), _with(BATCH_OPTIONS, s["lab_batch"]), key="lab_batch",
                         format_func=_batch_label, help=tr("lab.controls.batch_help"))
        st.select_slider(tr("lab.controls.epochs"), _with(EPOCH_OPTIONS, s["lab_epochs"]), key="lab_epochs")
        st.number_input(tr("lab.controls.seed"), 0, 2**31 - 1, step=1, key="lab_seed")
    return _read_config()


def _read_config() -> tuple[ExperimentConfig | None, str | None]:
    s = st.session_state
    if s["lab_per_layer"]:
        try:
            hidden = tuple(int(w) for w in str(s["lab_widths"]).replace(" ", "").split(",") if w)
        except ValueError:
            return None, tr("lab.controls.widths_error")
    else:
        hidden = (int(s["lab_width"]),) * int(s["lab_depth"])
    ds = get_dataset(s["lab_dataset"])
    features = tuple(s.get("lab_features") or ()) if ds.is_2d else ("x1", "x2")
    try:
        config = ExperimentConfig(
            dataset=s["lab_dataset"], n_samples=int(s["lab_samples"]), noise=float(s["lab_noise"]),
            val_split=float(s["lab_val"]), features=features, hidden=hidden,
            activation=s["lab_activation"], skip=bool(s["lab_skip"]), batchnorm=bool(s["lab_bn"]),
            dropout=float(s["lab_dropout"]), l2=float(s["lab_l2"]), loss=s["lab_loss"],
            optimizer=s["lab_optimizer"], learning_rate=float(s["lab_lr"]), batch_size=int(s["lab_batch"]),
            epochs=int(s["lab_epochs"]), seed=int(s["lab_seed"])).validate()
    except ConfigError as err:
        return None, err.text(lang())
    return config, None


def write_url(config: ExperimentConfig) -> None:
    """Keep the address bar equal to the experiment: copy it to share the exact run.

    Not on the session's first run: the link the learner opened already describes the
    config (missing keys are defaults), and rewriting the URL while the multipage router is
    still settling on a fresh visit makes Streamlit 1.67 report "page not found"."""
    if not st.session_state.get("lab_url_settled"):
        st.session_state["lab_url_settled"] = True
        return
    params = config.to_query_params()
    params["lang"] = lang()
    if st.query_params.get("present") == "1":
        params["present"] = "1"
    set_query_params(params)


def _dataset_label(name: str) -> str:
    if name in DATASETS:
        return tr(f"lab.datasets.{name}")
    return st.session_state.get(UPLOADS_KEY, {}).get(name, name)


def _batch_label(value: int) -> str:
    if value >= CAPS["batch_size"]:
        return tr("lab.controls.full_batch")
    return str(value)


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
            st.session_state.setdefault(UPLOADS_KEY, {})[name] = f"{file.name} → {target}"
            if summary["dropped"]:
                st.session_state["lab_csv_note"] = tr("data.dropped", rows=summary["dropped"])
            st.session_state["lab_pending_dataset"] = name
            st.rerun()


def apply_pending() -> None:
    """A dataset chosen by an action (an upload) is applied before the widgets are drawn."""
    name = st.session_state.pop("lab_pending_dataset", None)
    if name and is_known(name):
        current, _ = _read_config_safe()
        set_widgets((current or ExperimentConfig()).with_dataset(name))


def _read_config_safe():
    try:
        return _read_config()
    except KeyError:
        return None, None
