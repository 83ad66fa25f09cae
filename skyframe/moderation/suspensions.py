"""Suspensions by staff: for a while (``until``) or until lifted.

A suspended account can sign in, read, delete its own content and open
tickets, but not post, comment, go live or host (policy.is_suspended). A
suspension by strikes is kept by moderation.strikes and lifts when strikes
are resolved; lifting a staff suspension leaves it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from skyframe.accounts.users import user_by_handle
from skyframe.exceptions import Conflict, NotFound, ValidationFailed
from skyframe.models import AuditSource, User
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.moderation.audit import Action, record
from skyframe.moderation.strikes import StrikeRules, active_count
from skyframe.policy import Actor, can_moderate, can_suspend, is_suspended, require
from skyframe.social.notifications import Kind, notify
from skyframe.text import too_long


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
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=UTC)  # an end without an offset is UTC
    if until is not None and until <= now:
        raise ValidationFailed("The end must be in the future.", fields={"until": "In the future."})
    sent, reason = reason or "", (reason or "").strip()
    if too_long(sent, reason, REASON_MAX_LENGTH):
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


def account_for_staff(session: Session, actor: Actor | None, handle: str) -> User:
    """The account a staff action is about: 403 for non-staff before 404."""
    require(can_moderate(actor), "Only staff act on accounts.")
    user = user_by_handle(session, handle)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such user.")
    return user


@dataclass(frozen=True)
class Standing:
    """Where an account stands: suspended or not, by what, and its strikes."""

    suspended: bool
    suspended_by: str | None  # "strikes" or "staff"
    until: datetime | None  # a staff suspension's end
    reason: str | None  # a staff suspension's reason
    active_strikes: int
    suspend_at: int
    take_downs_per_strike: int


def standing(session: Session, user: User, rules: StrikeRules, now: datetime) -> Standing:
    suspended = is_suspended(user, now)
    by_staff = suspended and not user.strike_suspended
    by = None if not suspended else "strikes" if user.strike_suspended else "staff"
    return Standing(
        suspended=suspended,
        suspended_by=by,
        until=user.suspended_until if by_staff else None,
        reason=(user.suspension_reason or None) if by_staff else None,
        active_strikes=active_count(session, user.id),
        suspend_at=rules.suspend_at,
        take_downs_per_strike=rules.take_downs_per_strike,
    )
