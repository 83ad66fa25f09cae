"""A queued job that raises runs again later (RQ's retries): a database
restarting under an upload's job leaves the upload to be processed, not
stuck."""

from __future__ import annotations

import uuid

import pytest

from skyframe import jobs, tasks  # noqa: F401  (tasks registers the jobs)
from skyframe.mail import SEND_MAIL
from skyframe.web.uploads import PROCESS_POST
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")


@pytest.mark.parametrize(
    ("name", "args"), [(PROCESS_POST, (1,)), (SEND_MAIL, ("a@example.org", "Hi", "Body"))]
)
def test_every_queued_job_carries_its_retries(name, args):
    queue_name = f"skyframe-retries-{uuid.uuid4().hex[:8]}"
    queued = jobs.RQJobs(REDIS_URL, queue_name, timeout_seconds=60)
    try:
        queued.enqueue(name, *args)
        (job,) = queued.queue.jobs
        assert job.retries_left == len(jobs.RETRY_SECONDS)
        assert job.retry_intervals == list(jobs.RETRY_SECONDS)
    finally:
        queued.queue.empty()
        queued.queue.delete(delete_jobs=True)
