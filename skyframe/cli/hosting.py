"""``flask hosting …``: the auto-host job (skyframe.live.hosting.job)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from skyframe.cli.common import print_json, reports_domain_errors
from skyframe.extensions import db
from skyframe.live.hosting import job
from skyframe.live.hosting.rules import HostingSettings
from skyframe.models import utcnow

hosting_cli = AppGroup("hosting", help="Channel hosting.")


@hosting_cli.command("run")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@reports_domain_errors
def hosting_run(as_json: bool) -> None:
    """Run the auto-host job now (the periodic task host-channels runs it
    every HOSTING_INTERVAL_SECONDS), for cron if an operator prefers it."""
    result = job.run(db.session, utcnow(), HostingSettings.from_config(current_app.config))
    db.session.commit()
    if as_json:
        print_json(
            {
                "requalified": result.requalified,
                "unhosted": result.unhosted,
                "disqualified": result.disqualified,
                "hosted": result.hosted,
            }
        )
        return
    click.echo(result.line())
