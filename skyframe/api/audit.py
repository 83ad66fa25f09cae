"""The audit log over JSON (managers): every staff action, newest first.

``audit_log_page`` is the one listing of the log: the staff area's page
(skyframe.admin.audit) draws the same pages."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe import cursors, policy
from skyframe.accounts import users
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.audit import AuditActor, AuditEntryOut, AuditPage, AuditQuery
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.models import AuditEntry
from skyframe.moderation import audit
from skyframe.policy import Actor

TAGS = ["admin"]
UNKNOWN_ACTOR = "No account has this handle."


def _position(entry: AuditEntry) -> cursors.Position:
    # The log is ordered by id alone; the time only rides along in the cursor.
    return entry.created_at, entry.id


def audit_log_page(
    reader: Actor,
    *,
    actor: str | None,
    action: str | None,
    target_type: str | None,
    cursor: str | None,
    limit: int,
) -> cursors.KeysetPage[AuditEntry]:
    """A page of the log for ``reader`` (managers only), optionally one
    actor's (by handle: an unknown one is a 422 on ``actor``), one action's
    or one kind of target's."""
    policy.require(policy.can_read_audit(reader), "Only managers read the audit log.")
    actor_id = None
    if actor:
        account = users.user_by_handle(db.session, actor.strip().removeprefix("@"))
        if account is None:
            raise ValidationFailed(UNKNOWN_ACTOR, fields={"actor": UNKNOWN_ACTOR})
        actor_id = account.id
    query = audit.entries(actor_id=actor_id, action=action or None, target_type=target_type or None)

    def fetch(after):
        page = query if after is None else query.where(AuditEntry.id < after[1])
        return db.session.scalars(page.limit(limit + 1)).all()

    secret = current_app.config["SECRET_KEY"]
    return cursors.keyset_page(secret, "audit", cursor, limit, fetch, position=_position)


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    who = entry.actor
    return AuditEntryOut(
        id=entry.id,
        actor=AuditActor(handle=who.handle, display_name=who.display_name) if who else None,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        reason=entry.reason,
        source=entry.source,
        created_at=entry.created_at,
    )


@bp.get("/admin/audit")
@login_required
@operation(tags=TAGS, returns=AuditPage, query=AuditQuery, signed_in=True, errors=(400, 403, 422))
def list_audit(query: AuditQuery):
    """The audit log, newest first (managers only; cursor-paginated): who did
    what to which target, why, when and through which door."""
    page = audit_log_page(
        current_user,
        actor=query.actor,
        action=query.action,
        target_type=query.target_type,
        cursor=query.cursor,
        limit=query.limit,
    )
    return AuditPage(
        items=[entry_out(entry) for entry in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )
