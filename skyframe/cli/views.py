"""``flask views …``: view counts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skyframe.extensions import db
from skyframe.services import view_buffer
from skyframe.viewcounts import flush as view_flush

views_cli = AppGroup("views", help="View counts.")


@views_cli.command("flush")
def views_flush() -> None:
    """Add the buffered view counts to the database now (the periodic job
    does it every VIEW_FLUSH_SECONDS)."""
    click.echo(view_flush.flush(db.session, view_buffer()).line())
