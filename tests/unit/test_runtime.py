"""Process-wide runtime settings: TF threads and the frozen import-time objects."""

import gc

from core import runtime


def test_tf_threads_reads_the_environment(monkeypatch):
    monkeypatch.setenv(runtime.THREADS_ENV, "3")
    assert runtime.tf_threads() == 3
    for bad in ("0", "-2", "many"):
        monkeypatch.setenv(runtime.THREADS_ENV, bad)
        assert runtime.tf_threads() == 1


def test_frozen_objects_leave_the_collectors_reach_and_later_garbage_is_still_collected():
    class Node:
        pass

    runtime.freeze_imported_objects()
    try:
        assert gc.get_freeze_count() > 1000  # at least pytest's and numpy's objects
        cycle = Node()
        cycle.me = cycle  # garbage created after the freeze: a reference cycle
        del cycle
        assert gc.collect() >= 1, "a cycle made after the freeze must still be collected"
    finally:
        gc.unfreeze()


def test_numpy_blas_runs_on_one_thread_after_the_app_starts():
    import numpy as np  # noqa: F401 - its BLAS is loaded
    from threadpoolctl import threadpool_info

    from core import runtime

    runtime.one_blas_thread()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
