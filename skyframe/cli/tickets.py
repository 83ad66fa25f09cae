"""``flask tickets …``: support tickets from the command line (as the
operator, who sees every ticket, managers' too: skyframe.policy.OPERATOR)."""

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
from skyframe.models import Ticket, TicketStatus
from skyframe.policy import OPERATOR
from skyframe.support import tickets

tickets_cli = AppGroup("tickets", help="Support tickets: the staff views.")

PAGE = 50


def _handle(user) -> str | None:
    return user.handle if user is not None else None


def _as_json(ticket: Ticket) -> dict:
    return {
        "id": ticket.id,
        "title": ticket.title,
        "status": ticket.status,
        "owner": _handle(ticket.owner),
        "assignee": _handle(ticket.assignee),
        "managers_only": ticket.managers_only,
        "report_id": ticket.report_id,
        "created_at": json_when(ticket.created_at),
        "updated_at": json_when(ticket.updated_at),
        "closed_at": json_when(ticket.closed_at),
    }


@tickets_cli.command("list")
@click.option(
    "--view",
    type=click.Choice(["unassigned", "all"]),
    default="unassigned",
    show_default=True,
    help="Unassigned tickets waiting longest first, or all most recently active first.",
)
@click.option(
    "--status", type=click.Choice([s.value for s in TicketStatus]), help="Only this status."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most N."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@reports_domain_errors
def tickets_list(view: str, status: str | None, limit: int, as_json: bool) -> None:
    """List tickets as staff's views do (managers' tickets included)."""
    found: list[Ticket] = gather(
        lambda cursor, n: tickets.staff_tickets(
            db.session,
            OPERATOR,
            secret=current_app.config["SECRET_KEY"],
            view=view,
            status=status,
            cursor=cursor,
            limit=n,
        ),
        limit,
        PAGE,
    )
    if as_json:
        print_json({"tickets": [_as_json(t) for t in found], "count": len(found)})
        return
    table(
        ["id", "updated", "status", "owner", "assignee", "title"],
        (
            [
                str(t.id),
                when(t.updated_at),
                t.status + (" (managers)" if t.managers_only else ""),
                f"@{t.owner.handle}",
                f"@{t.assignee.handle}" if t.assignee is not None else "-",
                t.title,
            ]
            for t in found
        ),
    )
