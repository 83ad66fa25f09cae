"""``flask worker``: the process that runs queued jobs (JOBS_BACKEND=rq)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool) -> None:
    """Process background jobs from Redis (JOBS_BACKEND=rq)."""
    from flask import current_app

    from skyframe.jobs import start_worker

    try:
        start_worker(current_app._get_current_object(), burst=burst)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
