"""bench.classroom_crosscheck's parsing: one definition of "first trained epoch" and "done" for
the protocol client, Chromium's DOM and the server's clock lines (bench.server_clock)."""

import math

import pytest

from bench import server_clock
from bench.classroom_crosscheck import Result, run_times, summary, within
from core.i18n import t


def status(state: str, epoch: int, lang: str = "en") -> str:
    """A status line as ui.live_training writes it."""
    line = t("lab.status.line", lang, epoch=epoch, loss="0.5", val_loss="0.6", metric="accuracy",
             val_metric="0.900", speed="120")
    return f"{t(f'lab.status.{state}', lang)} · {line}"


def test_first_trained_epoch_and_done_are_counted_from_the_click():
    lang = "en"  # the benches open lang=en links: the epoch is read as "epoch N"
    statuses = [(1.0, status("finished", 300, lang)),  # an earlier run's line, before the click
                (10.0, t("lab.status.building", lang)),
                (10.4, status("running", 0, lang)),
                (10.9, status("running", 3, lang)),
                (11.5, status("finished", 300, lang))]
    first, done = run_times(statuses, clicked=10.0)
    assert first == pytest.approx(0.9) and done == pytest.approx(1.5)


def test_a_diverged_run_is_done_and_a_run_without_epochs_is_never():
    diverged = f"{t('lab.status.diverged', 'en')} · epoch 7 · training loss nan"
    assert run_times([(2.0, diverged)], clicked=1.0) == (pytest.approx(1.0), pytest.approx(1.0))
    never = [(2.0, t("lab.status.building", "en")), (2.5, status("running", 0))]
    assert run_times(never, clicked=1.0) == (None, None)


def test_server_clock_lines_are_read_per_session():
    lines = ["streamlit says hello\n",
             f"{server_clock.PREFIX} 100.000000 s1 status {t('lab.status.ready', 'en')}\n",
             f"{server_clock.PREFIX} 101.000000 s1 train \n",
             f"{server_clock.PREFIX} 101.010000 s2 train \n",
             f"{server_clock.PREFIX} 101.250000 s1 status {status('running', 1)}\n",
             f"{server_clock.PREFIX} 101.500000 s1 train \n",  # a second press: the first one counts
             f"{server_clock.PREFIX} 102.000000 s1 status {status('finished', 300)}\n"]
    sessions = server_clock.parse(lines)
    assert set(sessions) == {"s1", "s2"}
    train, statuses = sessions["s1"]
    assert train == 101.0 and statuses[1] == (101.25, status("running", 1))
    assert run_times(statuses, train) == (pytest.approx(0.25), pytest.approx(1.0))
    assert sessions["s2"] == (101.01, [])


def test_ratios_use_one_side_and_the_tolerance_is_twenty_percent():
    results = [Result(1, "protocol", "a", 1.0, 2.0, side="server"),
               Result(2, "chromium", "b", 1.1, 2.6, side="server"),
               Result(2, "chromium", 0, 9.0, 9.0)]  # a client-side row: not in the server's summary
    s = summary(results, "server")
    assert s["ratio_first"] == pytest.approx(1.1) and s["ratio_done"] == pytest.approx(1.3)
    assert within([s["ratio_first"]]) and not within([s["ratio_first"], s["ratio_done"]])
    assert within([0.8, 1.2]) and not within([0.79]) and not within([math.nan])
