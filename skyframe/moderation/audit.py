"""The audit log: one row per staff action, whichever door it came through."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from skyframe.models import AuditEntry, AuditSource
from skyframe.policy import Actor


class Action(enum.StrEnum):
    REPORT_RESOLVE = "report.resolve"
    POST_LABEL = "post.label"
    POST_TAKE_DOWN = "post.take_down"
    POST_RESTORE = "post.restore"
    STRIKE_ISSUE = "strike.issue"
    STRIKE_RESOLVE = "strike.resolve"
    ACCOUNT_SUSPEND = "account.suspend"
    ACCOUNT_UNSUSPEND = "account.unsuspend"
    ACCOUNT_ROLE = "account.role"
    ACCOUNT_DISABLE = "account.disable"
    ACCOUNT_ENABLE = "account.enable"
    ACCOUNT_DELETE = "account.delete"
    # Support (skyframe.support.tickets): staff's part in a ticket.
    TICKET_ASSIGN = "ticket.assign"
    TICKET_REPLY = "ticket.reply"
    TICKET_ESCALATE = "ticket.escalate"
    TICKET_CLOSE = "ticket.close"
    APPEAL_UPHOLD = "appeal.uphold"
    APPEAL_OVERTURN = "appeal.overturn"
    # A frame of a live session (skyframe.live.frames).
    LIVE_FRAME_TAKE_DOWN = "live_frame.take_down"


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: Action,
    target_type: str,
    target_id: int,
    reason: str = "",
    source: AuditSource,
    now: datetime,
) -> AuditEntry:
    """Write one audit row in the caller's transaction (``actor`` None: SkyFrame
    itself, as a consequence of another action)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action.value,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        source=(AuditSource.SYSTEM if actor is None else source).value,
        created_at=now,
    )
    session.add(entry)
    return entry


def entries(
    *,
    actor_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
) -> Select[tuple[AuditEntry]]:
    """The log newest first, optionally one actor's, one action's or one kind
    of target's (each answered by its own index); page it with
    cursors.keyset_page on ``AuditEntry.id``."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if target_type is not None:
        query = query.where(AuditEntry.target_type == target_type)
    return query
