"""Live observing sessions: going live, ending by hand or when idle, and the
live hours they add up to.

A user has at most one running session: the code checks first, and the
partial unique index ``uq_live_sessions_one_live`` settles the race of two
starts at once (the loser gets the same 409 ``already_live``).
``users.channel_status`` moves with the session in the same transaction, so
the hosting job and Following read one indexed column. An ended session adds
its duration to ``users.live_seconds``; a running one counts by its age
(``live_seconds_of``).

Going live tells the owner's followers once per
LIVE_NOTIFY_COOLDOWN_MINUTES (``users.live_notified_at``, claimed by one
conditional UPDATE, so two starts at once notify once). Every change of state
publishes a ``status`` event on ``live:<session id>`` after the commit
(skyframe.publish).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skyframe import catalogue, policy, publish
from skyframe.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from skyframe.models import Follow, Notification, User
from skyframe.models.live import (
    LIVE_OBJECT_MAX_LENGTH,
    LIVE_TITLE_MAX_LENGTH,
    ChannelStatus,
    LiveSession,
    LiveStatus,
)
from skyframe.social.notifications import Kind
from skyframe.text import one_line, text_problem, too_long


class AlreadyLive(Conflict):
    code = "already_live"


class SessionEnded(Conflict):
    code = "session_ended"


@dataclass(frozen=True)
class LiveSettings:
    """The LIVE_* settings the domain reads, read once per request."""

    idle_minutes: int = 15
    frames_kept: int = 500
    notify_cooldown_minutes: int = 60

    @classmethod
    def from_config(cls, config: Any) -> LiveSettings:
        return cls(
            idle_minutes=config["LIVE_IDLE_MINUTES"],
            frames_kept=config["LIVE_FRAMES_KEPT"],
            notify_cooldown_minutes=config["LIVE_NOTIFY_COOLDOWN_MINUTES"],
        )


def topic(session_id: int) -> str:
    """The publish topic of a session's events."""
    return f"live:{session_id}"


def _one_line_field(raw: str | None, name: str, limit: int, *, required: bool) -> str | None:
    value = raw or ""
    if problem := text_problem(value):
        raise ValidationFailed("The session could not be started.", fields={name: problem})
    text = one_line(value)
    if too_long(value, text, limit):
        message = f"At most {limit} characters."
        raise ValidationFailed("The session could not be started.", fields={name: message})
    if required and not text:
        message = "Give your session a title."
        raise ValidationFailed("The session could not be started.", fields={name: message})
    return text or None


def clean_title(raw: str | None) -> str:
    return _one_line_field(raw, "title", LIVE_TITLE_MAX_LENGTH, required=True) or ""


def clean_object(raw: str | None) -> str | None:
    return _one_line_field(raw, "object", LIVE_OBJECT_MAX_LENGTH, required=False)


def running_session(session: Session, user_id: int) -> LiveSession | None:
    return session.scalar(
        select(LiveSession).where(
            LiveSession.owner_id == user_id, LiveSession.status == LiveStatus.LIVE
        )
    )


def last_session(session: Session, user_id: int) -> LiveSession | None:
    """The user's newest session, running or ended (the channel page's)."""
    return session.scalar(
        select(LiveSession)
        .where(LiveSession.owner_id == user_id)
        .order_by(LiveSession.started_at.desc(), LiveSession.id.desc())
        .limit(1)
    )


def get_session(session: Session, session_id: int, viewer: User | None) -> LiveSession:
    """A session the viewer may see (its owner's account visible), else NotFound."""
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NotFound("No such live session.")
    owner = session.get(User, live.owner_id)
    if owner is None or not policy.can_see_channel(owner, viewer):
        raise NotFound("No such live session.")
    return live


def status_data(live: LiveSession) -> dict[str, Any]:
    """What a ``status`` event says (the page reloads the session for the rest)."""
    return {
        "id": live.id,
        "status": live.status,
        "ended_at": live.ended_at.isoformat() if live.ended_at else None,
    }


def start_session(
    session: Session,
    owner: User,
    raw_title: str | None,
    raw_object: str | None,
    *,
    settings: LiveSettings,
    now: datetime,
) -> LiveSession:
    """Go live: 409 ``already_live`` when the owner has a running session,
    403 ``suspended`` for a suspended account. The caller commits."""
    policy.require_can_go_live(owner, now)
    title = clean_title(raw_title)
    object_name = clean_object(raw_object)
    if running_session(session, owner.id) is not None:
        raise AlreadyLive("You are live already: end that session first.")
    found = catalogue.resolve(object_name) if object_name else None
    live = LiveSession(
        owner_id=owner.id,
        title=title,
        object_name=object_name,
        object_id=found.id if found else None,
        status=LiveStatus.LIVE,
        started_at=now,
        last_frame_at=now,
    )
    try:
        with session.begin_nested():
            session.add(live)
            session.flush()
    except IntegrityError as exc:  # a start in another request won the race
        raise AlreadyLive("You are live already: end that session first.") from exc
    session.execute(
        update(User).where(User.id == owner.id).values(channel_status=ChannelStatus.LIVE)
    )
    _notify_followers(session, owner, settings.notify_cooldown_minutes, now)
    publish.after_commit(session, topic(live.id), "status", status_data(live))
    return live


def _notify_followers(session: Session, owner: User, cooldown_minutes: int, now: datetime) -> int:
    """One ``live`` notification to each follower, unless the owner's
    followers heard of a start less than ``cooldown_minutes`` ago."""
    claimed = session.execute(
        update(User)
        .where(
            User.id == owner.id,
            or_(
                User.live_notified_at.is_(None),
                User.live_notified_at <= now - timedelta(minutes=cooldown_minutes),
            ),
        )
        .values(live_notified_at=now)
        .returning(User.id)
    ).first()
    if claimed is None:
        return 0
    followers = select(
        Follow.follower_id,
        literal(owner.id),
        literal(Kind.LIVE.value),
        literal(now, type_=Notification.__table__.c.created_at.type),
    ).where(Follow.followee_id == owner.id)
    result = session.execute(
        insert(Notification).from_select(
            ["recipient_id", "actor_id", "kind", "created_at"], followers
        )
    )
    return result.rowcount or 0


def end_session(session: Session, live: LiveSession, actor: User, now: datetime) -> LiveSession:
    """End a running session by hand (its owner, or staff); ending an ended
    one changes nothing. The caller commits."""
    if not policy.can_end_live(live, actor):
        raise PermissionDenied("Only the owner ends a live session.")
    if live.status == LiveStatus.ENDED:
        return live
    ended = session.execute(
        update(LiveSession)
        .where(LiveSession.id == live.id, LiveSession.status == LiveStatus.LIVE)
        .values(status=LiveStatus.ENDED, ended_at=now)
        .returning(LiveSession.id)
    ).first()
    if ended is not None:
        _credit_owners(session, [(live.owner_id, _seconds(live.started_at, now))])
    session.refresh(live)
    publish.after_commit(session, topic(live.id), "status", status_data(live))
    return live


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def _credit_owners(session: Session, credits: list[tuple[int, int]]) -> None:
    """Add each ended session's seconds to its owner and mark them offline
    (one executemany; a user has one running session, so each once)."""
    if not credits:
        return
    users = User.__table__
    session.execute(
        update(users)
        .where(users.c.id == bindparam("owner"))
        .values(
            live_seconds=users.c.live_seconds + bindparam("seconds"),
            channel_status=ChannelStatus.OFFLINE.value,
        ),
        [{"owner": owner, "seconds": seconds} for owner, seconds in credits],
    )


def end_idle(session: Session, now: datetime, idle_minutes: int) -> int:
    """End every running session without a frame for ``idle_minutes``; each
    ends at its last frame (the time it was last seen live), which is what
    its live hours count. Set-based: one UPDATE … RETURNING claims them, so
    a sweep running twice at once ends each session once. The caller commits."""
    cutoff = now - timedelta(minutes=idle_minutes)
    ended = session.execute(
        update(LiveSession)
        .where(LiveSession.status == LiveStatus.LIVE, LiveSession.last_frame_at < cutoff)
        .values(status=LiveStatus.ENDED, ended_at=LiveSession.last_frame_at)
        .returning(
            LiveSession.id, LiveSession.owner_id, LiveSession.started_at, LiveSession.last_frame_at
        )
        .execution_options(synchronize_session=False)
    ).all()
    _credit_owners(
        session, [(row.owner_id, _seconds(row.started_at, row.last_frame_at)) for row in ended]
    )
    for row in ended:
        data = {"id": row.id, "status": LiveStatus.ENDED.value}
        data["ended_at"] = row.last_frame_at.isoformat()
        publish.after_commit(session, topic(row.id), "status", data)
    session.expire_all()
    return len(ended)


def live_seconds_of(user: User, running: LiveSession | None, now: datetime) -> int:
    """The user's live hours in seconds: ended sessions' plus the running one's age."""
    extra = _seconds(running.started_at, now) if running is not None else 0
    return int(user.live_seconds or 0) + extra


def elapsed_seconds(live: LiveSession, now: datetime) -> int:
    return _seconds(live.started_at, live.ended_at or now)
