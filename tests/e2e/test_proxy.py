"""More than one server: two real `streamlit run` replicas behind Debian's HAProxy on loopback,
configured from deploy/haproxy.cfg.in, and learners that speak Streamlit's websocket protocol
(bench.classroom_load) through the proxy. Every session must stay on one replica (the sticky
cookie, the X-Replica header on every response: page, websocket handshake, a later request),
the two replicas must share the class, and every run must finish."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.classroom_load import classroom
from deploy.render_haproxy import render
from scripts.server import free_port, start_server, stop_server, wait_healthy
from tests.e2e.conftest import ARTIFACTS

LEARNERS = 3        # r1, r2, r1: round robin for new visitors, then the cookie
EPOCHS = 5          # short runs: the test is about routing, not training speed
# A bound per learner and phase, not the expected time: on a quiet 2-core machine the file
# takes well under a minute (two replicas starting, TensorFlow imported once in each).
TIMEOUT_S = 90
COOKIE = "LENSSRV"  # the sticky cookie named in deploy/haproxy.cfg.in


def haproxy() -> str:
    path = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
    if path is None:  # never a silent skip: the deployment this checks would go untested
        pytest.fail("Debian's haproxy is missing: `make browser` installs it (apt-get install haproxy)")
    return path


def wait_proxy(url: str, replicas: int, timeout: float = 20) -> None:
    """Until the proxy answers and has sent new visitors to every replica at least once."""
    seen, deadline = set(), time.time() + timeout
    while time.time() < deadline and len(seen) < replicas:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                seen.add(response.headers.get("X-Replica"))
        except OSError:
            time.sleep(0.2)
    if len(seen) < replicas:
        raise RuntimeError(f"HAProxy at {url} reached only {seen}")


@pytest.fixture
def proxied_replicas():
    binary = haproxy()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ports = [free_port(), free_port()]
    env = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    servers = [start_server(port, ARTIFACTS / f"replica-{port}.log", env=env) for port in ports]
    proxy = None
    try:
        for port in ports:
            wait_healthy(port)
        proxy_port = free_port()
        config = ARTIFACTS / f"haproxy-{proxy_port}.cfg"
        config.write_text(render(f"127.0.0.1:{proxy_port}", [f"127.0.0.1:{port}" for port in ports]))
        log = open(ARTIFACTS / f"haproxy-{proxy_port}.log", "w")
        proxy = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{proxy_port}"
        wait_proxy(url, len(ports))
        yield url
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        for server in servers:
            stop_server(server)


def test_each_learner_stays_on_one_replica_and_every_run_finishes(proxied_replicas):
    # A thread of its own: after Playwright's sync API in this process, the main thread already
    # has an event loop running, where asyncio.run() is refused.
    with ThreadPoolExecutor(1) as pool:
        learners, _ = pool.submit(asyncio.run, classroom(proxied_replicas, LEARNERS, EPOCHS, TIMEOUT_S,
                                                         mix=False)).result()
    for learner in learners:
        assert not learner.errors, (learner.index, learner.errors)
        assert learner.finished_s is not None and learner.first_epoch_s is not None
        # The page load, the websocket handshake and a request after the run: one replica.
        assert len(learner.replicas) >= 3, learner.replicas
        assert len(set(learner.replicas)) == 1, (learner.index, learner.replicas)
        assert learner.session.cookies.get(COOKIE) == learner.replicas[0]
    assert {learner.replicas[0] for learner in learners} == {"r1", "r2"}  # both replicas served
