"""The server-wide frame budget (core.frame_budget): live redraws of all sessions together take
at most their share of the CPU; each session's redraw rate drops as more sessions are live."""

import pytest

from core.frame_budget import FRAME_SHARE, FrameBudget


def test_one_session_redraws_at_the_fastest_rate():
    budget = FrameBudget(cores=2)
    assert budget.interval() == budget.min_interval  # nothing measured yet
    budget.enter()
    budget.record(0.005)
    assert budget.interval() == budget.min_interval


@pytest.mark.parametrize("live", [1, 5, 10, 30, 40])
@pytest.mark.parametrize("frame_s", [0.005, 0.02, 0.08])
def test_drawing_never_takes_more_than_its_share(live, frame_s):
    budget = FrameBudget(cores=2)
    for _ in range(live):
        budget.enter()
    for _ in range(20):
        budget.record(frame_s)
    interval = budget.interval()
    share = live * frame_s / interval / budget.cores
    assert share <= FRAME_SHARE + 1e-9 or interval == budget.max_interval
    assert budget.drawing_share() == pytest.approx(share)
    if live * frame_s / (FRAME_SHARE * 2) > budget.min_interval and interval < budget.max_interval:
        assert share == pytest.approx(FRAME_SHARE)  # the budget is used, not wasted


def test_thirty_sessions_redraw_about_once_a_second():
    budget = FrameBudget(cores=2)
    for _ in range(30):
        budget.enter()
    for _ in range(50):
        budget.record(0.02)
    assert budget.interval() == pytest.approx(30 * 0.02 / (FRAME_SHARE * 2))
    for _ in range(29):
        budget.leave()
    assert budget.interval() == budget.min_interval  # alone again: ten redraws a second
    budget.leave()
    budget.leave()
    assert budget.live == 0


def test_counters_add_up():
    budget = FrameBudget(cores=1)
    for seconds in (0.01, 0.03):
        budget.record(seconds, cpu_seconds=seconds / 2)
    assert budget.frames == 2 and budget.total_seconds == pytest.approx(0.04)
    assert budget.cpu_seconds == pytest.approx(0.02)


def test_a_live_session_redraws_less_while_other_runs_wait_for_their_first_turn():
    """ui.fair_training.Redraws: the first look is drawn at once; after it, while another run
    waits for its first turn (its first epochs), a session redraws at most every
    CROWDED_DRAW_INTERVAL; once nobody waits, at the budget's rate again."""
    import time

    from core.training.scheduler import Scheduler
    from core.training.records import EpochRecord
    from ui.fair_training import CROWDED_DRAW_INTERVAL, Redraws

    scheduler = Scheduler(1)
    mine, newcomer = scheduler.join(), scheduler.join()
    redraws = Redraws(0.01, mine)
    record = EpochRecord(3, 1.0, 1.0, 0.5, 0.5, 0.1)
    assert redraws.due(record)  # the first look
    redraws.draw(lambda: None)
    scheduler.request(newcomer)  # waits for its first turn
    redraws.last = time.perf_counter() - 0.5
    assert not redraws.due(record)
    redraws.last = time.perf_counter() - CROWDED_DRAW_INTERVAL
    assert redraws.due(record)
    scheduler.end(newcomer)  # stopped while waiting: nobody waits now
    redraws.last = time.perf_counter() - 0.5
    assert redraws.due(record)


def test_a_run_building_its_model_outside_the_turns_counts_as_waiting_for_its_first_turn():
    """A new architecture's run builds and traces its model before its first turn
    (core.training.pool, prepare_outside_turn): meanwhile other sessions redraw at most every
    CROWDED_DRAW_INTERVAL, as while it waits in line, and again at their rate after it."""
    import time

    from core.training.records import EpochRecord
    from core.training.scheduler import Scheduler
    from ui.fair_training import CROWDED_DRAW_INTERVAL, Redraws

    scheduler = Scheduler(2)
    mine, newcomer = scheduler.join(), scheduler.join()
    redraws = Redraws(0.01, mine)
    record = EpochRecord(3, 1.0, 1.0, 0.5, 0.5, 0.1)
    assert redraws.due(record)
    redraws.draw(lambda: None)
    with newcomer.building():
        assert scheduler.first_turns_waiting() == 1
        redraws.last = time.perf_counter() - 0.5
        assert not redraws.due(record)
    assert scheduler.first_turns_waiting() == 0
    assert redraws.due(record)
