"""``flask posts …``: maintenance of posts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.posts import lifecycle as post_lifecycle
from skyframe.services import current_storage

posts_cli = AppGroup("posts", help="Maintain posts.")


@posts_cli.command("sweep")
@click.option("--older-than-minutes", type=click.IntRange(min=1), default=30, show_default=True)
def posts_sweep(older_than_minutes: int) -> None:
    """Fail uploads stuck in processing (e.g. a worker died) and remove their files."""
    from datetime import timedelta

    count = post_lifecycle.fail_stale_uploads(
        db.session,
        current_storage(),
        older_than=timedelta(minutes=older_than_minutes),
        now=utcnow(),
    )
    click.echo(f"{count} stale upload(s) marked failed.")
