"""Finished results on disk, so a restarted server (Community Cloud puts sleeping apps to sleep)
does not train again what the code would compute the same way.

A result's file name is its namespace and a digest of (the experiment's parameters, the source
of the modules that compute it, the Keras version): change the lesson's code and the old file
is simply never found again. Two places are looked in, in order:

- `data/results/` in the repository: the default views, written by `python -m scripts.precompute`
  and shipped with the app. Each has a test that recomputes it from the code and compares
  (tests/unit/test_shipped_results.py): a shipped result is honest only with that test.
- a cache directory (`KERAS_LENS_CACHE`, default `~/.cache/keras-lens/results`): anything a
  visitor computed, written after the fact. Writing is best effort: a read-only disk only
  means the next restart computes again.

Files are gzip-compressed pickles of plain dataclasses and NumPy arrays; they are read only
from these two directories, which only this app writes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.metadata
import inspect
import os
import pickle
import tempfile
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "results"
ENV_VAR = "KERAS_LENS_CACHE"
MISSING = object()


def cache_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or Path.home() / ".cache" / "keras-lens" / "results")


@functools.lru_cache(maxsize=64)  # the source of a running process's modules does not change
def code_version(*modules) -> str:
    """A digest of the modules' source and the Keras version: what decides the numbers."""
    digest = hashlib.sha256(importlib.metadata.version("keras").encode())
    for module in modules:
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:16]


def file_name(namespace: str, params, modules) -> str:
    """`<namespace>-<digest>.pkl.gz`; `params` must have a stable repr (tuples, frozen
    dataclasses, numbers and strings)."""
    digest = hashlib.sha256(f"{params!r}|{code_version(*modules)}".encode()).hexdigest()[:20]
    return f"{namespace}-{digest}.pkl.gz"


def load(name: str, directories=None):
    """The stored value, or MISSING. A file that does not unpickle (cut short by a crash,
    written by older code) counts as missing."""
    for directory in directories or (SHIPPED, cache_dir()):
        path = Path(directory) / name
        if path.is_file():
            try:
                with gzip.open(path, "rb") as file:
                    return pickle.load(file)
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
                continue
    return MISSING


def shipped(name: str) -> bool:
    return (SHIPPED / name).is_file()


def exists(name: str) -> bool:
    return shipped(name) or (cache_dir() / name).is_file()


def save(name: str, value, directory: Path | None = None) -> bool:
    """Write atomically (temp file, then rename); False when the disk refused."""
    directory, temp = Path(directory or cache_dir()), None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=directory, suffix=".part")
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, directory / name)
        return True
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        return False
