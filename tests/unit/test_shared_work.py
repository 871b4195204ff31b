"""core.shared_work: one computation per key for every caller, bounded, and honest about
interruptions and failures. core.result_files: a round trip and a digest that follows the code."""

import threading
import time
import types

import pytest

from core import result_files
from core.shared_work import DONE, FAILED, RUNNING, Cancelled, SharedWork


def test_two_claimants_of_the_same_key_compute_once():
    work, calls, release = SharedWork(), [], threading.Event()

    def compute(progress):
        calls.append(threading.current_thread().name)
        release.wait(5)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(work.obtain("k", compute))) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # both are in: one computing, one waiting
    assert work.get("k").state == RUNNING
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == [42, 42]
    assert len(calls) == 1


def test_the_owner_is_recorded_and_others_cannot_claim():
    work = SharedWork()
    token = work.claim("k", owner="alice")
    assert token and work.claim("k", owner="bob") is None
    assert work.get("k").owner == "alice"
    assert work.progress("k", token, 0.5, "half")
    assert (work.get("k").fraction, work.get("k").text) == (0.5, "half")
    assert not work.progress("k", "not-the-token", 0.9)


def test_an_interrupted_owner_releases_and_the_next_caller_computes():
    work, started = SharedWork(), threading.Event()

    def stuck(progress):
        started.set()
        while True:  # a long run that reports progress: that is where it learns it was left
            progress(0.1)
            time.sleep(0.01)

    token = work.start("k", "first", stuck)
    started.wait(5)
    assert work.release("k", token)  # the page's finally, after Streamlit stopped the run
    assert work.get("k") is None
    assert work.obtain("k", lambda progress: "second's value", owner="second") == "second's value"


def test_an_exception_in_compute_releases_the_claim_for_a_retry():
    work, attempts = SharedWork(), []

    def flaky(progress):
        attempts.append(1)
        if len(attempts) == 1:
            raise Cancelled("k")  # the first owner's claim went away mid-run
        return "ok"

    work.start("k", "first", flaky)
    deadline = time.monotonic() + 5
    while work.get("k") is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert work.get("k") is None
    assert work.obtain("k", flaky) == "ok" and len(attempts) == 2


def test_a_failure_is_reported_to_the_owner_and_the_waiters():
    work, release = SharedWork(), threading.Event()

    def broken(progress):
        release.wait(5)
        raise ValueError("width must be positive")

    errors = []

    def ask():
        try:
            work.obtain("k", broken)
        except ValueError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(5)
    assert errors == ["width must be positive"] * 2
    entry = work.get("k")
    assert entry.state == FAILED and isinstance(entry.error, ValueError)
    # A later visitor retries rather than inheriting the failure forever.
    assert work.obtain("k", lambda progress: "fixed") == "fixed"


def test_the_store_is_bounded_and_keeps_the_recently_used():
    work = SharedWork(max_items=3)
    for key in "abc":
        work.obtain(key, lambda progress, key=key: key.upper())
    work.get("a")  # used: now the newest
    work.obtain("d", lambda progress: "D")
    assert len(work) == 3
    assert work.get("b") is None and work.get("a").value == "A" and work.get("d").state == DONE


def test_a_running_entry_is_never_dropped_by_the_bound():
    work = SharedWork(max_items=1)
    token = work.claim("running", "me")
    work.obtain("x", lambda progress: 1)
    work.obtain("y", lambda progress: 2)
    assert work.get("running").state == RUNNING and work.progress("running", token, 0.5)


def test_a_late_value_from_a_released_run_is_not_lost_nor_overwrites_a_newer_claim():
    work = SharedWork()
    old = work.claim("k", "first")
    work.release("k", old)
    new = work.claim("k", "second")
    work.put("k", old, "stale")
    assert work.get("k").state == RUNNING  # the second claim is still on it
    work.put("k", new, "fresh")
    assert work.get("k").value == "fresh"


def test_result_files_round_trip_and_follow_the_code(tmp_path):
    module_a = types.ModuleType("a")
    name = result_files.file_name("demo", (1, "x"), (result_files,))
    assert name.startswith("demo-") and name == result_files.file_name("demo", (1, "x"), (result_files,))
    assert name != result_files.file_name("demo", (2, "x"), (result_files,))
    assert result_files.code_version(result_files) != result_files.code_version(threading)
    assert result_files.load(name, [tmp_path]) is result_files.MISSING
    assert result_files.save(name, {"value": [1.5, 2.5]}, tmp_path)
    assert result_files.load(name, [tmp_path]) == {"value": [1.5, 2.5]}
    (tmp_path / name).write_bytes(b"cut short")
    assert result_files.load(name, [tmp_path]) is result_files.MISSING
    with pytest.raises(TypeError):
        result_files.code_version(module_a)  # a module without source cannot version a result
