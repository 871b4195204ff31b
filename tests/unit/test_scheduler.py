"""Fair turns (core.training.scheduler): sessions interleave round robin, a stopped or left
session gives its turn back, a diverging run does not block the others, and real Trainers
trained in turns (their compiled sets swapped between turns) learn exactly as alone."""

import threading
import time

import numpy as np
import pytest

from core.config import ExperimentConfig
from core.training.scheduler import FIRST_TURNS, Scheduler, Turn, processor_sharing_finish


class Stopped(Exception):
    """What Streamlit raises in a waiting script when the learner stops or leaves."""


def _run_sessions(scheduler, sessions, turns, work=0.003, body=None):
    """Each session in its own thread takes `turns` turns; returns the (session, turn) starts
    in the order they started."""
    order, lock = [], threading.Lock()
    for s in sessions:  # everyone is in line before any turn starts
        scheduler.request(s)

    def learner(index, session):
        try:
            for k in range(turns):
                with session.turn(poll=0.05) as turn:
                    with lock:
                        order.append((index, k))
                    if body is not None:
                        body(index, k)
                    time.sleep(work)
                    turn.units, turn.units_left = 1, turns - k - 1
        except (Stopped, FloatingPointError):
            pass
        finally:
            session.leave()

    threads = [threading.Thread(target=learner, args=(i, s)) for i, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return order


class RecordingScheduler(Scheduler):
    """Records (session index, turn index) as turns start, under the scheduler's lock (the
    threads' own records may come in another order than the starts)."""

    def __init__(self, workers):
        super().__init__(workers)
        self.starts, self.index = [], {}
        self.first_turns_passed = []  # a later turn started while more first turns waited than workers were free

    def try_start(self, session):
        with self._cond:
            waiting = session in self._waiting
            first_waiting = sum(1 for s in self._waiting if s.turns == 0)
            free = self.workers - len(self._running)
            started = super().try_start(session)
            if waiting and started:
                self.starts.append((self.index[id(session)], session.turns))
                if session.turns >= 1 and first_waiting >= free:
                    self.first_turns_passed.append((self.index[id(session)], first_waiting, free))
            return started


@pytest.mark.parametrize("n,workers", [(8, 2), (30, 2), (5, 1)])
def test_every_session_starts_its_first_chunk_before_any_second_turn(n, workers):
    scheduler = RecordingScheduler(workers)
    sessions = [scheduler.join() for _ in range(n)]
    scheduler.index = {id(s): i for i, s in enumerate(sessions)}
    order = _run_sessions(scheduler, sessions, turns=FIRST_TURNS + 3)
    # Turn 0 takes the model, evaluates epoch 0 and trains the first chunk: a session's second
    # turn never takes a worker that a waiting first turn could have had. (Only when fewer first
    # turns wait than workers are free may a second turn start, at the same moment: on a loaded
    # machine its thread may then record its start before theirs.)
    assert FIRST_TURNS == 1
    assert scheduler.first_turns_passed == []
    assert sorted(i for i, k in scheduler.starts if k == 0) == list(range(n))
    assert len(order) == n * (FIRST_TURNS + 3)
    assert scheduler.sessions == 0 and scheduler.running == 0


def test_a_first_turn_is_expected_to_last_as_long_as_first_turns_did():
    now = [0.0]
    scheduler = Scheduler(1, clock=lambda: now[0])
    a, b, c = scheduler.join(), scheduler.join(), scheduler.join()
    for session, seconds in ((a, 0.4), (a, 0.05), (a, 0.05)):  # a's first turn builds the model
        scheduler.request(session)
        assert scheduler.try_start(session)
        now[0] += seconds
        scheduler.end(session, Turn(units=1, units_left=10))
    scheduler.request(b)
    scheduler.request(c)
    # b (first turn, next) and c wait; c waits for b's first turn: like a's first (0.4 s), not
    # like the mean of all turns.
    assert scheduler.place(c).wait_s == pytest.approx(0.4)


def test_later_turns_go_round_robin():
    scheduler = Scheduler(1)
    sessions = [scheduler.join() for _ in range(4)]
    order = _run_sessions(scheduler, sessions, turns=FIRST_TURNS + 4)
    later = [i for i, k in order if k >= FIRST_TURNS]
    # One worker: after the first turns, sessions take turns in a fixed rotation.
    rotation = later[:4]
    assert sorted(rotation) == [0, 1, 2, 3]
    assert later == rotation * 4


def test_never_more_turns_at_once_than_workers():
    scheduler = Scheduler(3)
    running, peak, lock = [0], [0], threading.Lock()

    def body(index, k):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.03)  # long enough that, even on a loaded machine, every worker is taken at once
        with lock:
            running[0] -= 1

    _run_sessions(scheduler, [scheduler.join() for _ in range(10)], turns=4, body=body)
    assert peak[0] == 3


def test_a_session_stopped_while_waiting_leaves_the_line_and_the_others_go_on():
    scheduler = Scheduler(1)
    holder, stopped, other = scheduler.join(), scheduler.join(), scheduler.join()
    told = []

    def stop_me(place):
        told.append(place)
        raise Stopped

    stopped.on_wait = stop_me
    with holder.turn():
        scheduler.request(stopped)
        scheduler.request(other)
        assert scheduler.place(other).ahead == 1
        with pytest.raises(Stopped):
            stopped.scheduler.wait_turn(stopped, poll=0.01)
        assert told and told[0].ahead == 0 and told[0].sessions == 3
        assert scheduler.place(other).ahead == 0  # the stopped learner is out of the line
    assert scheduler.try_start(other)
    scheduler.end(other)
    assert scheduler.running == 0


def test_a_session_that_fails_or_leaves_gives_its_turn_back():
    scheduler = Scheduler(1)
    failing, left, fine = scheduler.join(), scheduler.join(), scheduler.join()
    with pytest.raises(RuntimeError):
        with failing.turn():
            raise RuntimeError("a chunk that failed")
    assert scheduler.running == 0
    scheduler.request(left)
    assert scheduler.try_start(left)
    left.leave()  # a closed tab: its Streamlit thread ends, `finally` leaves
    assert scheduler.running == 0 and scheduler.sessions == 2
    with fine.turn():
        assert scheduler.running == 1


def test_a_diverging_session_does_not_block_the_others():
    scheduler = Scheduler(2)
    sessions = [scheduler.join() for _ in range(6)]

    def body(index, k):
        if index == 0 and k == 3:
            raise FloatingPointError("loss is NaN")

    order = _run_sessions(scheduler, sessions, turns=8, body=body)
    assert sum(1 for i, _ in order if i == 0) == 4
    assert all(sum(1 for i, _ in order if i == j) == 8 for j in range(1, 6))
    assert scheduler.sessions == 0 and scheduler.running == 0


def test_place_counts_the_line_and_estimates_from_measured_turns():
    now = [0.0]
    scheduler = Scheduler(1, clock=lambda: now[0])
    a, b, c = scheduler.join(), scheduler.join(), scheduler.join()
    assert scheduler.place(a).wait_s == 0.0  # nothing runs: it would start at once
    scheduler.request(a)
    assert scheduler.try_start(a)
    now[0] = 0.1
    scheduler.end(a, Turn(units=10, units_left=90))
    for s in (b, c, a):
        scheduler.request(s)
    assert scheduler.try_start(b)
    # c waits for b's turn (expected 0.1 s, like the only measured turn), a for b's and c's.
    assert scheduler.place(c).ahead == 0 and scheduler.place(c).wait_s == pytest.approx(0.1)
    assert scheduler.place(a).ahead == 1 and scheduler.place(a).wait_s == pytest.approx(0.2)
    # a has 90 units of 0.01 s left; b and c are not measured and count like a: three equal
    # jobs on one worker end together after 3 x 0.9 s.
    b.units_left = c.units_left = 90
    assert scheduler.place(a).left_s == pytest.approx(2.7)
    # b's turn runs far past its expected length (a first trace): assumed to run half as
    # long again as it has so far, not to end at once.
    now[0] = 1.1
    assert scheduler.place(c).wait_s == pytest.approx(0.5)


def test_processor_sharing():
    assert processor_sharing_finish(1.0, [], 2) == 1.0
    assert processor_sharing_finish(1.0, [1.0], 2) == 1.0          # one core each
    assert processor_sharing_finish(1.0, [1.0, 1.0, 1.0], 2) == 2.0  # four jobs, two cores
    # The short job ends when 4 x 1 s of work is shared on 2 cores; the long one then runs alone.
    assert processor_sharing_finish(1.0, [3.0, 3.0, 3.0], 2) == 2.0
    assert processor_sharing_finish(3.0, [1.0, 3.0, 3.0], 2) == pytest.approx(2.0 + 2.0 * 1.5)


# ---- real Trainers in turns ---------------------------------------------------------------------
XOR = ExperimentConfig(dataset="xor", n_samples=300, hidden=(8, 8), epochs=30)


def _history(trainer):
    return np.array([[r.train_loss, r.val_loss, r.train_metric, r.val_metric] for r in trainer.history])


def test_trainers_in_turns_interleave_and_learn_exactly_as_alone():
    pytest.importorskip("tensorflow")
    from core.training import Trainer

    configs = [XOR.replace(seed=s) for s in range(3)]
    configs.append(XOR.replace(seed=3, optimizer="momentum", batchnorm=True))
    alone = []
    for config in configs:
        trainer = Trainer(config)
        list(trainer.run())
        alone.append(_history(trainer))

    scheduler = Scheduler(1)
    sessions = [scheduler.join(kind=c.replace(seed=0)) for c in configs]
    trainers = []
    for config, session in zip(configs, sessions):
        with session.turn():
            trainer = Trainer(config)
            trainer.park()
        trainer.scheduled = session
        trainers.append(trainer)
    starts, lock = [], threading.Lock()

    def learn(index):
        run = trainers[index].run()
        try:
            for record in run:
                with lock:
                    starts.append((index, record.epoch))
        finally:
            run.close()
            sessions[index].leave()

    threads = [threading.Thread(target=learn, args=(i,)) for i in range(len(configs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    for trainer, expected in zip(trainers, alone):
        assert trainer.status == "finished"
        np.testing.assert_allclose(_history(trainer), expected, rtol=1e-5, atol=1e-6)
    # Interleaved: every run had a trained epoch before any run ended.
    first_trained = max(starts.index(next(e for e in starts if e[0] == i and e[1] >= 1)) for i in range(4))
    first_end = min(starts.index((i, XOR.epochs)) for i in range(4))
    assert first_trained < first_end
    assert scheduler.sessions == 0 and scheduler.running == 0


def test_a_diverging_trainer_in_turns_leaves_and_the_others_finish():
    pytest.importorskip("tensorflow")
    from core.training import Trainer

    bad = ExperimentConfig(dataset="diabetes", hidden=(32,) * 6, activation="relu", optimizer="sgd",
                           learning_rate=10.0, loss="mse", epochs=300, n_samples=442)
    configs = [bad, XOR, XOR.replace(seed=2)]
    scheduler = Scheduler(1)
    trainers = []
    for config in configs:
        session = scheduler.join()
        with session.turn():
            trainer = Trainer(config)
            trainer.park()
        trainer.scheduled = session
        trainers.append(trainer)

    def learn(trainer):
        try:
            list(trainer.run())
        finally:
            trainer.scheduled.leave()

    threads = [threading.Thread(target=learn, args=(t,)) for t in trainers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert trainers[0].status == "diverged"
    assert [t.status for t in trainers[1:]] == ["finished", "finished"]
    assert scheduler.sessions == 0 and scheduler.running == 0


def test_the_pool_hands_a_session_back_its_own_set_else_a_traced_one():
    from core.training import _Pool

    class Set:
        def __init__(self, loaded=None, has_run=False):
            self.loaded, self.has_run = loaded, has_run

    mine, token = Set(), object()
    mine.loaded = token
    untraced, traced = Set(), Set(has_run=True)
    pool = _Pool()
    for s in (untraced, traced, mine):
        pool.release("sig", s)
    assert pool.acquire("sig", token) is mine       # its state is still loaded: no copy
    assert pool.acquire("sig", object()) is traced  # no tracing needed
    assert pool.acquire("sig") is untraced


def test_turns_count_their_threads_cpu_not_their_waits():
    """The load benchmark's CPU counter: a turn that spins counts its CPU, one that sleeps ~none."""
    scheduler = Scheduler(1)
    session = scheduler.join()
    with session.turn():
        until = time.thread_time() + 0.05
        while time.thread_time() < until:
            pass
    spun = scheduler.turn_cpu_total
    with session.turn():
        time.sleep(0.05)
    session.leave()
    assert scheduler.turns_run == 2 and 0.05 <= spun < scheduler.turn_seconds_total
    assert scheduler.turn_cpu_total - spun < 0.02


def test_a_scheduled_run_gets_epoch_0_and_its_first_trained_epochs_in_one_turn():
    """A Trainer made without a set (`hold=False`, as the Lab makes it) takes one in its first
    turn, which also evaluates epoch 0 and trains the first chunk; its numbers are those of a
    run alone."""
    pytest.importorskip("tensorflow")
    from core.training import Trainer

    config = XOR.replace(seed=11)
    alone = Trainer(config)
    list(alone.run())
    scheduler = Scheduler(1)
    trainer = Trainer(config, hold=False)
    assert trainer._compiled is None  # no TensorFlow work until its turn
    trainer.scheduled = scheduler.join()
    run = trainer.run()
    first = next(run)
    assert first.epoch == 0 and first.snapshot is not None
    assert scheduler.turns_run == 1 and trainer.history[-1].epoch >= 1  # trained in the same turn
    session = trainer.scheduled
    # The set and epoch 0 are not counted as training work (its estimates would run high).
    assert session.trained_turns == 1 and 0 < session.last_trained_turn_s < scheduler.first_turn_seconds
    for _ in run:
        pass
    session.leave()
    assert trainer.status == "finished" and trainer.kernel_layer_names == alone.kernel_layer_names
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)


def test_a_new_architecture_is_traced_outside_the_turns(monkeypatch):
    """Tracing a new architecture takes seconds on a busy server: it happens before the run's
    first turn, on the learner's own thread, so that it holds no training slot; the first
    turn finds the traced set in the pool."""
    pytest.importorskip("tensorflow")
    import core.training.pool as pool
    from core.training import Trainer

    built_in_turns = []

    class Counted(pool._Compiled):
        def __init__(self, *args, **kwargs):
            built_in_turns.append(scheduler.running)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pool, "_Compiled", Counted)
    scheduler = Scheduler(1)
    trainer = Trainer(XOR.replace(hidden=(7, 3), seed=4), hold=False)  # an architecture of its own here
    assert trainer.compiling  # no traced set of it: the status line says so before its turn
    outside = []
    build = trainer._traced_set
    trainer._traced_set = lambda: (outside.append(scheduler.running), build())[1]
    trainer.scheduled = scheduler.join()
    list(trainer.run())
    trainer.scheduled.leave()
    assert outside == [0] and built_in_turns == []  # built once, while no turn ran
    assert trainer.status == "finished" and trainer.compile_seconds is None  # no chunk traced in a turn


def test_a_new_architectures_first_turn_takes_its_snapshots_without_tracing_them():
    """The learner of a new architecture waits for its build; the snapshot functions are not
    traced in it nor in the first turn (eagerly run instead: ~0.1 s, where tracing them took
    0.2-0.45 s), but in the background with the rest of the set (Trainer._trace_later). The
    eager snapshots equal the traced ones (rounding)."""
    pytest.importorskip("tensorflow")
    from core.training import Trainer
    from core.training.records import take_snapshot

    scheduler = Scheduler(1)
    trainer = Trainer(XOR.replace(hidden=(6, 5), seed=2, epochs=12), hold=False, snapshots=4)
    built, build = [], trainer._traced_set
    trainer._traced_set = lambda: (built.append(build()), built[-1])[1]  # the set its learner waits for
    trainer.scheduled = scheduler.join()
    run = trainer.run()
    first = next(run)
    [compiled] = built
    traces = lambda: sum(fn.experimental_get_tracing_count() for fn in (  # noqa: E731
        compiled.hidden_fn, compiled.grad_norms_fn, compiled.predict_fn, compiled.network_fn))
    assert first.epoch == 0 and first.snapshot is not None
    assert traces() == 0 and not compiled.snapshots_traced  # after the first turn
    in_first_turn = [r for r in trainer.history if r.snapshot is not None]
    for _ in run:
        pass
    trainer.scheduled.leave()
    assert compiled.traced.wait(60)
    assert traces() == 4 and compiled.snapshots_traced  # traced in the background, once each
    assert trainer.status == "finished"
    trainer._hold()
    traced = take_snapshot(trainer._compiled, 0, trainer.probe_set.x, trainer._grid, trainer._picture_inputs,
                           trainer.config, trainer.task)
    eager = take_snapshot(trainer._compiled, 0, trainer.probe_set.x, trainer._grid, trainer._picture_inputs,
                          trainer.config, trainer.task, eager=True)  # traced already: the graphs again
    assert traces() == 4
    compiled.snapshots_traced = False
    eager = take_snapshot(trainer._compiled, 0, trainer.probe_set.x, trainer._grid, trainer._picture_inputs,
                          trainer.config, trainer.task, eager=True)
    assert traces() == 4  # eagerly: no new trace
    for a, b in zip(eager.hidden, traced.hidden, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert eager.grad_norms == pytest.approx(traced.grad_norms, rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(eager.boundary, traced.boundary, rtol=1e-5, atol=1e-6)
    for a, b in zip(eager.network.kernels, traced.network.kernels, strict=True):
        np.testing.assert_allclose(a, b)
    assert in_first_turn and in_first_turn[0].epoch == 0


def test_a_new_architectures_first_epochs_need_only_its_step_traced():
    """A new architecture's learner waits for the mini-batch step's trace alone: the first
    chunks run op by op around it (no chunk or evaluation trace before the first epoch), the
    rest of the set is traced in the background, and the step is traced once for the whole
    set (the chunk reuses it). The numbers are a graph run's (rounding), and once traced the
    set's chunks run as one graph."""
    pytest.importorskip("tensorflow")
    from core.training import Trainer

    config = XOR.replace(hidden=(5, 4), seed=6, epochs=20)
    alone = Trainer(config, reuse=False)
    list(alone.run())

    scheduler = Scheduler(1)
    trainer = Trainer(config, hold=False)
    built, build = [], trainer._traced_set
    trainer._traced_set = lambda: (built.append(build()), built[-1])[1]
    trainer.scheduled = scheduler.join()
    run = trainer.run()
    next(run)  # epoch 0 and the first chunk, in the first turn
    [compiled] = built
    assert trainer.history[-1].epoch >= 1 and compiled.chunks_run["eager"] >= 1
    assert compiled.step_fn.experimental_get_tracing_count() == 1
    assert compiled.evaluate_fn.experimental_get_tracing_count() == 0 or compiled.traced.is_set()
    for _ in run:
        pass
    assert trainer.status == "finished" and trainer.compile_seconds is None  # no chunk traced in a turn
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)
    assert compiled.traced.wait(60) and not compiled.running_eagerly
    assert compiled.train_chunk_plain.experimental_get_tracing_count() == 1
    assert compiled.step_fn.experimental_get_tracing_count() == 1  # the chunk's trace reused it
    assert compiled.chunks_run["eager"] == 1, "after one chunk op by op the run waits for the trace"

    again = list(trainer.run(10))  # the same set, traced now: whole chunks as one graph
    trainer.scheduled.leave()
    assert again[-1].epoch == 30 and compiled.chunks_run["plain"] >= 1


def test_later_turns_wait_while_another_learner_waits_for_a_build():
    """While a session builds its model for its first epoch, other sessions' later turns wait
    (at most BUILD_PAUSE_SECONDS): the build is Python that every turn would slow down. First
    turns are never held, and the later turns go on when the build is done."""
    from core.training import scheduler as sched

    scheduler = Scheduler(2)
    trained, first, builder = scheduler.join(), scheduler.join(), scheduler.join()
    with trained.turn() as turn:  # its first turn: it has trained
        turn.units, turn.units_left = 1, 5
    with builder.building():
        scheduler.request(trained)
        scheduler.request(first)
        assert not scheduler.try_start(trained)  # held: a worker is free, but a build is going on
        assert scheduler.try_start(first)  # a first turn is not held
        scheduler.end(first, Turn(units=1, units_left=3))
        assert not scheduler.try_start(trained)
    assert scheduler.try_start(trained)  # the build is over
    scheduler.end(trained, Turn(units=1, units_left=4))
    now = [0.0]
    timed = Scheduler(2, clock=lambda: now[0])
    trained, builder = timed.join(), timed.join()
    timed.request(trained)
    assert timed.try_start(trained)
    timed.end(trained, Turn(units=1, units_left=5))
    with builder.building():
        timed.request(trained)
        now[0] += sched.BUILD_PAUSE_SECONDS - 0.1
        assert not timed.try_start(trained)
        now[0] += 0.2  # a build that takes longer holds nobody for ever
        assert timed.try_start(trained)


def test_builds_outside_the_turns_take_places_in_order():
    """core.training.pool._Builds: at most `width` builds at once, first come first served."""
    from core.training.pool import _Builds

    builds, log, lock = _Builds(), [], threading.Lock()
    release = threading.Event()

    def build(name):
        with builds.place(2, poll=0.01):
            with lock:
                log.append(name)
            release.wait(10)

    threads = []
    for name in "abcd":
        threads.append(threading.Thread(target=build, args=(name,)))
        threads[-1].start()
        time.sleep(0.05)
    assert log == ["a", "b"]  # two places: c and d wait
    release.set()
    for thread in threads:
        thread.join(10)
    assert sorted(log[2:]) == ["c", "d"] and not any(t.is_alive() for t in threads)


def test_a_low_build_place_goes_behind_every_waiting_run_build():
    """A preparation ahead of Train (core.training.ahead) asks for a low place: runs whose
    learners pressed Train build first, even those that asked later."""
    from core.training.pool import _Builds

    builds, log, lock = _Builds(), [], threading.Lock()
    release = threading.Event()

    def build(name, low):
        with builds.place(1, poll=0.01, low=low):
            with lock:
                log.append(name)
            if name == "a":
                release.wait(10)

    threads = []
    for name, low in (("a", False), ("ahead", True), ("b", False), ("c", False)):
        threads.append(threading.Thread(target=build, args=(name, low)))
        threads[-1].start()
        time.sleep(0.05)
    assert log == ["a"]
    release.set()
    for thread in threads:
        thread.join(10)
    assert log == ["a", "b", "c", "ahead"] and not any(t.is_alive() for t in threads)


def test_a_low_build_waits_while_runs_wait_for_their_first_epochs():
    """The app defers low builds (preparations ahead, further sets of a kind in use) while
    sessions wait for their first turn or build their model (Scheduler.first_turns_waiting):
    even a free place is left to them."""
    from core.training.pool import _Builds

    scheduler = Scheduler(2)
    newcomer = scheduler.join()
    builds, started = _Builds(), threading.Event()
    builds.defer_low = scheduler.first_turns_waiting

    def low_build():
        with builds.place(2, poll=0.01, low=True):
            started.set()

    with newcomer.building():
        thread = threading.Thread(target=low_build)
        thread.start()
        assert not started.wait(0.3), "a low build started while a run built its model"
    assert started.wait(5)
    thread.join(5)


def test_low_builds_wait_for_a_quiet_moment_and_leave_a_place_to_the_runs():
    """A class presses Train over a second or two: a low build asked just before waits
    LOW_QUIET_S from its request (and from the last moment runs waited for their first epochs)
    before it starts, and with two places or more at most all but one are low, so that a
    learner's own build finds a place at once. A learner alone (not `crowded()`) waits for
    no quiet moment, nor does a further set of a kind in use
    (`quiet=False`: with one set, that kind's turns run one at a time)."""
    from core.training.pool import _Builds

    builds, log, lock = _Builds(), [], threading.Lock()
    builds.quiet_s = 0.4
    release = threading.Event()

    def build(name, low):
        with builds.place(2, poll=0.01, low=low):
            with lock:
                log.append((name, time.perf_counter()))
            release.wait(10)

    asked = time.perf_counter()
    first = threading.Thread(target=build, args=("low-1", True))
    first.start()
    time.sleep(0.1)
    assert log == [], "a low build started before a quiet moment"
    second = threading.Thread(target=build, args=("low-2", True))
    second.start()
    run = threading.Thread(target=build, args=("run", False))
    run.start()
    time.sleep(0.1)
    assert [name for name, _ in log] == ["run"]  # a run's build goes at once
    time.sleep(0.5)
    assert [name for name, _ in log] == ["run", "low-1"]  # two places: never both low
    assert log[1][1] - asked >= 0.4
    release.set()
    for thread in (first, second, run):
        thread.join(10)
    assert [name for name, _ in log] == ["run", "low-1", "low-2"]

    alone, started = _Builds(), threading.Event()
    alone.quiet_s, alone.crowded = 30.0, lambda: False

    def low_alone():
        with alone.place(2, poll=0.01, low=True):
            started.set()

    thread = threading.Thread(target=low_alone)
    thread.start()
    assert started.wait(2), "a low build waited for a quiet moment with nobody else on the server"
    thread.join(5)

    further, started = _Builds(), threading.Event()  # a further set of a kind in use
    further.quiet_s = 30.0

    def low_further():
        with further.place(2, poll=0.01, low=True, quiet=False):
            started.set()

    thread = threading.Thread(target=low_further)
    thread.start()
    assert started.wait(2), "a further set waited for a quiet moment"
    thread.join(5)


def test_a_run_waiting_for_its_architectures_preparation_takes_the_set_once_its_step_is_traced(monkeypatch):
    """A learner who presses Train while the page's preparation ahead (core.training.ahead) is
    still tracing waits for the step's trace only: the preparation hands the set over then, the
    run's first chunk goes op by op and the run traces the rest in the background. No further
    set is built for it, every function is traced once, and the numbers are a graph run's."""
    pytest.importorskip("tensorflow")
    from core.training import Trainer, prepare
    from core.training.compiled import _Compiled
    from core.training.pool import _BUILDS, _POOL

    monkeypatch.setattr(_BUILDS, "crowded", lambda: False)  # the learner alone on the server
    config = XOR.replace(hidden=(4, 7), seed=8, epochs=12)
    alone = Trainer(config, reuse=False)
    list(alone.run())

    trainer = Trainer(config, hold=False, use_xla=False)  # as prepared below
    signature = trainer._lease.signature
    step, stepped = _Compiled.trace_step, threading.Event()

    def trace_step(self):  # the preparation's step trace ends once the run waits for it
        deadline = time.monotonic() + 60
        while not _POOL.wanted(signature) and time.monotonic() < deadline:
            time.sleep(0.005)
        step(self)
        stepped.set()

    monkeypatch.setattr(_Compiled, "trace_step", trace_step)
    assert prepare(config, use_xla=False)
    deadline = time.monotonic() + 60
    while signature not in _POOL._preparing and time.monotonic() < deadline:
        time.sleep(0.001)  # until the preparation has claimed it
    trainer.scheduled = Scheduler(2).join()  # room for a second set: none may be built
    run = trainer.run()
    next(run)  # epoch 0 and the first chunk, in the first turn
    assert stepped.is_set() and trainer.history[-1].epoch >= 1
    assert signature not in _POOL._preparing and _POOL.sets(signature) == 1, "a second set for the same run"
    for _ in run:
        pass
    trainer.scheduled.leave()
    trainer._hold()
    compiled = trainer._compiled
    assert compiled.chunks_run["eager"] >= 1, "the run waited for the whole preparation"
    assert compiled.traced.wait(60) and not compiled.running_eagerly
    for fn in (compiled.step_fn, compiled.train_chunk_plain, compiled.evaluate_fn):
        assert fn.experimental_get_tracing_count() == 1
    assert trainer.status == "finished" and trainer.compile_seconds is None
    np.testing.assert_allclose(_history(trainer), _history(alone), rtol=1e-5, atol=1e-6)
    trainer.park()
