"""The shipped results of every page but overfitting, recomputed from the code and compared
(see test_shipped_results.py)."""

import pytest

from core import result_files
from tests.unit.test_shipped_results import ALL_JOBS, assert_same

JOBS = [job for job in ALL_JOBS if job.page != "overfitting"]


@pytest.mark.slow
@pytest.mark.parametrize("job", JOBS, ids=[f"{job.page}-{i}" for i, job in enumerate(JOBS)])
def test_a_shipped_result_is_what_the_code_computes(job):
    shipped = result_files.load(job.file_name, [result_files.SHIPPED])
    assert shipped is not result_files.MISSING, (
        f"{job.file_name} is not in data/results/: run `python -m scripts.precompute {job.page}`")
    assert_same(shipped, job.compute())
