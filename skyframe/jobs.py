"""Background jobs behind one interface.

``inline`` runs a job at once, in the request (the embedded default);
``rq`` puts it on a Redis queue for ``flask worker`` processes. Jobs are
registered by name and receive plain arguments (ids), never objects.

RQ runs each job in a forked work-horse; ``flask worker`` caps the horse's
address space (RLIMIT_AS) at its size when forked plus
``WORKER_MEMORY_LIMIT_MB``, so a decode that outgrows it fails that job (a
MemoryError, or the horse is killed) and never the worker or the web server.
A job may register ``on_killed``: the worker calls it with the job's
arguments when the horse dies, so the job's subject is not left half done.

Long jobs (clip transcodes) are registered with ``long=True``. With rq they
go to their own queue (VIDEO_QUEUE) with their own timeout
(VIDEO_JOB_TIMEOUT), so a run of clips never holds up the e-mails and
renditions behind them; ``flask worker`` serves both queues, or one
(``--queue``). Inline, they never run in the request: one background thread
of the serving process works them in turn from a bounded queue
(VIDEO_INLINE_QUEUE_SIZE; QueueFull beyond, which the upload answers 503).
"""

from __future__ import annotations

import logging
import queue
import resource
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from skyframe.extensions import db
from skyframe.worker_recovery import requeue_abandoned

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[..., Any]] = {}
KILLED: dict[str, Callable[..., Any]] = {}
LONG: set[str] = set()  # jobs for the long-jobs queue
# The app a worker process runs jobs in (set by `flask worker`).
_worker_app: Flask | None = None


def job(name: str, *, on_killed: Callable[..., Any] | None = None, long: bool = False) -> Callable:
    """Register a function as a job; it runs inside an app context.
    ``on_killed`` runs (in the worker, in an app context) with the same
    arguments if the process running the job dies. ``long`` jobs go to the
    long-jobs queue (see the module's notes)."""

    def register(func: Callable) -> Callable:
        JOBS[name] = func
        if on_killed is not None:
            KILLED[name] = on_killed
        if long:
            LONG.add(name)
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


# When a job that raised runs again (RQ's scheduler, in every `flask worker`).
RETRY_SECONDS = (10, 60, 300)


class QueueFull(RuntimeError):
    """The background thread's queue of long jobs is full."""


class BackgroundThread:
    """One daemon thread running long jobs in turn, each in an app context,
    from a queue of at most ``size`` waiting jobs."""

    def __init__(self, size: int) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, app: Flask, name: str, args: tuple) -> None:
        try:
            self.queue.put_nowait((app, name, args))
        except queue.Full:
            raise QueueFull("Too many clips are waiting to be processed; try again soon.") from None
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="skyframe-long-jobs", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while True:
            app, name, args = self.queue.get()
            try:
                with app.app_context():
                    try:
                        JOBS[name](*args)
                    finally:
                        db.session.remove()
            except Exception:
                log.exception("background job %s%r failed", name, args)
            finally:
                self.queue.task_done()

    def wait(self) -> None:
        """Until every queued job has run (tests, `flask` commands)."""
        self.queue.join()

    @property
    def waiting(self) -> int:
        return self.queue.qsize()


class InlineJobs:
    name = "inline"

    def __init__(self, long_queue_size: int = 8) -> None:
        self.background = BackgroundThread(long_queue_size)

    def enqueue(self, name: str, *args: Any) -> None:
        if name in LONG:
            self.background.put(current_app._get_current_object(), name, args)
            return
        JOBS[name](*args)

    def wait(self) -> None:
        self.background.wait()

    def counts(self) -> JobCounts:
        # Short jobs run at once; long ones wait for the background thread.
        return JobCounts(self.name, queued=self.background.waiting, failed=0)

    def counts_per_queue(self) -> list[JobCounts]:
        return [self.counts()]


class RQJobs:
    name = "rq"

    def __init__(
        self,
        redis_url: str,
        queue_name: str,
        timeout_seconds: int,
        long_queue_name: str | None = None,
        long_timeout_seconds: int | None = None,
    ) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)
        self.long_queue = Queue(long_queue_name or queue_name, connection=self.connection)
        self.timeout_seconds = timeout_seconds
        self.long_timeout_seconds = long_timeout_seconds or timeout_seconds
        self.redis_url = redis_url

    @property
    def queues(self) -> list:
        """The queues a worker serves, short jobs first."""
        if self.long_queue.name == self.queue.name:
            return [self.queue]
        return [self.queue, self.long_queue]

    def counts(self, timeout_seconds: float = 3.0) -> JobCounts:
        """Jobs waiting and failed over every queue (short and long jobs);
        when Redis cannot be reached (within ``timeout_seconds``), None and
        the reason."""
        per_queue = self.counts_per_queue(timeout_seconds)
        failing = next((counts for counts in per_queue if counts.error), None)
        if failing is not None:
            return JobCounts(
                self.name, queued=None, failed=None, queue=failing.queue, error=failing.error
            )
        return JobCounts(
            self.name,
            queued=sum(counts.queued or 0 for counts in per_queue),
            failed=sum(counts.failed or 0 for counts in per_queue),
            queue=self.queue.name,
        )

    def counts_per_queue(self, timeout_seconds: float = 3.0) -> list[JobCounts]:
        """Each queue's waiting and failed jobs (the main queue first)."""
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        connection = Redis.from_url(
            self.redis_url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
        )
        found, error = [], None
        try:
            for served in self.queues:
                queue = Queue(served.name, connection=connection)
                if error is None:  # one unreachable Redis is not waited for twice
                    try:
                        found.append(
                            JobCounts(
                                self.name,
                                queued=queue.count,
                                failed=queue.failed_job_registry.count,
                                queue=queue.name,
                            )
                        )
                        continue
                    except RedisError as exc:
                        error = f"Redis unreachable ({type(exc).__name__}: {exc})"
                found.append(JobCounts(self.name, None, None, queue=queue.name, error=error))
        finally:
            connection.close()
        return found

    def enqueue(self, name: str, *args: Any) -> None:
        from rq import Retry

        if name not in JOBS:
            raise KeyError(f"unknown job {name!r}")
        queue, timeout = (
            (self.long_queue, self.long_timeout_seconds)
            if name in LONG
            else (self.queue, self.timeout_seconds)
        )
        # A job that raised (the database restarting under it, say) runs
        # again later; every job starts by checking what is left to do, so
        # running one twice is harmless.
        queue.enqueue(
            run,
            name,
            *args,
            job_timeout=timeout,
            retry=Retry(max=len(RETRY_SECONDS), interval=list(RETRY_SECONDS)),
        )


def run(name: str, *args: Any) -> Any:
    """What an RQ worker executes: the named job inside the worker's app
    (``flask worker`` binds it before RQ forks a child per job)."""
    if _worker_app is None:
        raise RuntimeError("SkyFrame jobs run in `flask worker`, which binds the app to them")
    with _worker_app.app_context():
        # RQ forks a child per job: drop (without closing) any connections
        # inherited from the parent, so two processes never share one.
        db.engine.dispose(close=False)
        return JOBS[name](*args)


def jobs_from_config(config: dict[str, Any]) -> InlineJobs | RQJobs:
    backend = config["JOBS_BACKEND"]
    if backend == "inline":
        return InlineJobs(config.get("VIDEO_INLINE_QUEUE_SIZE", 8))
    if backend == "rq":
        return RQJobs(
            config["RQ_REDIS_URL"],
            config["RQ_QUEUE"],
            config["RQ_JOB_TIMEOUT"],
            config.get("VIDEO_QUEUE"),
            config.get("VIDEO_JOB_TIMEOUT"),
        )
    raise ValueError(f"unknown JOBS_BACKEND {backend!r}; choose inline or rq")


def current_jobs() -> InlineJobs | RQJobs:
    return current_app.extensions["skyframe.jobs"]


def address_space_bytes() -> int:
    """This process's virtual size (VmSize)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def limit_address_space(extra_bytes: int) -> int:
    """Cap this process's address space at its current size plus
    ``extra_bytes`` (RLIMIT_AS); returns the limit set. Allocations beyond it
    fail (MemoryError in Python, an error or abort in C libraries)."""
    limit = address_space_bytes() + extra_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def horse_killed(job: Any, retpid: int, ret_val: int, rusage: Any) -> None:
    """RQ's hook in the worker when a job's work-horse died: the job's
    ``on_killed`` handler, if it has one."""
    args = list(job.args or ())
    name = args[0] if args else None
    handler = KILLED.get(name) if isinstance(name, str) else None
    log.warning("job %s (%s) died: waitpid returned %s", job.id, name, ret_val)
    if handler is None or _worker_app is None:
        return
    try:
        with _worker_app.app_context():
            handler(*args[1:])
    except Exception:
        log.exception("handling the death of job %s failed", job.id)


def worker_class(memory_limit_bytes: int) -> type:
    """An RQ Worker whose work-horses get the memory limit before each job."""
    from rq import Worker

    class LimitedWorker(Worker):
        def main_work_horse(self, job, queue):
            if memory_limit_bytes > 0:
                limit_address_space(memory_limit_bytes)
            super().main_work_horse(job, queue)

    return LimitedWorker


def start_worker(
    app: Flask, *, burst: bool = False, with_scheduler: bool = True, only: str | None = None
) -> None:
    """Work the app's queues until stopped (or until they are empty, with
    ``burst``); ``with_scheduler`` runs RQ's scheduler too, which moves jobs
    queued for later (``enqueue_in``/``enqueue_at``) onto the queue when due.
    ``only`` names one queue to serve (e.g. VIDEO_QUEUE for a worker of
    clips alone)."""
    global _worker_app
    _worker_app = app
    jobs = app.extensions["skyframe.jobs"]
    if not isinstance(jobs, RQJobs):
        raise RuntimeError("JOBS_BACKEND is inline: jobs already run in the web process")
    limit = app.config.get("WORKER_MEMORY_LIMIT_MB", 0) * 1024 * 1024
    queues = jobs.queues
    if only is not None:
        queues = [q for q in queues if q.name == only]
        if not queues:
            names = ", ".join(q.name for q in jobs.queues)
            raise RuntimeError(f"no queue {only!r}; this app's queues are {names}")
    requeue_abandoned(queues, jobs.connection)
    worker = worker_class(limit)(
        queues,
        connection=jobs.connection,
        work_horse_killed_handler=horse_killed,
        maintenance_interval=app.config["WORKER_MAINTENANCE_SECONDS"],
    )
    worker.work(burst=burst, with_scheduler=with_scheduler)
