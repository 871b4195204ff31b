"""A page's default view reads what it shows from files shipped with the app (ui.stored,
ui.shared with `persist`), so a lesson link opened as a fresh server's first request does not
wait for TensorFlow's import. Here: every ui.stored call a default view makes is shipped, each
shipped file is what the code computes today, no file is stale, and a default view run in a
fresh process never imports TensorFlow."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from core import result_files
from scripts import precompute
from tests.app.conftest import ROOT, assert_clean, run_page, tables
from tests.unit.test_shipped_results import ALL_JOBS, assert_same

# Pages whose default view must not import TensorFlow (the Lab starts the import on purpose).
WITHOUT_TENSORFLOW = ("home", "activations", "losses", "optimizers", "structure", "compile", "overfitting", "skip",
                      "deep", "tokens", "embeddings", "next-token", "prompting", "vector-search")


@pytest.fixture(scope="module")
def recorded():
    return {page: precompute.stored_jobs(page) for page in precompute.STORED_PAGES}


@pytest.mark.parametrize("page", precompute.STORED_PAGES)
def test_every_call_of_a_default_view_is_shipped_and_what_the_code_computes(recorded, page):
    jobs = recorded[page]
    assert jobs, f"{page} made no ui.stored call"
    for job in jobs:
        shipped = result_files.load(job.file_name, [result_files.SHIPPED])
        assert shipped is not result_files.MISSING, (
            f"{job.key} is not shipped: run `python -m scripts.precompute {page}`")
        assert_same(shipped, job.compute(), f"{job.key}")


def test_every_shipped_file_belongs_to_a_page_default(recorded):
    """No stale file lingers: each one is the default of a page as the code stands."""
    names = {job.file_name for job in ALL_JOBS} | {job.file_name for jobs in recorded.values() for job in jobs}
    stale = {path.name for path in result_files.SHIPPED.glob("*.pkl.gz")} - names
    assert not stale, f"stale files in data/results/: {sorted(stale)}"


def test_recompute_live_computes_each_stored_call_again_and_shows_the_same_numbers(monkeypatch):
    """The default view says its numbers were shipped; the button computes every one of them on
    this server (TensorFlow, not the files), and the tables show the same numbers."""
    from ui import stored

    computed = []
    read_or_compute = stored._read_or_compute

    def spy(call, live):
        value, from_file = read_or_compute(call, live)
        computed.append((call.key, from_file))
        return value, from_file

    monkeypatch.setattr(stored, "_read_or_compute", spy)
    at = run_page("pages/losses.py", "en")
    assert_clean(at)
    assert any("shipped with the app" in c.value for c in at.caption)
    before, clicked = [df.to_dict() for df in tables(at)], len(computed)
    at.button(key="losses_recompute_live").click().run()
    assert_clean(at)
    assert any("Computed live" in c.value for c in at.caption)
    live = computed[clicked:]
    assert len(live) >= 8 and not any(from_file for _, from_file in live)  # the page's eight computations
    assert [df.to_dict() for df in tables(at)] == before


PROBE = textwrap.dedent("""
    import sys
    from streamlit.testing.v1 import AppTest
    from ui import warmup
    warmup.start = warmup.start_soon = lambda *a, **k: None  # no background import here
    for lang in ("en", "ko"):
        at = AppTest.from_file(f"pages/{sys.argv[1]}.py", default_timeout=120)
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception, at.exception[0].value
    print("tensorflow" in sys.modules or "keras" in sys.modules)
""")


@pytest.mark.parametrize("page", WITHOUT_TENSORFLOW)
def test_a_default_view_on_a_fresh_server_does_not_import_tensorflow(page):
    result = subprocess.run([sys.executable, "-c", PROBE, page], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] == "False", f"{page}'s default view imported TensorFlow"
