"""A real `streamlit run` server on loopback and a real Chromium (Debian's, via Playwright)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.screenshot import CHROMIUM, CHROMIUM_ARGS
from scripts.server import free_port, start_server, stop_server, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"


@contextmanager
def running_server(name: str = "server"):
    """A freshly started `streamlit run` process on loopback, with its `url`; its pid lets
    tests watch its CPU and memory."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_server(port, ARTIFACTS / f"{name}-{port}.log")
    try:
        wait_healthy(port)
        proc.url = f"http://127.0.0.1:{port}"
        yield proc
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def server():
    with running_server() as proc:
        yield proc


@pytest.fixture(scope="session")
def server_url(server):
    return server.url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()
