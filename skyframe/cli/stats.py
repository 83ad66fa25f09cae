"""``flask stats``: the site-wide counts an operator looks at."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from skyframe.cli.common import print_json, reports_domain_errors, when
from skyframe.extensions import db
from skyframe.jobs import current_jobs
from skyframe.models import utcnow
from skyframe.stats import site_stats


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError  # unreachable


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@with_appcontext
@reports_domain_errors
def stats(as_json: bool) -> None:
    """Site-wide counts: users, posts, storage by backend, jobs, the last 7 days."""
    now = utcnow()
    counts = site_stats(db.session, now, current_jobs())
    if as_json:
        print_json({"generated_at": when(now), **counts})
        return
    users, posts, jobs = counts["users"], counts["posts"], counts["jobs"]
    lines = [
        ("users", f"{users['total']} ({users['active']} active, {users['disabled']} disabled)"),
        ("sign-ups, last 7 days", users["signups_last_7_days"]),
        (
            "posts",
            f"{posts['total']} ({posts['ready']} ready, {posts['processing']} processing, "
            f"{posts['failed']} failed)",
        ),
        ("uploads, last 7 days", posts["uploads_last_7_days"]),
        ("likes", counts["likes"]),
        ("comments", counts["comments"]),
    ]
    lines += [
        (f"storage ({backend})", f"{_size(used['bytes'])} in {used['files']} file(s)")
        for backend, used in counts["storage"].items()
    ] or [("storage", "no stored files")]
    if jobs["error"]:
        lines.append((f"jobs ({jobs['backend']})", f"unknown: {jobs['error']}"))
    else:
        lines.append(
            (f"jobs ({jobs['backend']})", f"{jobs['queued']} queued, {jobs['failed']} failed")
        )
    for name, value in lines:
        click.echo(f"{name:<24}{value}")
