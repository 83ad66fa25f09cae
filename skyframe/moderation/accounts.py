"""Staff actions on accounts that live in skyframe.accounts (roles, disabling),
checked against the policy and audited, so the CLI, the admin pages and the
API share one way to do them; and what staff look accounts up by (a prefix
of the handle or the e-mail address) and read about one (``record_of``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from skyframe.accounts import users
from skyframe.models import AuditSource, Report, ReportStatus, Strike, TakeDown, User
from skyframe.models.user import EMAIL_MAX_LENGTH
from skyframe.moderation import strikes, takedowns
from skyframe.moderation.audit import Action, record
from skyframe.moderation.suspensions import Standing, standing
from skyframe.policy import Actor, can_disable_account, can_moderate, can_set_role, require
from skyframe.text import escape_like, has_control

SEARCH_MAX = 20
REPORTS_SHOWN = 20


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


def find_accounts(
    session: Session, actor: Actor, query: str, limit: int = SEARCH_MAX
) -> list[User]:
    """Accounts (not deleted) whose handle or e-mail address starts with
    ``query``, by handle; ``@name`` looks at handles only, and a query with
    an ``@`` inside at addresses only. Wildcards are taken literally. Both
    prefixes are index ranges on PostgreSQL (ix_users_handle_prefix,
    ix_users_email_prefix: text_pattern_ops)."""
    require(can_moderate(actor), "Only staff look accounts up.")
    text = (query or "").strip()
    if not text or len(text) > EMAIL_MAX_LENGTH or has_control(text, allowed=""):
        return []
    by_handle = text.startswith("@")
    name = text.removeprefix("@")
    if not name:
        return []
    handle = func.lower(User.handle)
    conditions = []
    if "@" not in name:
        conditions.append(handle.like(escape_like(name.lower()) + "%", escape="\\"))
    if not by_handle:
        key = users.email_key(name)
        conditions.append(User.email_key.like(escape_like(key) + "%", escape="\\"))
    if not conditions:
        return []
    return list(
        session.scalars(
            select(User)
            .where(or_(*conditions), User.deleted_at.is_(None))
            .order_by(handle)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class AccountRecord:
    """What staff read about an account on its page."""

    standing: Standing
    strikes: list[Strike]
    take_downs: list[TakeDown]
    reports_against: list[Report]  # about it or its content, newest first
    open_reports_against: int


def record_of(session: Session, actor: Actor, user: User, rules, now: datetime) -> AccountRecord:
    require(can_moderate(actor), "Only staff read an account's record.")
    against = Report.target_owner_id == user.id
    return AccountRecord(
        standing=standing(session, user, rules, now),
        strikes=strikes.of_user(session, user.id),
        take_downs=takedowns.of_user(session, user.id),
        reports_against=list(
            session.scalars(
                select(Report).where(against).order_by(Report.id.desc()).limit(REPORTS_SHOWN)
            )
        ),
        open_reports_against=session.scalar(
            select(func.count())
            .select_from(Report)
            .where(against, Report.status == ReportStatus.OPEN)
        )
        or 0,
    )
