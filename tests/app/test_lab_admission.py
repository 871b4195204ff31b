"""The Lab and ui.admission: a run holds the gate for its own work only. It has let go before
it trains (its turns wait for other learners), and after any run, also one that trained, the
gate is free for the next learner."""

from tests.app.conftest import assert_clean
from tests.app.test_page_lab import FAST, lab
from ui import admission, live_training


def gate_free() -> bool:
    if not admission._gate.acquire(timeout=2):
        return False
    admission._gate.release()
    return True


def test_the_lab_lets_go_of_the_gate_before_training_and_after_every_run(monkeypatch):
    held_while_training = []
    train_live = live_training.train_live

    def watched(*args, **kwargs):
        held_while_training.append(admission.held())
        return train_live(*args, **kwargs)

    monkeypatch.setattr(live_training, "train_live", watched)
    at = lab(params=dict(FAST, epochs="3"))
    assert_clean(at)
    assert gate_free()
    at.button(key="lab_train").click().run()
    assert_clean(at)
    assert held_while_training == [False]
    assert gate_free()
    at.run()  # a rerun that shows the finished run
    assert_clean(at)
    assert gate_free()
