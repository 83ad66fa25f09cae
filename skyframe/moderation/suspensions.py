"""Suspensions by staff: for a while (``until``) or until lifted.

A suspended account can sign in, read, delete its own content and open
tickets, but not post, comment, go live or host (policy.is_suspended). A
suspension by strikes is kept by moderation.strikes and lifts when strikes
are resolved; lifting a staff suspension leaves it alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from skyframe.exceptions import Conflict, ValidationFailed
from skyframe.models import AuditSource, User
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.moderation.audit import Action, record
from skyframe.policy import Actor, can_suspend, require
from skyframe.social.notifications import Kind, notify


class NotSuspended(Conflict):
    code = "not_suspended"


def suspend(
    session: Session,
    actor: Actor,
    user: User,
    *,
    until: datetime | None,
    reason: str,
    now: datetime,
    source: AuditSource,
) -> User:
    """Suspend ``user`` from now until ``until`` (open-ended when None); a
    second suspension replaces the first's end and reason."""
    require(can_suspend(actor, user), "You may not suspend this account.")
    if until is not None and until <= now:
        raise ValidationFailed("The end must be in the future.", fields={"until": "In the future."})
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        message = f"At most {REASON_MAX_LENGTH} characters."
        raise ValidationFailed(message, fields={"reason": message})
    user.suspended_at = now
    user.suspended_until = until
    user.suspension_reason = reason
    record(
        session,
        actor=actor,
        action=Action.ACCOUNT_SUSPEND,
        target_type="user",
        target_id=user.id,
        reason=reason if until is None else f"until {until.isoformat()}: {reason}",
        source=source,
        now=now,
    )
    notify(session, recipient_id=user.id, actor=None, kind=Kind.SUSPENDED)
    return user


def unsuspend(
    session: Session, actor: Actor, user: User, *, now: datetime, source: AuditSource
) -> User:
    """Lift a staff suspension (one that has ended already counts as none)."""
    require(can_suspend(actor, user), "You may not lift this account's suspension.")
    running = user.suspended_at is not None and (
        user.suspended_until is None or user.suspended_until > now
    )
    if not running:
        raise NotSuspended("This account has no suspension by staff to lift.")
    user.suspended_at = None
    user.suspended_until = None
    user.suspension_reason = ""
    record(
        session,
        actor=actor,
        action=Action.ACCOUNT_UNSUSPEND,
        target_type="user",
        target_id=user.id,
        source=source,
        now=now,
    )
    notify(session, recipient_id=user.id, actor=None, kind=Kind.UNSUSPENDED)
    return user
