"""The experiment configuration: one frozen dataclass, validated, and round-tripped through URLs.

Caps protect a shared classroom server (Streamlit Community Cloud gives 1-2 small CPU cores
to everybody on the app); they are public in `CAPS` and named in every refusal message.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any, Mapping

from core.activations import ACTIVATIONS
from core.datasets import DATASETS, FEATURES, get_dataset, is_known
from core.i18n import t
from core.losses import DEFAULT_LOSS, LOSSES
from core.optimizers import OPTIMIZERS

# Caps: each is the largest value a run may ask for, and why.
CAPS = {
    "epochs": 2000,        # ~10 s for the default model on one core at ~200+ epochs/s.
    "n_samples": 5000,     # Enough to see noise average out; a full-batch step stays < 10 ms.
    "depth": 32,           # The lecture's "deep nets are hard to train" needs 16-32 layers.
    "width": 256,          # Wider than any 2-D lesson needs; 64-d digits fit comfortably.
    "params": 300_000,     # Keeps one run's memory and step time small on a shared server.
    "batch_size": 5000,    # = n_samples cap: "full batch" is always reachable.
}
LIMITS = {  # (lowest, highest) for numeric fields
    "n_samples": (20, CAPS["n_samples"]),
    "noise": (0.0, 1.0),
    "val_split": (0.1, 0.5),
    "dropout": (0.0, 0.9),
    "l2": (0.0, 1.0),
    "learning_rate": (1e-5, 10.0),  # the Lab offers 1e-5, 3e-5, … 10 (FIELDS)
    "batch_size": (1, CAPS["batch_size"]),
    "epochs": (1, CAPS["epochs"]),
    "seed": (0, 2**31 - 1),
    "width": (1, CAPS["width"]),
    "patience": (0, 500),       # epochs without a better validation loss before stopping; 0 = off
    "target_loss": (0.0, 10.0),  # stop once the validation loss is at most this; 0 = off
}
# Learning-rate schedules (core.schedules says what each does, as Keras' own schedules).
LR_SCHEDULES = ("none", "step", "exponential", "cosine")
MAX_QUERY_VALUE_LENGTH = 200


@dataclass(frozen=True)
class ConfigIssue:
    """A warning about a value, rendered in the learner's language by `text(lang)`."""

    key: str  # message key under "config." in the catalogues
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str = "en") -> str:
        return t(f"config.{self.key}", lang, **dict(self.params))

    def __str__(self) -> str:
        return self.text("en")


class ConfigError(ValueError):
    """An impossible configuration. `str(err)` is English; `err.text(lang)` any language."""

    def __init__(self, key: str, **params):
        self.issue = ConfigIssue(key, tuple(params.items()))
        super().__init__(self.issue.text("en"))

    def text(self, lang: str = "en") -> str:
        return self.issue.text(lang)


@dataclass(frozen=True)
class ExperimentConfig:
    # --- data ---
    dataset: str = "xor"                # a key of core.datasets.DATASETS
    n_samples: int = 500                # points generated (tabular sets are capped at their size)
    noise: float = 0.0                  # 0..1; Playground's 0-50 % is 0..0.5 here
    val_split: float = 0.2              # fraction held out for validation
    features: tuple[str, ...] = ("x1", "x2")  # Playground-style inputs, 2-D data only
    # --- model ---
    hidden: tuple[int, ...] = (8, 8)    # width of each hidden layer; () is logistic regression
    activation: str = "relu"            # a key of core.activations.ACTIVATIONS
    skip: bool = False                  # residual Add around every hidden layer
    batchnorm: bool = False             # BatchNormalization before each activation
    dropout: float = 0.0                # Dropout rate after each activation
    l2: float = 0.0                     # L2 penalty on every kernel
    # --- training ---
    loss: str = "binary_crossentropy"   # a key of core.losses.LOSSES valid for the task
    optimizer: str = "adam"             # a key of core.optimizers.OPTIMIZERS
    learning_rate: float = 0.01
    lr_schedule: str = "none"           # one of LR_SCHEDULES: the rate over the run
    batch_size: int = 32                # 1 = SGD; >= training set size = full batch
    epochs: int = 200
    patience: int = 0                   # early stopping on validation loss (0 = off)
    target_loss: float = 0.0            # stop at this validation loss (0 = off)
    seed: int = 0                       # data, split, initial weights and shuffling
    # --- showing ---
    watch: bool = False                 # pace the run so a class can watch it (same numbers)

    # ---- derived facts -------------------------------------------------------------------
    @property
    def task(self) -> str:
        return get_dataset(self.dataset).task

    @property
    def input_dim(self) -> int:
        ds = get_dataset(self.dataset)
        return len(self.features) if ds.is_2d else ds.n_features

    @property
    def n_outputs(self) -> int:
        ds = get_dataset(self.dataset)
        return ds.n_classes if self.task == "multiclass" else 1

    @property
    def n_train(self) -> int:
        ds = get_dataset(self.dataset)
        n = self.n_samples if ds.max_samples is None else min(self.n_samples, ds.max_samples)
        return n - int(math.ceil(n * self.val_split))

    def count_params(self) -> int:
        """Trainable + non-trainable parameters of `build_model(self)`, without TensorFlow."""
        total, prev = 0, self.input_dim
        for width in self.hidden:
            total += (prev + 1) * width  # Dense kernel + bias
            if self.batchnorm:
                total += 4 * width  # gamma, beta, moving mean, moving variance
            if self.skip and prev != width:
                total += prev * width  # projection on the shortcut, no bias
            prev = width
        return total + (prev + 1) * self.n_outputs

    def replace(self, **changes) -> "ExperimentConfig":
        return dataclasses.replace(self, **changes)

    def with_dataset(self, name: str) -> "ExperimentConfig":
        """Switch data set, resetting what depends on it to values valid for the new one.

        The loss is kept while the new task can use it and the kind of task (classification or
        regression) stays; otherwise it becomes the new task's default. A table trains on all
        its rows; leaving a table for generated data restores the default size (the table's
        row count said nothing about the generated set); leaving 2-D data resets the inputs."""
        old, new = get_dataset(self.dataset) if is_known(self.dataset) else None, get_dataset(name)
        same_kind = old is not None and (old.task == "regression") == (new.task == "regression")
        loss = self.loss if same_kind and new.task in LOSSES[self.loss].tasks else DEFAULT_LOSS[new.task]
        keeps_size = new.max_samples is None and old is not None and old.max_samples is None
        n = self.n_samples if keeps_size else new.default_samples
        features = self.features if new.is_2d and self.features else ("x1", "x2")
        return dataclasses.replace(self, dataset=name, loss=loss, features=features, n_samples=n)

    # ---- validation ----------------------------------------------------------------------
    def validate(self) -> "ExperimentConfig":
        """Raise ConfigError (a ValueError) naming the problem; return self when valid.

        The Lab, the Trainer and build_model each ask on one Train click; a frozen config's
        answer never changes, so it is worked out once (`_checked`). The data set alone is
        looked up every time: an uploaded one can leave the process."""
        if not is_known(self.dataset):
            raise ConfigError("error.unknown_choice", field="dataset", value=self.dataset,
                              choices=", ".join(DATASETS))
        _checked(self)
        return self

    def _check(self) -> None:
        for name, registry in (("activation", ACTIVATIONS), ("loss", LOSSES), ("optimizer", OPTIMIZERS)):
            value = getattr(self, name)
            if value not in registry:
                raise ConfigError("error.unknown_choice", field=name, value=value,
                                  choices=", ".join(registry))
        if self.lr_schedule not in LR_SCHEDULES:
            raise ConfigError("error.unknown_choice", field="lr_schedule", value=self.lr_schedule,
                              choices=", ".join(LR_SCHEDULES))
        for name, (lo, hi) in LIMITS.items():
            if name == "width":
                continue
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError("error.not_finite", field=name)
            if not lo <= value <= hi:
                raise ConfigError("error.out_of_range", field=name, value=value, lo=lo, hi=hi)
        if len(self.hidden) > CAPS["depth"]:
            raise ConfigError("error.cap", field="depth", value=len(self.hidden), cap=CAPS["depth"])
        for width in self.hidden:
            if not 1 <= width <= CAPS["width"]:
                raise ConfigError("error.cap", field="width", value=width, cap=CAPS["width"])
        if self.task not in LOSSES[self.loss].tasks:
            raise ConfigError("error.loss_task", loss=self.loss, task=self.task,
                              choices=", ".join(n for n, l in LOSSES.items() if self.task in l.tasks))
        if get_dataset(self.dataset).is_2d:
            unknown = [f for f in self.features if f not in FEATURES]
            if unknown or not self.features or len(set(self.features)) != len(self.features):
                raise ConfigError("error.features", choices=", ".join(FEATURES))
        params = self.count_params()
        if params > CAPS["params"]:
            raise ConfigError("error.cap", field="params", value=params, cap=CAPS["params"])

    # ---- URLs ----------------------------------------------------------------------------
    def to_query_params(self) -> dict[str, str]:
        return {key: _FORMAT[kind](getattr(self, name)) for name, key, kind in URL_FIELDS}

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any],
                          base: "ExperimentConfig | None" = None
                          ) -> tuple["ExperimentConfig", list[ConfigIssue]]:
        """Read a config from URL parameters. Never raises: a bad value keeps `base`'s value
        (defaults if None) or is clamped into range, and each such fix adds a warning."""
        base = base or cls()
        warnings: list[ConfigIssue] = []
        values: dict[str, Any] = {}
        for name, key, kind in URL_FIELDS:
            if key not in params:
                continue
            raw = params[key]
            if isinstance(raw, (list, tuple)):
                raw = raw[-1] if raw else ""
            raw = str(raw).strip()
            if len(raw) > MAX_QUERY_VALUE_LENGTH:
                warnings.append(ConfigIssue("warn.too_long", (("key", key),)))
                continue
            try:
                value, issue = _PARSE[kind](name, raw)
            except (ValueError, TypeError, OverflowError):
                warnings.append(ConfigIssue("warn.unreadable", (("key", key), ("value", raw[:40]))))
                continue
            if issue is not None:
                warnings.append(issue)
            if value is not None:
                values[name] = value
        config = dataclasses.replace(base, **values)
        # Cross-field repairs, each with its own message.
        if config.task not in LOSSES[config.loss].tasks:
            fixed = DEFAULT_LOSS[config.task]
            warnings.append(ConfigIssue("warn.loss_task", (("loss", config.loss), ("task", config.task),
                                                           ("fixed", fixed))))
            config = dataclasses.replace(config, loss=fixed)
        if not get_dataset(config.dataset).is_2d and config.features != ("x1", "x2"):
            config = dataclasses.replace(config, features=("x1", "x2"))
        try:
            config.validate()
        except ConfigError as err:
            warnings.append(err.issue)
            fallback = dataclasses.replace(config, hidden=base.hidden, skip=base.skip,
                                           batchnorm=base.batchnorm)
            try:
                config = fallback.validate()
            except ConfigError:
                config = cls()
        return config, warnings


@functools.lru_cache(maxsize=256)
def _checked(config: ExperimentConfig) -> None:
    """ExperimentConfig._check, remembered for valid configs (a ConfigError is not cached)."""
    config._check()


def _clamp(name: str, value):
    lo, hi = LIMITS[name]
    if value < lo or value > hi:
        clamped = type(value)(min(max(value, lo), hi))
        return clamped, ConfigIssue("warn.clamped", (("field", name), ("value", value), ("lo", lo),
                                                     ("hi", hi), ("fixed", clamped)))
    return value, None


def _parse_int(name, raw):
    number = float(raw)
    if not math.isfinite(number):
        raise ValueError(raw)
    return _clamp(name, int(round(number)))


def _parse_float(name, raw):
    number = float(raw)
    if not math.isfinite(number):
        raise ValueError(raw)
    return _clamp(name, number)


def _parse_bool(name, raw):
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True, None
    if lowered in ("0", "false", "no", "off"):
        return False, None
    raise ValueError(raw)


_REGISTRIES = {"dataset": DATASETS, "activation": ACTIVATIONS, "loss": LOSSES, "optimizer": OPTIMIZERS,
               "lr_schedule": LR_SCHEDULES}


def _parse_choice(name, raw):
    registry = _REGISTRIES[name]
    if raw in registry or (name == "dataset" and is_known(raw)):
        return raw, None
    if name == "dataset" and raw.startswith("upload_"):  # a file from a past session: ask for it again
        return None, ConfigIssue("warn.upload_gone")
    return None, ConfigIssue("warn.unknown_choice", (("field", name), ("value", raw[:40]),
                                                     ("choices", ", ".join(registry))))


def _parse_widths(name, raw):
    if raw in ("", "-", "none"):
        return (), None
    parts = [p for p in raw.replace(" ", "").replace("-", ",").split(",") if p != ""]
    issue = None
    if len(parts) > CAPS["depth"]:
        issue = ConfigIssue("warn.clamped", (("field", "depth"), ("value", len(parts)), ("lo", 0),
                                             ("hi", CAPS["depth"]), ("fixed", CAPS["depth"])))
        parts = parts[: CAPS["depth"]]
    widths = []
    for part in parts:
        width, clamp_issue = _parse_int("width", part)
        issue = issue or clamp_issue
        widths.append(width)
    return tuple(widths), issue


def _parse_features(name, raw):
    parts = [p for p in raw.replace("-", ",").split(",") if p]
    known = tuple(dict.fromkeys(p for p in parts if p in FEATURES))
    if len(known) != len(parts) or not known:
        return (known or None), ConfigIssue("warn.features", (("choices", ", ".join(FEATURES)),))
    return known, None


_PARSE = {"int": _parse_int, "float": _parse_float, "bool": _parse_bool, "choice": _parse_choice,
          "widths": _parse_widths, "features": _parse_features}
_FORMAT = {
    "int": lambda v: str(int(v)),
    "float": lambda v: f"{v:.6g}",
    "bool": lambda v: "1" if v else "0",
    "choice": str,
    # Lists are joined with "-", not ",": Streamlit's multipage router reports "page not
    # found" for a URL whose query string holds an encoded comma (seen in Streamlit 1.67).
    "widths": lambda v: "-".join(str(w) for w in v),
    "features": lambda v: "-".join(v),
}
def _one_three(lo: float, hi: float) -> tuple[float, ...]:
    """1, 3, 10, 30, … from `lo` to `hi` (both powers of ten), parsed from decimal text so
    that 3e-05 is the same float a link's "lr=3e-05" reads as."""
    first, last = round(math.log10(lo)), round(math.log10(hi))
    steps = [float(f"{m}e{e}") for e in range(first, last + 1) for m in (1, 3)]
    return tuple(v for v in steps if v <= hi)


@dataclass(frozen=True)
class Field:
    """One experiment setting, end to end: the ExperimentConfig field `name`, its key in a
    shared link, and its control in the Lab, whose widget key is "lab_" + name."""

    name: str
    url: str        # short, so shared links stay short (links already shared keep working)
    kind: str       # how a link writes it: int, float, bool, choice, widths, features
    control: str    # the Lab's widget: slider, select_slider, toggle, selectbox, number_input,
                    # or one drawn by its own function: dataset, samples, features, hidden, loss
    section: str    # the Lab's group it sits in: data, model, training (as in the lecture)
    steps: tuple = ()  # a select_slider's choices (a value from a link is added among them)
    step: float = 0    # a slider's step (its range is LIMITS[name])
    help: bool = False  # the control has a help text, lab.controls.<name>_help
    folded: bool = False  # rarely changed: drawn inside its group's "more" expander
    # It may change while a run goes on: the trainer takes the new value at its next chunk
    # (a variable its compiled step reads), and the curves mark where it changed.
    live: bool = False

    @property
    def widget_key(self) -> str:
        return "lab_" + self.name


# The whole experiment in one table, like Playground's state.ts: the URL format, the Lab's
# widgets and their order on screen are all read from here.
FIELDS: tuple[Field, ...] = (
    Field("dataset", "data", "choice", "dataset", "data"),
    Field("n_samples", "n", "int", "samples", "data", step=10),
    Field("noise", "noise", "float", "slider", "data", step=0.05),
    Field("val_split", "val", "float", "slider", "data", step=0.05, folded=True),
    Field("features", "feat", "features", "features", "data", folded=True),
    Field("hidden", "hidden", "widths", "hidden", "model",  # steps: the one-width slider's
          steps=(1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)),
    Field("activation", "act", "choice", "selectbox", "model"),
    Field("skip", "skip", "bool", "toggle", "model"),
    Field("batchnorm", "bn", "bool", "toggle", "model"),
    Field("dropout", "drop", "float", "slider", "model", step=0.05, folded=True),
    Field("l2", "l2", "float", "select_slider", "model", steps=(0.0, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0),
          folded=True, live=True),
    Field("loss", "loss", "choice", "loss", "training"),
    Field("optimizer", "opt", "choice", "selectbox", "training"),
    Field("learning_rate", "lr", "float", "select_slider", "training",
          steps=_one_three(*LIMITS["learning_rate"]), help=True, live=True),
    Field("lr_schedule", "sched", "choice", "selectbox", "training", steps=LR_SCHEDULES, help=True,
          folded=True),
    Field("batch_size", "bs", "int", "select_slider", "training",
          steps=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, CAPS["batch_size"]), help=True),
    Field("epochs", "epochs", "int", "select_slider", "training",
          steps=(1, 10, 25, 50, 100, 200, 300, 500, 1000, 1500, 2000)),
    Field("patience", "pat", "int", "select_slider", "training", steps=(0, 5, 10, 20, 50, 100), help=True,
          live=True, folded=True),
    Field("target_loss", "target", "float", "select_slider", "training",
          steps=(0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3), help=True, live=True, folded=True),
    Field("seed", "seed", "int", "number_input", "training", folded=True),
    Field("watch", "watch", "bool", "toggle", "training", help=True, live=True),
)
FIELD = {field.name: field for field in FIELDS}
# (config field, URL key, kind): the URL format, read from the table above.
URL_FIELDS: tuple[tuple[str, str, str], ...] = tuple((f.name, f.url, f.kind) for f in FIELDS)
LIVE_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.live)


def live_changes(old: ExperimentConfig, new: ExperimentConfig) -> dict[str, tuple] | None:
    """{field: (old value, new value)} when `new` differs from `old` only in fields that may
    change during a run ({} when equal); None when a change needs a new run."""
    changes = {name: (getattr(old, name), getattr(new, name)) for name in LIVE_FIELDS
               if getattr(old, name) != getattr(new, name)}
    same_rest = old.replace(**{name: getattr(new, name) for name in LIVE_FIELDS}) == new
    return changes if same_rest else None
