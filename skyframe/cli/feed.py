"""``flask feed …``: maintenance of the feed."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skyframe.extensions import db
from skyframe.feed import seen
from skyframe.models import utcnow
from skyframe.services import feed_settings

feed_cli = AppGroup("feed", help="Maintain the feed.")


@feed_cli.command("purge-seen")
def feed_purge_seen() -> None:
    """Delete seen-history rows older than FEED_SEEN_RETENTION_DAYS (for cron)."""
    count = seen.purge_expired(db.session, feed_settings(), utcnow())
    db.session.commit()
    click.echo(f"{count} expired seen row(s) deleted.")
