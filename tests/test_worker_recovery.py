"""A job whose worker died is retried when a worker starts, not after
RQ's maintenance interval; a job of a live worker is left to it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from skyframe import jobs, tasks  # noqa: F401  (tasks registers the jobs)
from skyframe.mail import SEND_MAIL
from skyframe.worker_recovery import requeue_abandoned, worker_is_gone
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs SKYFRAME_TEST_REDIS_URL (CI sets it)")


@pytest.fixture
def queued():
    queued = jobs.RQJobs(REDIS_URL, f"skyframe-recovery-{uuid.uuid4().hex[:8]}", 60)
    yield queued
    queued.queue.empty()
    queued.queue.delete(delete_jobs=True)


def _dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def _start_under_worker(queued, pid: int):
    """A job taken by a registered worker whose process is ``pid``, as RQ
    records it when the worker starts the job."""
    from rq import Worker
    from rq.executions import Execution

    queued.enqueue(SEND_MAIL, "a@example.org", "Clear tonight", "Go out")
    (job,) = queued.queue.jobs
    worker = Worker([queued.queue], connection=queued.connection, name=uuid.uuid4().hex)
    worker.register_birth()
    queued.connection.hset(worker.key, "pid", pid)
    queued.queue.remove(job)
    with queued.connection.pipeline() as pipeline:
        Execution.create(job, ttl=600, pipeline=pipeline, worker_name=worker.name)
        pipeline.execute()
    return job, worker


def test_a_dead_workers_job_goes_to_its_retries(queued):
    job, worker = _start_under_worker(queued, _dead_pid())
    assert queued.queue.started_job_registry.get_job_ids(cleanup=False) == [job.id]

    assert requeue_abandoned(queued.queues, queued.connection) == 1

    assert queued.queue.started_job_registry.get_job_ids(cleanup=False) == []
    job.refresh()
    assert job.retries_left == len(jobs.RETRY_SECONDS) - 1
    # The first retry waits its interval in the scheduled registry.
    assert job.id in queued.queue.scheduled_job_registry.get_job_ids()
    worker.register_death()


def test_a_live_workers_job_is_left_running(queued):
    job, worker = _start_under_worker(queued, os.getpid())
    assert requeue_abandoned(queued.queues, queued.connection) == 0
    assert queued.queue.started_job_registry.get_job_ids(cleanup=False) == [job.id]
    worker.register_death()


def test_a_worker_whose_registration_expired_is_gone(queued):
    assert worker_is_gone(queued.connection, f"never-registered-{uuid.uuid4().hex}")


def test_another_machines_worker_is_judged_by_its_registration(queued):
    _, worker = _start_under_worker(queued, _dead_pid())
    assert not worker_is_gone(queued.connection, worker.name, hostname="another-host")
    worker.register_death()
