"""Background jobs behind one interface.

``inline`` runs a job at once, in the request (the embedded default);
``rq`` puts it on a Redis queue for ``flask worker`` processes. Jobs are
registered by name and receive plain arguments (ids), never objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[..., Any]] = {}
# The app a worker process runs jobs in (set by `flask worker`).
_worker_app: Flask | None = None


def job(name: str) -> Callable:
    """Register a function as a job; it runs inside an app context."""

    def register(func: Callable) -> Callable:
        JOBS[name] = func
        return func

    return register


@dataclass(frozen=True)
class JobCounts:
    """What an operator sees of the queue: ``queued`` and ``failed`` are None
    (and ``error`` says why) when the queue could not be read."""

    backend: str
    queued: int | None
    failed: int | None
    queue: str | None = None
    error: str | None = None


class InlineJobs:
    name = "inline"

    def enqueue(self, name: str, *args: Any) -> None:
        JOBS[name](*args)

    def counts(self) -> JobCounts:
        return JobCounts(self.name, queued=0, failed=0)  # jobs run at once: nothing waits


class RQJobs:
    name = "rq"

    def __init__(self, redis_url: str, queue_name: str, timeout_seconds: int) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)
        self.timeout_seconds = timeout_seconds
        self.redis_url = redis_url

    def counts(self, timeout_seconds: float = 3.0) -> JobCounts:
        """Jobs waiting in the queue and in its failed registry; when Redis
        cannot be reached (within ``timeout_seconds``), None and the reason."""
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        connection = Redis.from_url(
            self.redis_url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
        )
        queue = Queue(self.queue.name, connection=connection)
        try:
            return JobCounts(
                self.name,
                queued=queue.count,
                failed=queue.failed_job_registry.count,
                queue=queue.name,
            )
        except RedisError as exc:
            return JobCounts(
                self.name,
                queued=None,
                failed=None,
                queue=queue.name,
                error=f"Redis unreachable ({type(exc).__name__}: {exc})",
            )
        finally:
            connection.close()

    def enqueue(self, name: str, *args: Any) -> None:
        if name not in JOBS:
            raise KeyError(f"unknown job {name!r}")
        self.queue.enqueue(run, name, *args, job_timeout=self.timeout_seconds)


def run(name: str, *args: Any) -> Any:
    """What an RQ worker executes: the named job inside the worker's app."""
    global _worker_app
    if _worker_app is None:
        from skyframe import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        from skyframe.extensions import db

        # RQ forks a child per job: drop (without closing) any connections
        # inherited from the parent, so two processes never share one.
        db.engine.dispose(close=False)
        return JOBS[name](*args)


def jobs_from_config(config: dict[str, Any]) -> InlineJobs | RQJobs:
    backend = config["JOBS_BACKEND"]
    if backend == "inline":
        return InlineJobs()
    if backend == "rq":
        return RQJobs(config["RQ_REDIS_URL"], config["RQ_QUEUE"], config["RQ_JOB_TIMEOUT"])
    raise ValueError(f"unknown JOBS_BACKEND {backend!r}; choose inline or rq")


def current_jobs() -> InlineJobs | RQJobs:
    return current_app.extensions["skyframe.jobs"]


def start_worker(app: Flask, *, burst: bool = False) -> None:
    """Work the app's queue until stopped (or until it is empty, with ``burst``)."""
    from rq import Worker

    global _worker_app
    _worker_app = app
    jobs = app.extensions["skyframe.jobs"]
    if not isinstance(jobs, RQJobs):
        raise RuntimeError("JOBS_BACKEND is inline: jobs already run in the web process")
    Worker([jobs.queue], connection=jobs.connection).work(burst=burst, with_scheduler=False)
