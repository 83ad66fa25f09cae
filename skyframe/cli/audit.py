"""``flask audit list``: the audit log for the operator, newest first."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from skyframe.accounts import users
from skyframe.cli.common import print_json, reports_domain_errors, table, when
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.models import AuditEntry
from skyframe.moderation import audit

audit_cli = AppGroup("audit", help="Read the audit log of staff actions.")

ACTIONS = click.Choice([action.value for action in audit.Action])


def _actor(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return entry.actor.handle
    return "(operator)" if entry.source == "cli" else "(system)"


@audit_cli.command("list")
@click.option("--actor", metavar="HANDLE", help="Only this account's actions.")
@click.option("--action", type=ACTIONS, help="Only this kind of action.")
@click.option("--target-type", metavar="TYPE", help="Only this kind of target (post, user …).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for scripts).")
@reports_domain_errors
def audit_list(actor, action, target_type, limit, as_json) -> None:
    """The newest staff actions first: who, what, which target, why, from where.

    \b
      audit list --actor boss --action post.take_down
      audit list --target-type user --limit 200 --json
    """
    actor_id = None
    if actor:
        account = users.user_by_handle(db.session, actor.removeprefix("@"))
        if account is None:
            raise ValidationFailed(f"No account has the handle {actor!r}.")
        actor_id = account.id
    query = audit.entries(actor_id=actor_id, action=action, target_type=target_type or None)
    entries = db.session.scalars(query.limit(limit)).all()
    if as_json:
        print_json(
            {
                "entries": [
                    {
                        "id": e.id,
                        "actor": e.actor.handle if e.actor is not None else None,
                        "action": e.action,
                        "target_type": e.target_type,
                        "target_id": e.target_id,
                        "reason": e.reason,
                        "source": e.source,
                        "created_at": when(e.created_at),
                    }
                    for e in entries
                ],
                "count": len(entries),
            }
        )
        return
    table(
        ["id", "time", "actor", "source", "action", "target", "reason"],
        (
            [
                str(e.id),
                when(e.created_at),
                _actor(e),
                e.source,
                e.action,
                f"{e.target_type} {e.target_id}",
                " ".join(e.reason.split())[:60],
            ]
            for e in entries
        ),
    )
