"""``flask reports …``: the moderation queue from the command line (as the
operator: skyframe.policy.OPERATOR)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from skyframe.cli.common import (
    gather,
    json_when,
    print_json,
    reports_domain_errors,
    table,
    when,
)
from skyframe.extensions import db
from skyframe.moderation import report_queue
from skyframe.moderation.report_queue import QueueGroup
from skyframe.policy import OPERATOR

reports_cli = AppGroup("reports", help="The moderation queue: reports grouped by target.")

PAGE = 50


def _target(group: QueueGroup) -> str:
    target = group.target
    if not target.exists:
        return f"{target.type} {target.id} (gone)"
    owner = f"@{target.owner.handle}" if target.owner is not None else "?"
    if target.type == "post":
        return f"post {target.id} {target.title!r} by {owner}"
    if target.type == "comment":
        return f"comment {target.id} by {owner}: {target.excerpt}"
    return f"user {target.id} {owner}"


def _as_json(group: QueueGroup) -> dict:
    report, target = group.report, group.target
    return {
        "id": report.id,
        "target_type": report.target_type,
        "target_id": report.target_id,
        "reason": report.reason,
        "details": report.details,
        "status": report.status,
        "reporter": report.reporter.handle if report.reporter is not None else None,
        "created_at": json_when(report.created_at),
        "resolved_at": json_when(report.resolved_at),
        "decision": report.decision,
        "note": report.note,
        "count": group.count,
        "reasons": group.reasons,
        "target": {
            "exists": target.exists,
            "owner": target.owner.handle if target.owner is not None else None,
            "title": target.title,
            "excerpt": target.excerpt,
            "post_id": target.post_id,
        },
    }


@reports_cli.command("list")
@click.option(
    "--status",
    type=click.Choice(["open", "resolved"]),
    default="open",
    show_default=True,
    help="Open reports oldest first, or resolved ones newest first.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most N groups."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@reports_domain_errors
def reports_list(status: str, limit: int, as_json: bool) -> None:
    """List reports grouped by target, with how many each target has."""
    groups: list[QueueGroup] = gather(
        lambda cursor, n: report_queue.queue(
            db.session,
            OPERATOR,
            secret=current_app.config["SECRET_KEY"],
            status=status,
            cursor=cursor,
            limit=n,
        ),
        limit,
        PAGE,
    )
    if as_json:
        print_json({"reports": [_as_json(g) for g in groups], "count": len(groups)})
        return
    table(
        ["id", "filed", "reports", "reason", "status", "target"],
        (
            [
                str(g.report.id),
                when(g.report.created_at),
                str(g.count),
                ",".join(g.reasons),
                g.report.decision or g.report.status,
                _target(g),
            ]
            for g in groups
        ),
    )
