"""ui.load_log: with KERAS_LENS_LOAD_LOG=1 a script run's CPU is counted and a totals line
logged (bench.classroom_load parses it); without it nothing is counted."""

import time

from bench.classroom_load import load_totals
from ui import load_log


def _spin(seconds: float) -> None:
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_a_script_run_counts_its_cpu_and_logs_a_line_the_bench_reads(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(load_log.LOAD_LOG_ENV, "1")
    runs, cpu = load_log._runs
    with load_log.script_run():
        _spin(0.03)
    assert load_log._runs[0] == runs + 1 and load_log._runs[1] - cpu >= 0.03
    log = tmp_path / "server.log"
    log.write_text(capsys.readouterr().err)
    totals = load_totals(log)
    assert totals["runs"] == runs + 1 and {"frame_cpu_s", "turn_cpu_s", "run_cpu_s", "frames", "turn_s"} <= set(totals)


def test_nothing_is_counted_or_logged_without_the_variable(monkeypatch, capsys):
    monkeypatch.delenv(load_log.LOAD_LOG_ENV, raising=False)
    before = list(load_log._runs)
    with load_log.script_run():
        _spin(0.01)
    assert load_log._runs == before and capsys.readouterr().err == ""
