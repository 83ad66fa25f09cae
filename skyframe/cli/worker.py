"""``flask worker``: the process that runs queued jobs (JOBS_BACKEND=rq)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from skyframe import tasks  # noqa: F401  (every job the queue may hold)
from skyframe.jobs import start_worker
from skyframe.schedules import RQCron


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option(
    "--scheduler/--no-scheduler",
    default=None,
    help="Run RQ's schedulers: jobs queued for later, and the periodic tasks (one worker "
    "queues them, the others stand by; not with --burst). Default: TASKS_SCHEDULER.",
)
@click.option(
    "--queue",
    "only",
    default=None,
    help="Serve this queue alone (e.g. VIDEO_QUEUE, for a worker of clip transcodes). "
    "Default: every queue, short jobs first.",
)
@with_appcontext
def worker(burst: bool, scheduler: bool | None, only: str | None) -> None:
    """Process background jobs from Redis (JOBS_BACKEND=rq)."""
    from flask import current_app

    app = current_app._get_current_object()
    if scheduler is None:
        scheduler = bool(app.config["TASKS_SCHEDULER"])
    cron = None
    try:
        if scheduler and not burst:
            cron = RQCron(app)
            cron.start()
        start_worker(app, burst=burst, with_scheduler=scheduler, only=only)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        if cron is not None:
            cron.stop()
