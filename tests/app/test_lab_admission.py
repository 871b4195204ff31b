"""The Lab and ui.admission, through the app (ui.app holds the gate around the Lab's page): a
run holds the gate for its own work only. It has let go before it trains (its turns wait for
other learners), and after any run, also one that trained, the gate is free for the next one."""

from tests.app.conftest import assert_clean, open_link
from tests.app.test_page_lab import FAST
from ui import admission, fair_training, live_training


def gate_free() -> bool:
    if not admission._gate.acquire(timeout=2):
        return False
    admission._gate.release()
    return True


def test_the_lab_lets_go_of_the_gate_before_training_and_after_every_run(monkeypatch):
    held = {"page": [], "training": []}
    scheduled, header = fair_training.scheduled, live_training.LabViews.__init__

    def watched_training(*args, **kwargs):  # the run joins the scheduler's turns
        held["training"].append(admission.held())
        return scheduled(*args, **kwargs)

    def watched_page(self, *args, **kwargs):  # the views are made in every run of the page
        held["page"].append(admission.held())
        return header(self, *args, **kwargs)

    monkeypatch.setattr(fair_training, "scheduled", watched_training)
    monkeypatch.setattr(live_training.LabViews, "__init__", watched_page)
    at = open_link("pages/lab.py", dict(FAST, epochs="3"))
    assert_clean(at)
    assert held["page"] == [True]  # the page's own work is in line
    assert gate_free()
    at.button(key="lab_train").click().run()
    assert_clean(at)
    assert held["training"] == [False]
    assert gate_free()
    at.run()  # a rerun that shows the finished run
    assert_clean(at)
    assert held["page"] == [True, True, True]
    assert gate_free()
    at.button(key="lab_continue").click().run()  # more epochs of the same run: no new model built
    assert_clean(at)
    assert held["training"] == [False, False]
    assert gate_free()
