"""Uploaded CSV files as data sets: parse, check against caps a shared server can afford,
summarise (task, classes, features) and register under a content-addressed name, so that the
Lab, the exported script and every session see the same data set.
"""

from __future__ import annotations

import numpy as np

from core.datasets import _MAX_UPLOADS, _UPLOADS, Dataset

# Caps for a shared server; checked before anything else is done with a file.
CSV_CAPS = {"bytes": 2_000_000, "rows": 5000, "columns": 100, "classes": 50,
            "abs_value": 1e30}  # far beyond any measurement; squares of it still fit a float64
MAX_CLASSIFICATION_LEVELS = 20  # an integer target with more distinct values is a regression


class DataError(ValueError):
    """A file we refuse, with an i18n message key (under "data.") and its parameters."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        from core.i18n import t

        super().__init__(t(f"data.{key}", "en", **params))

    def text(self, lang: str = "en") -> str:
        from core.i18n import t

        return t(f"data.{self.key}", lang, **self.params)


class _Table:
    """An uploaded table as a data-set generator; a class, not a closure, so that the data set
    pickles (a crowded server sends it to its helper process, core.training.helper)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __call__(self, n, noise, rng):
        xs, ys = self.x, self.y
        if n < len(xs):
            idx = np.sort(rng.choice(len(xs), size=n, replace=False))
            xs, ys = xs[idx], ys[idx]
        return xs + rng.normal(0, 1, xs.shape) * noise * xs.std(axis=0, keepdims=True), ys


def parse_csv(content: bytes, target: str | None = None) -> tuple[list[str], dict]:
    """Read an uploaded CSV (bytes). Returns the column names and, when `target` is given,
    a summary {task, n_classes, rows, features, dropped}. Raises DataError with a clear
    message for every way a file can be unusable."""
    import io

    import pandas as pd

    if len(content) > CSV_CAPS["bytes"]:
        raise DataError("too_big", size=len(content), cap=CSV_CAPS["bytes"])
    if not content.strip():
        raise DataError("empty")
    if b"\x00" in content[:4096]:
        raise DataError("not_csv")
    separator = _delimiter(content)
    try:
        frame = pd.read_csv(io.BytesIO(content), sep=separator)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, csv_error()):
        raise DataError("not_csv") from None
    if frame.shape[1] < 2:
        raise DataError("too_few_columns", columns=", ".join(str(c) for c in frame.columns[:3]))
    if frame.shape[0] < 1:
        raise DataError("too_few_rows", rows=0)
    if frame.shape[0] > CSV_CAPS["rows"]:
        raise DataError("too_many_rows", rows=frame.shape[0], cap=CSV_CAPS["rows"])
    if frame.shape[1] > CSV_CAPS["columns"]:
        raise DataError("too_many_columns", columns=frame.shape[1], cap=CSV_CAPS["columns"])
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    # Refused as soon as the file arrives, before a target is chosen: the data is the cause.
    _check_magnitude(frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64"))
    if target is None:
        return columns, {}
    if target not in columns:
        raise DataError("no_target", target=target)
    return columns, _summarize(frame, target) | {"separator": separator}


def _delimiter(content: bytes) -> str:
    """The separator of a CSV: one of , ; tab | found by Python's sniffer in the first lines,
    else a comma. (Sniffing any character split a one-column file "value" on its "v".)"""
    import csv

    head = content[:8192].decode("utf-8", errors="replace")
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def csv_error():
    import csv

    return csv.Error


def _summarize(frame, target: str) -> dict:
    import pandas as pd

    features = [c for c in frame.columns if c != target]
    numeric = frame[features].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in features if numeric[c].isna().sum() > frame[c].isna().sum()]
    if bad:
        raise DataError("non_numeric", columns=", ".join(bad[:5]))
    before = len(frame)
    keep = ~(numeric.isna().any(axis=1) | frame[target].isna())
    dropped = int(before - keep.sum())
    if keep.sum() < 10:
        raise DataError("too_few_rows", rows=int(keep.sum()))
    x = numeric[keep].to_numpy(dtype="float64")
    y_raw = frame.loc[keep, target]
    y_num = pd.to_numeric(y_raw, errors="coerce")
    levels = y_raw.nunique()
    class_names: tuple[str, ...] = ()
    if y_num.notna().all() and not (np.allclose(y_num, np.round(y_num)) and levels <= MAX_CLASSIFICATION_LEVELS):
        task, y, n_classes = "regression", y_num.to_numpy(dtype="float64"), 1
    else:
        if levels < 2:
            raise DataError("one_class")
        if levels > CSV_CAPS["classes"]:
            raise DataError("too_many_classes", classes=levels, cap=CSV_CAPS["classes"])
        codes, uniques = pd.factorize(y_raw, sort=True)
        y, n_classes = codes.astype("int64"), int(levels)
        class_names = tuple(_class_name(u) for u in uniques)
        task = "binary" if levels == 2 else "multiclass"
        if np.min(np.bincount(y)) < 2:
            raise DataError("rare_class")
    return {"task": task, "n_classes": n_classes, "rows": len(x), "features": features,
            "dropped": dropped, "x": x, "y": y, "class_names": class_names}


def _class_name(value) -> str:
    """A target value as a class name: 1.0 (a numeric column with gaps) reads as "1"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _check_magnitude(values: np.ndarray) -> None:
    """Refuse numbers too large to learn from: beyond CSV_CAPS["abs_value"] (or infinite) their
    squares overflow, so training would "diverge" because of the data, not the learning rate.
    NaN (an empty or non-numeric cell) is left to the checks that name it."""
    values = values[~np.isnan(values)]
    if values.size and not np.all(np.abs(values) <= CSV_CAPS["abs_value"]):
        largest = float(np.max(np.abs(values)))
        raise DataError("too_large_values", value=f"{largest:.3g}", cap=f"{CSV_CAPS['abs_value']:.0e}")


def register_csv(content: bytes, target: str, label: str = "CSV") -> tuple[str, dict]:
    """Parse and register an upload; returns its data-set name ("upload_<hash>") and summary."""
    import hashlib

    _, summary = parse_csv(content, target)
    name = "upload_" + hashlib.sha256(content + b"\x00" + target.encode()).hexdigest()[:10]
    if name not in _UPLOADS:
        x, y = summary["x"], summary["y"]
        _UPLOADS[name] = Dataset(name, f"{label} → {target}", summary["task"], _Table(x, y),
                                 n_features=x.shape[1], n_classes=summary["n_classes"],
                                 max_samples=len(x), default_samples=len(x),
                                 feature_names=tuple(summary["features"]), class_names=summary["class_names"],
                                 source="upload", separator=summary["separator"])
        while len(_UPLOADS) > _MAX_UPLOADS:
            _UPLOADS.popitem(last=False)
    _UPLOADS.move_to_end(name)
    return name, summary
