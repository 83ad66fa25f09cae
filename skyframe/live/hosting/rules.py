"""Who may host whom (seed 004, SPEC §9), as SQL.

Every rule is a SQL condition over a ``host`` and a ``target`` (User or an
alias of it), so the same text serves one pair (the API names the first
rule that fails) and the whole table at once (the auto-host job re-checks
every row in one statement each run).

A host qualifies when its account is active (not disabled, deleted or
suspended: skyframe.policy), it has been live at least
HOSTING_MIN_LIVE_HOURS (the ended sessions' ``users.live_seconds`` plus the
age of a running session), and the account is at least
HOSTING_MIN_ACCOUNT_DAYS old.

A target qualifies when it allows hosting, its account is active, and it
has not blocked the host. A block with an end (a *timeout*) does not
disqualify, in force or not: the seed's "banned from the chat, but may be
timed out" (``expires_at != nil``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, exists, func, literal, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from skyframe import policy
from skyframe.models import Block, LiveSession, LiveStatus, User


@dataclass(frozen=True)
class HostingSettings:
    """The qualification thresholds, read once from the app's config."""

    min_live_seconds: int
    min_account_days: int

    @classmethod
    def from_config(cls, config: Any) -> HostingSettings:
        return cls(
            min_live_seconds=int(config["HOSTING_MIN_LIVE_HOURS"]) * 3600,
            min_account_days=int(config["HOSTING_MIN_ACCOUNT_DAYS"]),
        )


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a UTC timestamp column, on either database."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds)
def _epoch_sqlite(element, compiler, **kw) -> str:
    # SQLite keeps naive UTC text; julianday() reads it (2440587.5 is 1970-01-01).
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


# -- host rules -----------------------------------------------------------------


def host_active(host, now: datetime, settings: HostingSettings) -> ColumnElement[bool]:
    return policy.active_accounts(now, host)


def host_live_hours(host, now: datetime, settings: HostingSettings) -> ColumnElement[bool]:
    running_since = (
        select(LiveSession.started_at)
        .where(LiveSession.owner_id == host.id, LiveSession.status == LiveStatus.LIVE)
        .limit(1)
        .scalar_subquery()
    )
    running = func.coalesce(literal(now.timestamp(), Float) - epoch_seconds(running_since), 0)
    # The ended sessions alone are enough for most hosts: the planner skips
    # the subquery then (OR short-circuits on PostgreSQL as on SQLite).
    return (host.live_seconds >= settings.min_live_seconds) | (
        host.live_seconds + running >= settings.min_live_seconds
    )


def host_account_age(host, now: datetime, settings: HostingSettings) -> ColumnElement[bool]:
    return host.created_at <= now - timedelta(days=settings.min_account_days)


HostRule = Callable[[Any, datetime, HostingSettings], ColumnElement[bool]]

# (name, rule, what the API says when it fails), checked in this order.
HOST_RULES: list[tuple[str, HostRule, str]] = [
    ("account_inactive", host_active, "Your account is suspended or not active."),
    (
        "live_hours",
        host_live_hours,
        "You need more hours live on your own channel before you can host.",
    ),
    ("account_age", host_account_age, "Your account is too new to host."),
]


# -- target rules ---------------------------------------------------------------


def target_allows(target, now: datetime) -> ColumnElement[bool]:
    return target.allow_hosting == true()


def target_active(target, now: datetime) -> ColumnElement[bool]:
    return policy.active_accounts(now, target)


def host_not_blocked(host_id, target_id, now: datetime) -> ColumnElement[bool]:
    # The primary key (blocker_id, blocked_id) answers this.
    return ~exists().where(
        Block.blocker_id == target_id, Block.blocked_id == host_id, Block.until.is_(None)
    )


TargetRule = Callable[[Any, datetime], ColumnElement[bool]]
PairRule = Callable[[Any, Any, datetime], ColumnElement[bool]]

# Rules on the target's account alone, then rules on the pair (host id,
# target id): the job tests the first kind once per user, not once per row.
TARGET_RULES: list[tuple[str, TargetRule, str]] = [
    ("hosting_not_allowed", target_allows, "They do not allow others to host their channel."),
    ("account_inactive", target_active, "Their account is suspended or not active."),
]
PAIR_RULES: list[tuple[str, PairRule, str]] = [
    ("blocked", host_not_blocked, "They have blocked you."),
]


def host_qualifies(host, now: datetime, settings: HostingSettings) -> ColumnElement[bool]:
    """Every host rule, as one condition on ``host``."""
    return and_(*(rule(host, now, settings) for _, rule, _ in HOST_RULES))


def target_qualifies(host, target, now: datetime) -> ColumnElement[bool]:
    """Every target rule, as one condition on the pair."""
    return and_(
        *(rule(target, now) for _, rule, _ in TARGET_RULES),
        *(rule(host.id, target.id, now) for _, rule, _ in PAIR_RULES),
    )


def pair_qualifies(host, target, now: datetime, settings: HostingSettings) -> ColumnElement[bool]:
    """The host may host the target, as one condition on the two users."""
    return and_(host_qualifies(host, now, settings), target_qualifies(host, target, now))


def row_qualifies(rows, now: datetime, settings: HostingSettings) -> ColumnElement[bool]:
    """pair_qualifies for rows of hosting_targets (the model or an alias):
    the users who qualify as hosts, and as targets, are two sets found once
    (semi-joins), then each row tests only its pair's rules."""
    host, target = aliased(User, name="host"), aliased(User, name="target")
    hosts = select(host.id).where(host_qualifies(host, now, settings))
    targets = select(target.id).where(*(rule(target, now) for _, rule, _ in TARGET_RULES))
    return and_(
        rows.host_id.in_(hosts),
        rows.target_id.in_(targets),
        *(rule(rows.host_id, rows.target_id, now) for _, rule, _ in PAIR_RULES),
    )


# -- one pair ---------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """The first rule a host or target fails: its name and its message."""

    rule: str
    message: str


def failed_host_rule(
    session: Session, host_id: int, now: datetime, settings: HostingSettings
) -> Failure | None:
    """The first host rule ``host_id`` fails, or None when it qualifies."""
    host = aliased(User, name="host")
    checks = [rule(host, now, settings).label(name) for name, rule, _ in HOST_RULES]
    row = session.execute(select(*checks).where(host.id == host_id)).one()
    for (name, _, message), passed in zip(HOST_RULES, row, strict=True):
        if not passed:
            return Failure(name, message)
    return None


def failed_target_rule(
    session: Session, host_id: int, target_id: int, now: datetime
) -> Failure | None:
    """The first target rule the pair fails, or None when it qualifies."""
    host, target = aliased(User, name="host"), aliased(User, name="target")
    named = [(name, rule(target, now), message) for name, rule, message in TARGET_RULES] + [
        (name, rule(host.id, target.id, now), message) for name, rule, message in PAIR_RULES
    ]
    checks = [condition.label(f"rule_{i}") for i, (_, condition, _) in enumerate(named)]
    query = (
        select(*checks)
        .select_from(host)
        .join(target, target.id == target_id)
        .where(host.id == host_id)
    )
    row = session.execute(query).one()
    for (name, _, message), passed in zip(named, row, strict=True):
        if not passed:
            return Failure(name, message)
    return None
