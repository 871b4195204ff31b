"""A brand-new `streamlit run` server per measurement, for bench.page_latency's "fresh" pass.

The lesson link must be the server's very first request, so readiness is not asked over HTTP
(no /_stcore/health): the server is ready when it prints its welcome line ("You can now view
your Streamlit app…"), which Streamlit prints once its server has started and accepts sessions.
Stopping ends the server and every process it started (its children, recursively).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psutil

from scripts.server import free_port, start_server

READY_LINE = "You can now view your Streamlit app"


def wait_announced(proc: subprocess.Popen, log: Path, timeout: float = 120) -> float:
    """Seconds until the server's log holds READY_LINE; raises if it exits or takes too long."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if READY_LINE in log.read_text(errors="replace"):
            return time.monotonic() - start
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}) before it was ready: {tail(log)}")
        time.sleep(0.05)
    raise RuntimeError(f"streamlit printed no welcome line in {timeout:.0f} s: {tail(log)}")


def tail(log: Path, lines: int = 5) -> str:
    return " | ".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop_tree(proc: subprocess.Popen, grace: float = 10) -> list[int]:
    """Terminate the server and all its descendants (SIGTERM, then SIGKILL after `grace` s).
    Returns the pids it ended, the server's first."""
    try:
        root = psutil.Process(proc.pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    for member in family:
        try:
            member.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=grace)
    for member in alive:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)
    proc.wait(grace)  # reap the server (no zombie left behind)
    return [member.pid for member in family]


@contextmanager
def fresh_server(name: str, cpu: str = "", timeout: float = 120):
    """A new server on its own free loopback port (under `taskset -c cpu` if given), ready but
    never asked anything yet. Yields (base URL, seconds to ready, process)."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"keras-lens-fresh-{name}-{port}.log"
    proc = start_server(port, log, env={"PYTHONUNBUFFERED": "1"},
                        prefix=["taskset", "-c", cpu] if cpu else None)
    try:
        ready_s = wait_announced(proc, log, timeout)
        yield f"http://127.0.0.1:{port}", ready_s, proc
    finally:
        stop_tree(proc)
