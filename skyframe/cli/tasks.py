"""``flask tasks …``: the background jobs and periodic tasks (skyframe/tasks.py)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from skyframe import tasks  # noqa: F401  (the registry)
from skyframe.cli.common import print_json, table, when
from skyframe.extensions import db
from skyframe.jobs import JOBS, RQJobs, current_jobs
from skyframe.models import utcnow
from skyframe.schedules import AT_START, PERIODIC, LastRun, rq_last_runs, run_task

tasks_cli = AppGroup("tasks", help="List and run background tasks.")


def _every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"every {seconds // size} {unit}"
    return f"every {seconds} s"


def _scheduler() -> str:
    """What starts the periodic tasks in this configuration."""
    if not current_app.config["TASKS_SCHEDULER"]:
        return "off (TASKS_SCHEDULER=0: run them with `flask tasks run NAME`)"
    if isinstance(current_jobs(), RQJobs):
        return "RQ's cron scheduler in `flask worker`"
    return "a thread of the serving process"


def _last_runs() -> tuple[dict[str, LastRun], str | None]:
    """Last runs this process can know of, and why none when it cannot."""
    jobs = current_jobs()
    if isinstance(jobs, RQJobs):
        from redis.exceptions import RedisError

        try:
            return rq_last_runs(jobs), None
        except RedisError as exc:
            return {}, f"Redis unreachable ({type(exc).__name__}: {exc})"
    scheduler = current_app.extensions.get("skyframe.scheduler")
    return (dict(scheduler.last_runs) if scheduler else {}), None


@tasks_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
def tasks_list(as_json: bool) -> None:
    """List every job and periodic task: its schedule and its last run (when
    RQ keeps it: the serving process's own thread is not visible from here)."""
    last_runs, error = _last_runs()
    rows = []
    for name in [*PERIODIC, *sorted(set(JOBS) - set(PERIODIC))]:
        task = PERIODIC.get(name)
        seconds = task.seconds(current_app.config) if task else None
        last = last_runs.get(name)
        rows.append(
            {
                "name": name,
                "periodic": task is not None,
                "at_start": name in AT_START,
                "every_seconds": seconds or None,
                "setting": task.setting if task else None,
                "description": task.description if task else _description(name),
                "last_run": {"at": when(last.at), "outcome": last.outcome} if last else None,
            }
        )
    if as_json:
        print_json(
            {
                "backend": current_jobs().name,
                "scheduler": _scheduler(),
                "tasks": rows,
                "count": len(rows),
                "error": error,
            }
        )
        return
    table(
        ["name", "schedule", "last run", "description"],
        (
            [
                r["name"],
                _schedule_text(r),
                f"{r['last_run']['at']} {r['last_run']['outcome']}" if r["last_run"] else "-",
                r["description"],
            ]
            for r in rows
        ),
    )
    click.echo(f"Periodic tasks run from: {_scheduler()}.")
    if error:
        click.echo(f"Last runs unknown: {error}")


def _schedule_text(row: dict) -> str:
    if row["at_start"]:
        return "at start (inline)"
    if not row["periodic"]:
        return "when queued"
    if not row["every_seconds"]:
        return f"off ({row['setting']}=0)"
    return _every(row["every_seconds"])


def _description(name: str) -> str:
    doc = (JOBS[name].__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


@tasks_cli.command("run")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
def tasks_run(name: str, as_json: bool) -> None:
    """Run a periodic task now, in this process, and wait for it.

    \b
      tasks run purge-seen
      tasks run sweep-uploads --json
    """
    names = ", ".join(PERIODIC)
    if name not in PERIODIC:
        if name in JOBS:
            raise click.ClickException(
                f"{name} runs when a request queues it, not by name; periodic tasks: {names}."
            )
        raise click.ClickException(f"No task {name!r}; periodic tasks: {names}.")
    started_at, started = utcnow(), time.perf_counter()
    try:
        line = run_task(name)
    except Exception as exc:
        db.session.rollback()
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        if as_json:
            _report(name, started_at, started, ok=False, result=message)
        raise click.ClickException(f"{name} failed: {message}") from exc
    if as_json:
        _report(name, started_at, started, ok=True, result=line)
        return
    click.echo(f"{name}: {line}")


def _report(name: str, started_at, started: float, *, ok: bool, result: str) -> None:
    print_json(
        {
            "task": name,
            "ok": ok,
            "result": result,
            "started_at": when(started_at),
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
