"""bench.page_latency's machine-read lines: the fresh pass's two lines come first and the fixed
four last, in order; a pass not run gives nan, a page never done makes its pass infinite; the
title and frame lines cover every visit, the newcomer's included. bench.fresh_server's stop ends
a server's children too."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil

from bench.fresh_server import stop_tree
from bench.page_latency import Visit, summary_lines

LAST = ["cold_worst_done_s", "warm_worst_done_s", "worst_first_s", "frameless"]


def parsed(visits: list[Visit]) -> list[tuple[str, str]]:
    return [tuple(line.split("=", 1)) for line in summary_lines(visits)]


def test_the_last_four_lines_keep_their_names_and_order_after_the_fresh_lines():
    visits = [Visit("fresh", "lab", "ko", 1.25, 4.5, True),
              Visit("fresh", "skip", "ko", 0.75, None, False, "timeout"),
              Visit("cold", "lab", "en", 0.5, 2.0, True),
              Visit("warm", "lab", "en", 0.25, 1.5, True)]
    lines = parsed(visits)
    assert [key for key, _ in lines] == ["fresh_worst_done_s", "fresh_worst_first_s", *LAST]
    values = dict(lines)
    assert values["fresh_worst_done_s"] == "inf"  # skip never got there
    assert values["fresh_worst_first_s"] == "1.25"
    assert values["cold_worst_done_s"] == "2.00" and values["warm_worst_done_s"] == "1.50"
    assert values["worst_first_s"] == "1.25"  # the newcomer's title counts too
    assert values["frameless"] == "1"


def test_passes_not_run_print_nan_and_a_fresh_only_run_still_ends_with_the_four_lines():
    values = dict(parsed([Visit("fresh", "home", "ko", 0.8, 1.9, True)]))
    assert values["cold_worst_done_s"] == "nan" and values["warm_worst_done_s"] == "nan"
    assert values["fresh_worst_done_s"] == "1.90" and values["worst_first_s"] == "0.80"
    assert values["frameless"] == "0"
    assert [key for key, _ in parsed([Visit("cold", "home", "en", 0.8, 1.9, True)])][-4:] == LAST
    assert dict(parsed([Visit("cold", "home", "en", 0.8, 1.9, True)]))["fresh_worst_done_s"] == "nan"


def test_stop_tree_ends_the_server_and_the_processes_it_started():
    child = "import time; time.sleep(120)"
    parent = ("import subprocess, sys, time; "
              f"p = subprocess.Popen([sys.executable, '-c', {child!r}]); print(p.pid, flush=True); time.sleep(120)")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True)
    child_pid = int(proc.stdout.readline())
    assert psutil.pid_exists(child_pid)
    started = time.monotonic()
    ended = stop_tree(proc)
    assert ended == [proc.pid, child_pid]
    assert proc.returncode is not None
    assert not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == psutil.STATUS_ZOMBIE
    assert time.monotonic() - started < 5  # SIGTERM sufficed: no grace period waited out
