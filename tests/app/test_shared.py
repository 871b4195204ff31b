"""ui.shared.once in real script runs: two sessions asking for the same work compute it once,
and a failure is a translated message on the page, not a traceback."""

import threading
import time
import uuid

from streamlit.testing.v1 import AppTest

CALLS: dict[str, int] = {}  # key -> how many times it was computed, across sessions


def script():
    import time

    import streamlit as st

    from tests.app import test_shared as probe
    from ui import shared

    key, fail = st.session_state["probe_key"], st.session_state.get("probe_fail")

    def compute(progress):
        probe.CALLS[key] = probe.CALLS.get(key, 0) + 1
        for step in range(10):
            time.sleep(0.1)
            progress((step + 1) / 10, f"step {step + 1}")
        if fail:  # read on the script thread: compute runs on a worker, outside the session
            raise ValueError("the width must be positive")
        return f"value of {key}"

    value = shared.once(("probe", key), "Probe", compute, slot=False)
    st.write(value)


def session(key: str, fail: bool = False) -> AppTest:
    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["probe_key"] = key
    at.session_state["probe_fail"] = fail
    return at


def test_two_sessions_asking_for_the_same_work_compute_it_once():
    key = uuid.uuid4().hex
    sessions = [session(key), session(key)]
    threads = [threading.Thread(target=at.run) for at in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert CALLS[key] == 1
    for at in sessions:
        assert not at.exception
        assert [m.value for m in at.markdown] == [f"value of {key}"]
    again = session(key).run()  # a later visitor: no computing, no bar
    assert CALLS[key] == 1 and again.markdown[0].value == f"value of {key}"


def test_a_failure_shows_an_error_not_a_traceback():
    key = uuid.uuid4().hex
    at = session(key, fail=True).run()
    assert not at.exception
    assert len(at.error) == 1 and "the width must be positive" in at.error[0].value
    assert "Probe" in at.error[0].value
    assert not at.markdown  # the script stopped at the failure
    # The next visitor tries again (and here fails again, with the same message).
    assert "the width must be positive" in session(key, fail=True).run().error[0].value
    assert CALLS[key] == 2


def test_another_visitor_is_named_only_when_another_session_owns_the_work(monkeypatch):
    from core.shared_work import RUNNING, Entry
    from ui import frame, shared

    monkeypatch.setattr(frame, "lang", lambda: "en")  # outside a script run: no session to ask
    started = time.monotonic()
    running = Entry(RUNNING, owner="me", fraction=0.4, text="epoch 4/10")
    mine = shared._bar_text("Training", running, "me", started)
    other = shared._bar_text("Training", Entry(RUNNING, owner="you", fraction=0.4), "me", started)
    assert "epoch 4/10" in mine and "Another visitor" not in mine
    assert "Another visitor" in other and "40 %" in other
