"""Strikes: what take-downs add up to, and the suspension they bring.

The rule: a user's take-downs that are not restored and not yet counted
towards a strike are *pending*; each time ``take_downs_per_strike`` of them
are pending, one strike is issued and they are counted towards it (their
``strike_id``). At ``suspend_at`` active strikes the account is suspended
from posting (``users.strike_suspended``); resolving strikes below that lifts
it. Counting by link, never by a running total, is what keeps the arithmetic
right after a strike is resolved: the take-downs it counted stay counted, so
later take-downs start from zero instead of never reaching the threshold.

Restoring a take-down (a manager's decision that it was wrong) must not
leave a strike standing for it: restoring one counted towards an active
strike withdraws that strike, and the strike's other take-downs become
pending again, to count with the next ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skyframe.exceptions import Conflict, NotFound
from skyframe.models import AuditSource, Strike, TakeDown, User
from skyframe.moderation.audit import Action, record
from skyframe.policy import Actor, can_moderate, can_resolve_strike, require
from skyframe.social.notifications import Kind, notify


@dataclass(frozen=True)
class StrikeRules:
    take_downs_per_strike: int = 2
    suspend_at: int = 3

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StrikeRules:
        return cls(
            take_downs_per_strike=int(config["STRIKE_TAKEDOWNS_PER_STRIKE"]),
            suspend_at=int(config["STRIKE_SUSPEND_AT"]),
        )


class StrikeResolved(Conflict):
    code = "strike_resolved"


def active_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Strike)
            .where(Strike.user_id == user_id, Strike.resolved_at.is_(None))
        )
        or 0
    )


def pending_take_downs(session: Session, user_id: int) -> list[TakeDown]:
    """Take-downs not restored and not yet counted towards a strike, oldest first."""
    return list(
        session.scalars(
            select(TakeDown)
            .where(
                TakeDown.owner_id == user_id,
                TakeDown.strike_id.is_(None),
                TakeDown.restored_at.is_(None),
            )
            .order_by(TakeDown.id)
        )
    )


def issue_due_strikes(
    session: Session, user: User, rules: StrikeRules, now: datetime
) -> list[Strike]:
    """Issue a strike for each ``take_downs_per_strike`` pending take-downs
    (audited as SkyFrame's own action, the user notified), then bring the
    strike suspension in line."""
    session.flush()
    pending = pending_take_downs(session, user.id)
    issued = []
    per_strike = max(rules.take_downs_per_strike, 1)
    while len(pending) >= per_strike:
        counted, pending = pending[:per_strike], pending[per_strike:]
        strike = Strike(
            user_id=user.id,
            reason="; ".join(f"{t.post_title!r}: {t.reason}" for t in counted),
            created_at=now,
        )
        session.add(strike)
        session.flush()
        for take_down in counted:
            take_down.strike_id = strike.id
        record(
            session,
            actor=None,
            action=Action.STRIKE_ISSUE,
            target_type="strike",
            target_id=strike.id,
            reason=f"{per_strike} take-downs",
            source=AuditSource.SYSTEM,
            now=now,
        )
        notify(session, recipient_id=user.id, actor=None, kind=Kind.STRIKE, strike_id=strike.id)
        issued.append(strike)
    update_suspension(session, user, rules, now)
    return issued


def update_suspension(session: Session, user: User, rules: StrikeRules, now: datetime) -> None:
    """Suspend the account at ``suspend_at`` active strikes, lift the strike
    suspension below it (a staff suspension is separate and stays)."""
    session.flush()
    due = active_count(session, user.id) >= rules.suspend_at
    if due == bool(user.strike_suspended):
        return
    user.strike_suspended = due
    record(
        session,
        actor=None,
        action=Action.ACCOUNT_SUSPEND if due else Action.ACCOUNT_UNSUSPEND,
        target_type="user",
        target_id=user.id,
        reason=f"{rules.suspend_at} active strikes" if due else "fewer active strikes",
        source=AuditSource.SYSTEM,
        now=now,
    )
    notify(
        session,
        recipient_id=user.id,
        actor=None,
        kind=Kind.SUSPENDED if due else Kind.UNSUSPENDED,
    )


def get_strike(session: Session, actor: Actor | None, strike_id: int) -> Strike:
    """A strike, for a staff action: 403 for non-staff before 404."""
    require(can_moderate(actor), "Only staff resolve strikes.")
    strike = session.get(Strike, strike_id)
    if strike is None:
        raise NotFound("No such strike.")
    return strike


def resolve(
    session: Session,
    actor: Actor,
    strike: Strike,
    note: str,
    rules: StrikeRules,
    *,
    now: datetime,
    source: AuditSource,
) -> Strike:
    """Make a strike inactive (staff, never on their own account): the user
    is notified and a strike suspension lifts if the count drops below it."""
    require(can_resolve_strike(actor, strike), "Only staff resolve strikes, never their own.")
    if not strike.active:
        raise StrikeResolved("This strike is already resolved.")
    _end(session, strike, note, by=actor, audited_as=actor, now=now, source=source)
    update_suspension(session, session.get(User, strike.user_id), rules, now)
    return strike


def withdraw_for_restored(
    session: Session, actor: Actor, take_down: TakeDown, now: datetime, source: AuditSource
) -> Strike | None:
    """A restored take-down leaves no strike counted for it: the active strike
    it counted towards is resolved, and its other take-downs become pending
    again. The caller issues due strikes and updates the suspension."""
    if take_down.strike_id is None:
        return None
    strike = session.get(Strike, take_down.strike_id)
    if strike is None or not strike.active:
        return None
    for other in strike.take_downs:
        if other.id != take_down.id:
            other.strike_id = None
    # The restore is the manager's action (audited there); this is its consequence.
    note = "Withdrawn: a take-down it counted was restored."
    _end(session, strike, note, by=actor, audited_as=None, now=now, source=AuditSource.SYSTEM)
    return strike


def _end(
    session: Session,
    strike: Strike,
    note: str,
    *,
    by: Actor,
    audited_as: Actor | None,
    now: datetime,
    source: AuditSource,
) -> None:
    """Resolve a strike: its fields, one audit row (``audited_as`` None: the
    site's own consequence) and the user's notice."""
    strike.resolved_at = now
    strike.resolved_by_id = getattr(by, "id", None)
    strike.resolve_note = note
    record(
        session,
        actor=audited_as,
        action=Action.STRIKE_RESOLVE,
        target_type="strike",
        target_id=strike.id,
        reason=note,
        source=source,
        now=now,
    )
    notify(
        session,
        recipient_id=strike.user_id,
        actor=None,
        kind=Kind.STRIKE_RESOLVED,
        strike_id=strike.id,
    )


def of_user(session: Session, user_id: int) -> list[Strike]:
    """A user's strikes, newest first, with the take-downs they counted."""
    return list(
        session.scalars(select(Strike).where(Strike.user_id == user_id).order_by(Strike.id.desc()))
    )
