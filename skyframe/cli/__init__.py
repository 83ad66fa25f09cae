"""Admin commands, one module per area: ``flask users|motd|stats|posts|feed|
tasks|audit|reports|tickets|views|backup|hosting|seed-demo|worker …``, and
scripts/skyframe_admin.py."""

from __future__ import annotations

from flask import Flask

from skyframe.cli.audit import audit_cli
from skyframe.cli.backup import backup_cli
from skyframe.cli.demo import seed_demo
from skyframe.cli.feed import feed_cli
from skyframe.cli.hosting import hosting_cli
from skyframe.cli.motd import motd_cli
from skyframe.cli.posts import posts_cli
from skyframe.cli.reports import reports_cli
from skyframe.cli.stats import stats
from skyframe.cli.tasks import tasks_cli
from skyframe.cli.tickets import tickets_cli
from skyframe.cli.users import users_cli
from skyframe.cli.views import views_cli
from skyframe.cli.worker import worker


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(motd_cli)
    app.cli.add_command(stats)
    app.cli.add_command(worker)
    app.cli.add_command(posts_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(feed_cli)
    app.cli.add_command(tasks_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(tickets_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(views_cli)
    app.cli.add_command(hosting_cli)
