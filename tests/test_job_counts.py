"""What operators see of the queues (/readyz, `flask stats`, /metrics)
counts the clips' queue as well as the main one."""

from __future__ import annotations

import uuid

import pytest

from skyframe import jobs, tasks  # noqa: F401  (tasks registers the jobs)
from skyframe.mail import SEND_MAIL
from skyframe.web.uploads import PROCESS_CLIP
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")


@pytest.fixture
def queued():
    name = f"skyframe-counts-{uuid.uuid4().hex[:8]}"
    queued = jobs.RQJobs(REDIS_URL, name, 60, long_queue_name=f"{name}-video")
    yield queued
    for queue in queued.queues:
        queue.empty()
        queue.delete(delete_jobs=True)


def test_waiting_jobs_of_both_queues_are_counted(queued):
    queued.enqueue(SEND_MAIL, "a@example.org", "Clear tonight", "Go out")
    queued.enqueue(PROCESS_CLIP, 1, 1)
    queued.enqueue(PROCESS_CLIP, 2, 1)

    per_queue = {counts.queue: counts.queued for counts in queued.counts_per_queue()}
    assert per_queue == {queued.queue.name: 1, queued.long_queue.name: 2}
    total = queued.counts()
    assert (total.queued, total.failed, total.error) == (3, 0, None)


def test_an_unreachable_redis_is_said_for_every_queue():
    unreachable = jobs.RQJobs("redis://127.0.0.1:1/0", "q", 60, long_queue_name="q-video")
    per_queue = unreachable.counts_per_queue(timeout_seconds=0.2)
    assert [counts.queue for counts in per_queue] == ["q", "q-video"]
    assert all(counts.error and counts.queued is None for counts in per_queue)
    assert unreachable.counts(timeout_seconds=0.2).queued is None
