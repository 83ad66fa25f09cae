"""Following live (seed 004's Following page): the live sessions of the
people a viewer follows, then the sessions those people host.

Direct ones first (newest start first), then hosted ones, each channel
once: a channel the viewer follows directly never shows as hosted, and a
channel two followed hosts both host shows once (by the first host in
handle order). A host that went live stops counting at once, and so does a
hosted channel that went offline, before the auto-host job notices.

The counts drive the bottom navigation's badge: red for live followed
channels, or, only when none is live, blue for hosted ones. Hosting never
notifies anyone; the strip and these counts are all a viewer sees of it
outside a channel page.

Two queries of ids whatever the number of follows (about 3 ms of database
time for a viewer following 500), then the shown sessions and channels by
primary key. benchmarks/live_following.py measures the API: about 15 ms of
a worker's CPU and 6 ms of PostgreSQL's per answer of 50 sessions, most of
it presenting the sessions (their owners' avatar URLs and frames).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import SimpleNamespace

from sqlalchemy import Integer, Select, bindparam, func, select
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
from skyframe.models.base import UTCDateTime
from skyframe.social import blocks

# A strip, not a listing (a phone shows five or six of it): more live
# channels than this at once are shown as the first ones, direct ones
# first, and the counts stay exact. Each item is a whole session with its
# newest frame; at 100 the answer took 25 ms of the server's time.
ITEMS_MAX = 50


@dataclass(frozen=True)
class LiveItem:
    session: LiveSession
    channel: User
    hosted_by: str | None  # the host's handle


@dataclass(frozen=True)
class FollowingLive:
    items: list[LiveItem]
    live_count: int
    hosted_count: int


def _visible(users) -> list:
    return [users.disabled.is_(False), users.deleted_at.is_(None)]


def _direct(session: Session, viewer: User) -> list[tuple[int, int]]:
    """(session id, channel id) of the followed live channels, newest first."""
    return [tuple(row) for row in session.execute(_direct_query(), {"viewer_id": viewer.id})]


def _hosted(session: Session, viewer: User, now: datetime) -> list[tuple[int, int, str]]:
    """(session id, channel id, host handle) of the hosted ones, newest first."""
    found = session.execute(_hosted_query(), {"viewer_id": viewer.id, "now": now})
    return [tuple(row) for row in found]


# The statements are built once per process, only the viewer and the moment
# bound: building these joins of aliased entities anew cost more than
# running them (about 10 ms a request against 3 ms of database time).
_VIEWER = bindparam("viewer_id", type_=Integer)
_NOW = bindparam("now", type_=UTCDateTime)


@cache
def _direct_query() -> Select:
    return (
        select(LiveSession.id, LiveSession.owner_id)
        .join(
            Follow, (Follow.followee_id == LiveSession.owner_id) & (Follow.follower_id == _VIEWER)
        )
        .join(User, User.id == LiveSession.owner_id)
        .where(LiveSession.status == LiveStatus.LIVE, *_visible(User))
        .order_by(LiveSession.started_at.desc(), LiveSession.id.desc())
    )


@cache
def _hosted_query() -> Select:
    host, target = aliased(User, name="host"), aliased(User, name="target")
    direct = aliased(Follow, name="direct")
    rows = (
        select(
            LiveSession.id.label("session_id"),
            LiveSession.started_at.label("started_at"),
            target.id.label("target_id"),
            host.handle.label("host_handle"),
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
            Follow.follower_id == _VIEWER,
            host.channel_status == ChannelStatus.OFFLINE,
            *_visible(host),
            *_visible(target),
            target.id != _VIEWER,
            ~select(direct.followee_id)
            .where(direct.follower_id == _VIEWER, direct.followee_id == target.id)
            .exists(),
            # The block rule of skyframe.social.blocks, for a viewer bound later.
            *blocks.hidden_condition(target.id, SimpleNamespace(id=_VIEWER), _NOW),
        )
        .subquery()
    )
    return (
        select(rows.c.session_id, rows.c.target_id, rows.c.host_handle)
        .where(rows.c.rank == 1)
        .order_by(rows.c.started_at.desc(), rows.c.session_id.desc())
    )


def following_live(session: Session, viewer: User, now: datetime) -> FollowingLive:
    """The viewer's live strip and its counts. Ids first, for all of them
    (the counts); sessions and channels loaded only for the items shown."""
    direct = _direct(session, viewer)
    hosted = _hosted(session, viewer, now)
    shown = [(live_id, channel_id, None) for live_id, channel_id in direct]
    shown = (shown + hosted)[:ITEMS_MAX]
    lives, channels = {}, {}
    if shown:
        lives = {
            live.id: live
            for live in session.scalars(
                select(LiveSession).where(LiveSession.id.in_([row[0] for row in shown]))
            )
        }
        channels = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_({row[1] for row in shown})))
        }
    items = [LiveItem(lives[s_id], channels[c_id], host) for s_id, c_id, host in shown]
    return FollowingLive(items=items, live_count=len(direct), hosted_count=len(hosted))


def following_counts(session: Session, viewer: User, now: datetime) -> tuple[int, int]:
    """(live, hosted) for the navigation's badge: the ids alone."""
    return len(_direct(session, viewer)), len(_hosted(session, viewer, now))
