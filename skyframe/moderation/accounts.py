"""Staff actions on accounts that live in skyframe.accounts (roles, disabling),
checked against the policy and audited, so the CLI, the admin pages and the
API share one way to do them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from skyframe.accounts import users
from skyframe.models import AuditSource, User
from skyframe.moderation.audit import Action, record
from skyframe.policy import Actor, can_disable_account, can_set_role, require


def set_role(
    session: Session, actor: Actor, user: User, role: str, *, now: datetime, source: AuditSource
) -> User:
    """Give ``user`` a role (managers, not on themselves); one audit row when it changes."""
    require(can_set_role(actor, user), "Only a manager changes roles, and not their own.")
    before = user.role
    users.set_role(user, role)
    if user.role != before:
        record(
            session,
            actor=actor,
            action=Action.ACCOUNT_ROLE,
            target_type="user",
            target_id=user.id,
            reason=f"{before} → {user.role}",
            source=source,
            now=now,
        )
    return user


def set_disabled(
    session: Session,
    actor: Actor,
    user: User,
    disabled: bool,
    *,
    now: datetime,
    source: AuditSource,
    reason: str = "",
) -> int:
    """Disable or enable ``user`` (managers, not themselves): accounts.set_disabled
    and one audit row when the state changes. Returns the sessions ended."""
    require(can_disable_account(actor, user), "Only a manager disables accounts, not their own.")
    changed = bool(user.disabled) != disabled
    ended = users.set_disabled(session, user, disabled)
    if changed:
        record(
            session,
            actor=actor,
            action=Action.ACCOUNT_DISABLE if disabled else Action.ACCOUNT_ENABLE,
            target_type="user",
            target_id=user.id,
            reason=reason,
            source=source,
            now=now,
        )
    return ended
