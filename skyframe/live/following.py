"""Following live (seed 004's Following page): the live sessions of the
people a viewer follows, then the sessions those people host.

Direct ones first (newest start first), then hosted ones, each channel
once: a channel the viewer follows directly never shows as hosted, and a
channel two followed hosts both host shows once (by the first host in
handle order). A host that went live stops counting at once, and so does a
hosted channel that went offline, before the auto-host job notices.

The counts drive the bottom navigation's badge: red for live followed
channels, or, only when none is live, blue for hosted ones. Hosting never
notifies anyone; these counts are all a viewer sees of it outside a
channel page.

Two queries whatever the number of follows (a follows probe per live
session or hosting row, by primary key): see benchmarks/live_following.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from skyframe.models import (
    ChannelStatus,
    Follow,
    HostingStatus,
    HostingTarget,
    LiveSession,
    LiveStatus,
    User,
)
from skyframe.social import blocks

# A strip, not a listing: more than this many live channels at once is
# shown as the first ones (the counts stay exact).
ITEMS_MAX = 100


@dataclass(frozen=True)
class LiveItem:
    session: LiveSession
    channel: User
    hosted_by: User | None


@dataclass(frozen=True)
class FollowingLive:
    items: list[LiveItem]
    live_count: int
    hosted_count: int


def _visible(users) -> list:
    return [users.disabled.is_(False), users.deleted_at.is_(None)]


def _direct(session: Session, viewer: User, now: datetime) -> list[tuple[LiveSession, User]]:
    query = (
        select(LiveSession, User)
        .join(
            Follow, (Follow.followee_id == LiveSession.owner_id) & (Follow.follower_id == viewer.id)
        )
        .join(User, User.id == LiveSession.owner_id)
        .where(LiveSession.status == LiveStatus.LIVE, *_visible(User))
        .order_by(LiveSession.started_at.desc(), LiveSession.id.desc())
    )
    return [(live, owner) for live, owner in session.execute(query)]


def _hosted(session: Session, viewer: User, now: datetime) -> list[tuple[LiveSession, User, User]]:
    host, target = aliased(User, name="host"), aliased(User, name="target")
    direct = aliased(Follow, name="direct")
    rows = (
        select(
            LiveSession.id.label("session_id"),
            target.id.label("target_id"),
            host.id.label("host_id"),
            func.row_number()
            .over(partition_by=target.id, order_by=(func.lower(host.handle), host.id))
            .label("rank"),
        )
        .select_from(Follow)
        .join(host, host.id == Follow.followee_id)
        .join(
            HostingTarget,
            (HostingTarget.host_id == host.id) & (HostingTarget.status == HostingStatus.HOSTING),
        )
        .join(target, target.id == HostingTarget.target_id)
        .join(
            LiveSession,
            (LiveSession.owner_id == target.id) & (LiveSession.status == LiveStatus.LIVE),
        )
        .where(
            Follow.follower_id == viewer.id,
            host.channel_status == ChannelStatus.OFFLINE,
            *_visible(host),
            *_visible(target),
            target.id != viewer.id,
            ~select(direct.followee_id)
            .where(direct.follower_id == viewer.id, direct.followee_id == target.id)
            .exists(),
            *blocks.hidden_condition(target.id, viewer, now),
        )
        .subquery()
    )
    # The winners' ids, then their rows by primary key (two small queries).
    chosen = session.execute(
        select(rows.c.session_id, rows.c.target_id, rows.c.host_id).where(rows.c.rank == 1)
    ).all()
    return _load(session, chosen)


def _load(session: Session, chosen) -> list[tuple[LiveSession, User, User]]:
    if not chosen:
        return []
    lives = {
        live.id: live
        for live in session.scalars(
            select(LiveSession).where(LiveSession.id.in_([row[0] for row in chosen]))
        )
    }
    user_ids = {row[1] for row in chosen} | {row[2] for row in chosen}
    people = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}
    found = [(lives[row[0]], people[row[1]], people[row[2]]) for row in chosen]
    found.sort(key=lambda item: (item[0].started_at, item[0].id), reverse=True)
    return found


def following_live(session: Session, viewer: User, now: datetime) -> FollowingLive:
    """The viewer's live strip and its counts."""
    direct = _direct(session, viewer, now)
    hosted = _hosted(session, viewer, now)
    items = [LiveItem(live, owner, None) for live, owner in direct]
    items += [LiveItem(live, target, host) for live, target, host in hosted]
    return FollowingLive(items=items[:ITEMS_MAX], live_count=len(direct), hosted_count=len(hosted))


def following_counts(session: Session, viewer: User, now: datetime) -> tuple[int, int]:
    """(live, hosted) for the navigation's badge."""
    result = following_live(session, viewer, now)
    return result.live_count, result.hosted_count
