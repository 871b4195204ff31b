"""Every result shipped in data/results/ is what the code computes today: each file is
recomputed from the code (the page's own key and function) and compared. A shipped result is
honest only with this test (DESIGN: First contact budgets).

A failure here means the code changed since `python -m scripts.precompute` last ran (a missing
file: the lesson module's source changed; a mismatch: something it calls did). Run it again."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core import result_files
from scripts import precompute

# The overfitting page's sixteen runs here, the other pages' in test_shipped_results_more.py: two
# files, so xdist (--dist loadfile) recomputes them on two workers at once.
ALL_JOBS = [job for make in precompute.PAGES.values() for job in make()]
JOBS = [job for job in ALL_JOBS if job.page == "overfitting"]
SKIPPED = {"seconds", "_lock"}  # wall-clock time differs run to run; a lock is not a result


def assert_same(shipped, fresh, path: str = "result") -> None:
    """Equal up to float order (threads sum in a different order on another machine)."""
    if dataclasses.is_dataclass(shipped) and type(shipped).__getstate__ is not object.__getstate__:
        # It says itself what it stores (TrainedLM: the weights, its Keras model built on demand).
        assert type(shipped) is type(fresh), path
        assert_same(shipped.__getstate__(), fresh.__getstate__(), path)
    elif dataclasses.is_dataclass(shipped):
        assert type(shipped) is type(fresh), path
        for field in dataclasses.fields(shipped):
            if field.name not in SKIPPED:
                assert_same(getattr(shipped, field.name), getattr(fresh, field.name), f"{path}.{field.name}")
    elif isinstance(shipped, dict):
        assert shipped.keys() == fresh.keys(), path
        for key in shipped:
            if key not in SKIPPED:
                assert_same(shipped[key], fresh[key], f"{path}[{key!r}]")
    elif isinstance(shipped, (list, tuple)):
        assert len(shipped) == len(fresh), path
        for i, (a, b) in enumerate(zip(shipped, fresh)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(shipped, np.ndarray):
        assert shipped.shape == fresh.shape, path
        np.testing.assert_allclose(shipped, fresh, rtol=1e-3, atol=1e-4, err_msg=path)
    elif isinstance(shipped, float) and math.isnan(shipped):  # e.g. the training-mode loss at epoch 0
        assert isinstance(fresh, float) and math.isnan(fresh), f"{path}: {shipped} != {fresh}"
    elif isinstance(shipped, float):
        assert math.isclose(shipped, fresh, rel_tol=1e-3, abs_tol=1e-4), f"{path}: {shipped} != {fresh}"
    elif hasattr(shipped, "get_weights"):  # a Keras model: same architecture, same weights
        assert [w.shape for w in shipped.get_weights()] == [w.shape for w in fresh.get_weights()], path
        assert_same(shipped.get_weights(), fresh.get_weights(), f"{path}.weights")
    elif hasattr(shipped, "__dict__") and not isinstance(shipped, type):
        assert_same(vars(shipped), vars(fresh), path)
    else:
        assert shipped == fresh, f"{path}: {shipped!r} != {fresh!r}"


@pytest.mark.slow
@pytest.mark.parametrize("job", JOBS, ids=[f"{job.page}-{i}" for i, job in enumerate(JOBS)])
def test_a_shipped_result_is_what_the_code_computes(job):
    assert_shipped_is_fresh(job)


def assert_shipped_is_fresh(job) -> None:
    """The file in data/results/ equals what the code computes now."""
    shipped = result_files.load(job.file_name, [result_files.SHIPPED])
    assert shipped is not result_files.MISSING, (
        f"{job.file_name} is not in data/results/: run `python -m scripts.precompute {job.page}`")
    assert_same(shipped, job.compute())

# The check that no shipped file is stale is in tests/app/test_stored_results.py: it needs the
# files the pages' ui.stored calls name, found by running each page's default view.
