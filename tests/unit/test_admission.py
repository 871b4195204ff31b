"""ui.admission: one Lab script run's own work at a time, in the order the runs came, never
waiting longer than its timeout, always let go (also when the run is interrupted)."""

import threading
import time

import pytest

from ui import admission


@pytest.fixture(autouse=True)
def free_gate():
    assert admission._gate.acquire(timeout=5), "a test left the gate held"
    admission._gate.release()
    yield
    admission.leave()


def test_runs_go_through_one_at_a_time_in_the_order_they_came():
    order, inside, most = [], [0], [0]
    lock = threading.Lock()
    admission.enter()  # the first run holds the gate while the others line up

    def run(i):
        with admission.admitted():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                order.append(i)
            time.sleep(0.01)
            with lock:
                inside[0] -= 1

    threads = []
    for i in range(6):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
        time.sleep(0.05)  # each is waiting before the next comes
    admission.leave()
    for thread in threads:
        thread.join(10)
    assert order == list(range(6))
    assert most[0] == 1


def test_leave_lets_the_next_in_before_the_run_ends():
    admission.enter()
    got = []
    waiter = threading.Thread(target=lambda: got.append(admission.enter(timeout=5)) or admission.leave())
    waiter.start()
    time.sleep(0.05)
    assert not got  # still in line
    admission.leave()  # e.g. the run starts waiting for its training turns
    waiter.join(5)
    assert got == [True]
    admission.leave()  # a second leave of the same run is harmless
    assert admission._gate.acquire(timeout=1)
    admission._gate.release()


def test_a_run_waits_at_most_its_timeout_then_goes_ahead():
    admission.enter()
    result = []

    def late():
        started = time.perf_counter()
        result.append((admission.enter(timeout=0.2), time.perf_counter() - started))
        admission.leave()  # it did not get the gate: nothing to give back

    thread = threading.Thread(target=late)
    thread.start()
    thread.join(5)
    got, waited = result[0]
    assert not got and 0.15 < waited < 2
    admission.leave()
    assert admission._gate.acquire(timeout=1)  # exactly one permit: the late run released nothing
    assert not admission._gate.acquire(timeout=0.05)
    admission._gate.release()


def test_the_gate_is_let_go_when_the_run_is_interrupted():
    class Rerun(Exception):  # what Streamlit raises in a run that is interrupted
        pass

    with pytest.raises(Rerun):
        with admission.admitted():
            assert admission.held()
            raise Rerun
    assert not admission.held()
    assert admission._gate.acquire(timeout=1)
    admission._gate.release()


def test_entering_twice_in_one_run_holds_one_permit():
    with admission.admitted():
        assert admission.enter(timeout=0.1)  # already held: no second permit taken, no wait
    assert admission._gate.acquire(timeout=1)
    admission._gate.release()
