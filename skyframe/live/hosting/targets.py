"""A host's hosting list, and whether others may host them (seed 004).

Adding a target checks the host first (``host_not_qualified``), then the
pair (``target_not_qualified``, naming the failed rule in ``fields.handle``);
the auto-host job re-checks both on every run (skyframe.live.hosting.job).
Adding a pair twice answers the row already there. Hosting sends no
notifications, to the target or to anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from skyframe import policy
from skyframe.database import dialect_insert
from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.live.hosting import rules
from skyframe.live.hosting.rules import HostingSettings
from skyframe.models import HostingStatus, HostingTarget, User
from skyframe.models.user import HANDLE_MAX_LENGTH
from skyframe.text import escape_like, has_control

SUGGESTIONS_MAX = 10
# A list longer than this is no rotation anyone follows; it also bounds the
# settings page and the job's work per host.
TARGETS_MAX = 100


class HostNotQualified(ValidationFailed):
    code = "host_not_qualified"


class TargetNotQualified(ValidationFailed):
    code = "target_not_qualified"


def set_allow_hosting(session: Session, user: User, allow: bool) -> None:
    """Whether other observers may host ``user``'s channel (off by default)."""
    user.allow_hosting = allow
    session.flush()


def targets_of(session: Session, host: User) -> list[tuple[HostingTarget, User]]:
    """The host's list with each target's account, in the order added."""
    query = (
        select(HostingTarget, User)
        .join(User, User.id == HostingTarget.target_id)
        .where(HostingTarget.host_id == host.id)
        .order_by(HostingTarget.created_at, HostingTarget.id)
    )
    return [(row, user) for row, user in session.execute(query)]


def _target_user(session: Session, host: User, handle: str) -> User:
    handle = handle.strip().removeprefix("@")
    target = session.scalar(select(User).where(func.lower(User.handle) == handle.lower()))
    if target is None or not policy.can_see_account(target, host):
        raise NotFound("No such user.", fields={"handle": "No observer has this handle."})
    return target


def add_target(
    session: Session, host: User, handle: str, now: datetime, settings: HostingSettings
) -> tuple[HostingTarget, bool]:
    """Put ``handle`` on the host's list (``ready``); True when the row is new.
    A suspended host is refused first, as everywhere (403 ``suspended``)."""
    policy.require_in_good_standing(host, now)
    target = _target_user(session, host, handle)
    if target.id == host.id:
        raise ValidationFailed(
            "You cannot host your own channel.", fields={"handle": "That is you."}
        )
    failure = rules.failed_host_rule(session, host.id, now, settings)
    if failure is not None:
        raise HostNotQualified(failure.message)
    existing = _row(session, host.id, target.id)
    if existing is not None:
        return existing, False
    failure = rules.failed_target_rule(session, host.id, target.id, now)
    if failure is not None:
        raise TargetNotQualified(
            f"@{target.handle} cannot be hosted.", fields={"handle": failure.message}
        )
    count = session.scalar(select(func.count()).where(HostingTarget.host_id == host.id))
    if count >= TARGETS_MAX:
        raise ValidationFailed(
            "Your hosting list is full.",
            fields={"handle": f"Remove someone first: the list holds {TARGETS_MAX}."},
        )
    # ON CONFLICT: the same pair added twice at once makes one row.
    inserted = session.execute(
        dialect_insert(session)(HostingTarget)
        .values(
            host_id=host.id,
            target_id=target.id,
            status=HostingStatus.READY,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(HostingTarget.id)
    ).first()
    return _row(session, host.id, target.id), inserted is not None


def _row(session: Session, host_id: int, target_id: int) -> HostingTarget | None:
    return session.scalar(
        select(HostingTarget)
        .where(HostingTarget.host_id == host_id, HostingTarget.target_id == target_id)
        .execution_options(populate_existing=True)
    )


def remove_target(session: Session, host: User, handle: str) -> None:
    """Take ``handle`` off the host's list (not on it: nothing changes)."""
    target = _target_user(session, host, handle)
    session.execute(
        delete(HostingTarget).where(
            HostingTarget.host_id == host.id, HostingTarget.target_id == target.id
        )
    )


def suggest(session: Session, host: User, prefix: str, now: datetime) -> Sequence[User]:
    """Up to 10 users whose handle starts with ``prefix`` (any case, LIKE's
    ``%``, ``_`` and ``\\`` taken literally) who qualify as the host's target
    and are not on its list yet, alphabetically. More than a handle's 24
    characters finds nothing."""
    prefix = prefix.strip().removeprefix("@")
    if not prefix or len(prefix) > HANDLE_MAX_LENGTH or has_control(prefix, allowed=""):
        return []
    me = aliased(User, name="host")
    handle = func.lower(User.handle)
    listed = select(HostingTarget.target_id).where(HostingTarget.host_id == host.id)
    query = (
        select(User)
        .join(me, me.id == host.id)
        .where(
            handle.like(escape_like(prefix.lower()) + "%", escape="\\"),
            User.id != host.id,
            User.id.not_in(listed),
            rules.target_qualifies(me, User, now),
        )
        .order_by(handle)
        .limit(SUGGESTIONS_MAX)
    )
    return session.scalars(query).all()
