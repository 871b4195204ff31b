"""The shipped results of every page but overfitting, recomputed from the code and compared
(see test_shipped_results.py)."""

import pytest

from tests.unit.test_shipped_results import ALL_JOBS, assert_shipped_is_fresh

JOBS = [job for job in ALL_JOBS if job.page != "overfitting"]


@pytest.mark.slow
@pytest.mark.parametrize("job", JOBS, ids=[f"{job.page}-{i}" for i, job in enumerate(JOBS)])
def test_a_shipped_result_is_what_the_code_computes(job):
    assert_shipped_is_fresh(job)
