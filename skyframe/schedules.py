"""Periodic jobs without cron.

A periodic task is a job (skyframe.jobs) that also runs every N seconds, N
being a setting (0 turns it off). Who starts it depends on JOBS_BACKEND:

- ``inline`` (the embedded default): :class:`InProcessScheduler`, a daemon
  thread of the serving process, started by its first request (so CLI
  commands and the reloader's parent never run tasks);
- ``rq``: :class:`RQCron` in ``flask worker``, RQ's own ``CronScheduler``
  enqueueing due tasks on the app's queue for the workers. With several
  worker processes one of them enqueues (it holds a Redis lock; another
  takes over when it stops); the worker also runs RQ's scheduler, so jobs
  queued for later (``enqueue_in``) start on time.

An ``at_start`` task runs once when the in-process scheduler starts: the
clips a stopped process was transcoding are queued again then.

TASKS_SCHEDULER=0 turns both off (tests, or cron if an operator prefers
``flask tasks run NAME``).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app

from skyframe.jobs import JOBS, RQJobs, current_jobs, job, run
from skyframe.models import utcnow

log = logging.getLogger(__name__)

# The longest a scheduler waits before looking again (a task added or a
# clock changed shows within this).
MAX_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class Periodic:
    """A job run every ``config[setting]`` seconds (0: not on a schedule)."""

    name: str
    setting: str
    description: str

    def seconds(self, config: Any) -> int:
        return int(config[self.setting])


PERIODIC: dict[str, Periodic] = {}
# Jobs the in-process scheduler runs once when it starts in a serving
# process: what the process before it left half done (RQ's counterpart is
# skyframe.worker_recovery at `flask worker` start).
AT_START: list[str] = []


def periodic(name: str, *, every: str) -> Callable:
    """Register a function taking no arguments as a job that also runs every
    ``config[every]`` seconds; it returns one line saying what it did."""

    def register(func: Callable[[], str]) -> Callable[[], str]:
        job(name)(func)
        summary = (func.__doc__ or "").strip().split("\n\n")[0]
        PERIODIC[name] = Periodic(name, every, " ".join(summary.split()))
        return func

    return register


def at_start(name: str) -> Callable:
    """Register a function taking no arguments as a job that the in-process
    scheduler also runs once, first, when it starts."""

    def register(func: Callable[[], str]) -> Callable[[], str]:
        job(name)(func)
        AT_START.append(name)
        return func

    return register


@dataclass(frozen=True)
class LastRun:
    """When a task last ran (or was queued to run) and how it went."""

    at: datetime
    outcome: str


def run_task(name: str) -> str:
    """Run a periodic task now, in this process and app context; its line."""
    return str(JOBS[name]() or "done")


class InProcessScheduler:
    """Runs the app's due periodic tasks from a daemon thread, each in its own
    app context. ``clock`` and :meth:`run_due` let tests drive it."""

    def __init__(self, app: Flask, clock: Callable[[], datetime] = utcnow) -> None:
        self.app = app
        self.clock = clock
        self.intervals = {t.name: s for t in PERIODIC.values() if (s := t.seconds(app.config)) > 0}
        self.next_due: dict[str, datetime] = {}  # absent: due at once
        self.last_runs: dict[str, LastRun] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._starting = threading.Lock()

    def run_due(self, now: datetime | None = None) -> float:
        """Run every task due at ``now``; seconds until the next is due."""
        now = now or self.clock()
        for name, seconds in self.intervals.items():
            if self.next_due.get(name, now) <= now:
                self.last_runs[name] = self._run(name, now)
                self.next_due[name] = now + timedelta(seconds=seconds)
        waits = [(due - now).total_seconds() for due in self.next_due.values()]
        return max(0.0, min([*waits, MAX_WAIT_SECONDS]))

    def _run(self, name: str, now: datetime) -> LastRun:
        try:
            with self.app.app_context():
                line = run_task(name)
        except Exception as exc:
            log.exception("periodic task %s failed", name)
            return LastRun(now, f"failed: {type(exc).__name__}: {exc}")
        log.info("periodic task %s: %s", name, line)
        return LastRun(now, f"ok: {line}")

    def run_at_start(self) -> None:
        for name in AT_START:
            self.last_runs[name] = self._run(name, self.clock())

    def ensure_started(self) -> None:
        """Start the thread once per process (again in a forked child)."""
        if self._pid == os.getpid() or not (self.intervals or AT_START):
            return
        with self._starting:
            if self._pid == os.getpid():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="skyframe-tasks", daemon=True)
            self._thread.start()
            self._pid = os.getpid()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pid = None

    def _loop(self) -> None:
        self.run_at_start()
        while not self._stop.is_set():
            try:
                wait = self.run_due()
            except Exception:  # never let the thread die
                log.exception("the periodic task scheduler failed")
                wait = MAX_WAIT_SECONDS
            self._stop.wait(wait)


def init_schedules(app: Flask) -> None:
    """With inline jobs and TASKS_SCHEDULER on, the first request starts the
    in-process scheduler."""
    if app.config["JOBS_BACKEND"] != "inline" or not app.config["TASKS_SCHEDULER"]:
        return
    scheduler = InProcessScheduler(app)
    app.extensions["skyframe.scheduler"] = scheduler

    @app.before_request
    def start_periodic_tasks() -> None:
        scheduler.ensure_started()


def claim_slot(name: str, seconds: int, now: datetime) -> bool:
    """Whether this run of task ``name`` is the first in its slot (the
    ``seconds``-long stretch of time holding ``now``): a second run in the
    same slot (a cron line beside RQ's schedule, a worker restarted and
    enqueueing again) should do nothing. With RQ the claim is a Redis key
    per slot, set only if absent; the in-process scheduler is alone in its
    process, so every run there is the first. An unreachable Redis claims
    nothing (the task is skipped and runs in the next slot)."""
    jobs = current_jobs()
    if not isinstance(jobs, RQJobs) or seconds <= 0:
        return True
    slot = int(now.timestamp()) // seconds
    key = f"{current_app.config['CACHE_KEY_PREFIX']}:tasks:{jobs.queue.name}:{name}:slot:{slot}"
    try:
        return bool(jobs.connection.set(key, os.getpid(), nx=True, ex=seconds))
    except Exception:
        log.exception("claiming the slot of task %s failed", name)
        return False


def cron_job_name(queue: str, task: str) -> str:
    """RQ's name for a task's schedule (its history is rq:cron_job:NAME:jobs)."""
    return f"{queue}:{task}"


class RQCron:
    """RQ's CronScheduler for the app's periodic tasks, run by ``flask worker``
    in a thread. Only the process holding the queue's enqueuer lock enqueues."""

    LOCK_SECONDS = 180  # > MAX_WAIT_SECONDS: the holder renews it every tick
    STANDBY_SECONDS = 30.0  # how often another process looks for a free lock

    def __init__(self, app: Flask) -> None:
        from redis import Redis
        from rq.cron import CronScheduler

        jobs = app.extensions["skyframe.jobs"]
        if not isinstance(jobs, RQJobs):
            raise RuntimeError("JOBS_BACKEND is inline: jobs already run in the web process")
        self.queue_name = jobs.queue.name
        self.connection = Redis.from_url(jobs.redis_url)
        self.scheduler = CronScheduler(
            connection=self.connection,
            name=f"skyframe:{self.queue_name}:{os.getpid()}:{uuid.uuid4().hex[:6]}",
        )
        for task in PERIODIC.values():
            seconds = task.seconds(app.config)
            if seconds > 0:
                self.scheduler.register(
                    run,
                    self.queue_name,
                    args=(task.name,),
                    interval=seconds,
                    job_timeout=jobs.timeout_seconds,
                    name=cron_job_name(self.queue_name, task.name),
                )
        self.lock = self.connection.lock(
            f"{app.config['CACHE_KEY_PREFIX']}:tasks:{self.queue_name}:enqueuer",
            timeout=self.LOCK_SECONDS,
            thread_local=False,  # taken in the thread, released by stop()
        )
        self.holding = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> list[str]:
        """Enqueue the due tasks if this process is (or now becomes) the
        enqueuer; returns the names of the tasks enqueued."""
        from redis.exceptions import LockError

        if self.holding:
            try:
                self.lock.reacquire()
            except LockError:
                log.warning("lost the periodic task lock of queue %s", self.queue_name)
                self.holding = False
        if not self.holding:
            if not self.lock.acquire(blocking=False):
                return []
            self.holding = True
            self._resume_from_history()
            self.scheduler.register_birth()
        enqueued = self.scheduler.enqueue_jobs()
        if enqueued:
            self.scheduler.save()
        self.scheduler.heartbeat()
        return [cron.args[0] for cron in enqueued]

    def _resume_from_history(self) -> None:
        """Take over each schedule where the previous enqueuer left it, so a
        restart does not run every task again at once."""
        for cron in self.scheduler.get_jobs():
            latest = self.connection.zrange(cron.job_history_key, 0, 0, desc=True, withscores=True)
            if latest:
                cron.set_enqueue_time(datetime.fromtimestamp(latest[0][1], UTC))

    def wait_seconds(self) -> float:
        if not self.holding:
            return self.STANDBY_SECONDS
        return max(0.0, min(self.scheduler.calculate_sleep_interval(), MAX_WAIT_SECONDS))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="skyframe-cron", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.holding:
            self.scheduler.register_death()
            try:
                self.lock.release()
            except Exception:  # expired or taken over meanwhile
                log.debug("periodic task lock already gone")
            self.holding = False
        self.connection.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
                wait = self.wait_seconds()
            except Exception:  # Redis away: try again later, keep the worker
                log.exception("enqueueing periodic tasks failed")
                wait = self.STANDBY_SECONDS
            self._stop.wait(wait)


def rq_last_runs(jobs: RQJobs, timeout_seconds: float = 3.0) -> dict[str, LastRun]:
    """When each periodic task was last queued by RQ's cron scheduler, and
    how that job went while RQ still keeps it."""
    from redis import Redis
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    connection = Redis.from_url(
        jobs.redis_url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
    )
    found: dict[str, LastRun] = {}
    try:
        for name in PERIODIC:
            key = f"rq:cron_job:{cron_job_name(jobs.queue.name, name)}:jobs"
            latest = connection.zrange(key, 0, 0, desc=True, withscores=True)
            if not latest:
                continue
            job_id, score = latest[0]
            try:
                status = Job.fetch(job_id.decode(), connection=connection).get_status()
                outcome = str(getattr(status, "value", status))
            except NoSuchJobError:
                outcome = "queued (its result has expired)"
            found[name] = LastRun(datetime.fromtimestamp(score, UTC), outcome)
    finally:
        connection.close()
    return found
