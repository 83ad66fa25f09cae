"""Shared ground for the hosting tests: channels that qualify unless told."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from skyframe.extensions import db
from skyframe.models import (
    Block,
    ChannelStatus,
    HostingStatus,
    HostingTarget,
    LiveSession,
    LiveStatus,
    User,
    utcnow,
)


def qualify(user_id: int, *, live_hours: float = 20, age_days: float = 30, allow: bool = True):
    """Make a user a qualifying host and target (call inside an app context)."""
    user = db.session.get(User, user_id)
    user.live_seconds = int(live_hours * 3600)
    user.created_at = utcnow() - timedelta(days=age_days)
    user.allow_hosting = allow
    db.session.commit()
    return user


def go_live(user_id: int, *, started_ago: timedelta = timedelta(minutes=5)) -> LiveSession:
    now = utcnow()
    session = LiveSession(
        owner_id=user_id,
        title="Saturn tonight",
        status=LiveStatus.LIVE,
        started_at=now - started_ago,
        last_frame_at=now,
    )
    db.session.add(session)
    db.session.get(User, user_id).channel_status = ChannelStatus.LIVE
    db.session.commit()
    return session


def go_offline(user_id: int) -> None:
    now = utcnow()
    for session in db.session.scalars(
        select(LiveSession).where(
            LiveSession.owner_id == user_id, LiveSession.status == LiveStatus.LIVE
        )
    ):
        session.status = LiveStatus.ENDED
        session.ended_at = now
    db.session.get(User, user_id).channel_status = ChannelStatus.OFFLINE
    db.session.commit()


def add_target(
    host_id: int, target_id: int, *, status=HostingStatus.READY, last_hosted_at=None
) -> HostingTarget:
    row = HostingTarget(
        host_id=host_id, target_id=target_id, status=status, last_hosted_at=last_hosted_at
    )
    db.session.add(row)
    db.session.commit()
    return row


def status_of(host_id: int, target_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(HostingTarget.status).where(
            HostingTarget.host_id == host_id, HostingTarget.target_id == target_id
        )
    )


def block(blocker_id: int, blocked_id: int, *, until=None) -> None:
    db.session.add(Block(blocker_id=blocker_id, blocked_id=blocked_id, until=until))
    db.session.commit()


def unblock(blocker_id: int, blocked_id: int) -> None:
    db.session.delete(db.session.get(Block, (blocker_id, blocked_id)))
    db.session.commit()


# Each disqualification, with what undoes it: (name, side, apply, undo).
def _set(**values):
    def change(user_id: int) -> None:
        user = db.session.get(User, user_id)
        for key, value in values.items():
            setattr(user, key, value() if callable(value) else value)
        db.session.commit()

    return change


HOST_DISQUALIFIERS = {
    "disabled": (_set(disabled=True), _set(disabled=False)),
    "suspended": (
        _set(suspended_at=utcnow, suspended_until=None),
        _set(suspended_at=None, suspended_until=None),
    ),
    "strike_suspended": (_set(strike_suspended=True), _set(strike_suspended=False)),
    "deleted": (_set(deleted_at=utcnow), _set(deleted_at=None)),
    "under_min_live_hours": (_set(live_seconds=9 * 3600), _set(live_seconds=10 * 3600)),
    "under_min_account_days": (
        _set(created_at=lambda: utcnow() - timedelta(days=4)),
        _set(created_at=lambda: utcnow() - timedelta(days=5, minutes=1)),
    ),
}

TARGET_DISQUALIFIERS = {
    "disallows_hosting": (_set(allow_hosting=False), _set(allow_hosting=True)),
    "disabled": (_set(disabled=True), _set(disabled=False)),
    "suspended": (
        _set(suspended_at=utcnow, suspended_until=None),
        _set(suspended_at=None, suspended_until=None),
    ),
    "deleted": (_set(deleted_at=utcnow), _set(deleted_at=None)),
}
