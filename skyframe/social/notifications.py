"""In-app notifications: a follower, a like, a comment, a reply.

Nobody is notified of their own doing, and repeated likes or follows of the
same thing notify once (one row per ``dedupe_key``). What a disabled account
did, or what happened on its posts, is not shown while it stays disabled
(skyframe.policy).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from skyframe.database import insert_ignoring_duplicates
from skyframe.models import Notification, Post, User, utcnow


class Kind(enum.StrEnum):
    FOLLOW = "follow"
    LIKE = "like"
    COMMENT = "comment"
    REPLY = "reply"


def notify(
    session: Session,
    *,
    recipient_id: int,
    actor: User,
    kind: Kind,
    post_id: int | None = None,
    comment_id: int | None = None,
    once: bool = False,
) -> None:
    """Tell ``recipient_id`` that ``actor`` did ``kind``. ``once``: only the
    first time this actor does it to this target."""
    if recipient_id == actor.id:
        return
    values = {
        "recipient_id": recipient_id,
        "actor_id": actor.id,
        "kind": kind.value,
        "post_id": post_id,
        "comment_id": comment_id,
    }
    if once:
        target = post_id if post_id is not None else recipient_id
        values["dedupe_key"] = f"{kind.value}:{actor.id}:{target}"
        insert_ignoring_duplicates(session, Notification, **values)
    else:
        session.add(Notification(created_at=utcnow(), **values))
        session.flush()


def _shown() -> list[ColumnElement[bool]]:
    """Notifications whose actor and post are not hidden: a primary-key probe
    of each per notification (a page, or the unread ones)."""
    actor_disabled = select(User.disabled).where(User.id == Notification.actor_id)
    post_hidden = select(Post.owner_disabled).where(Post.id == Notification.post_id)
    return [
        or_(Notification.actor_id.is_(None), actor_disabled.scalar_subquery() == false()),
        or_(Notification.post_id.is_(None), post_hidden.scalar_subquery() == false()),
    ]


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.recipient_id == user.id,
                Notification.read_at.is_(None),
                *_shown(),
            )
        )
        or 0
    )


def listing(
    session: Session, user: User, *, limit: int, before_id: int | None
) -> list[Notification]:
    """Newest first, keyset-paginated on id; ``limit + 1`` rows tell whether
    more follow."""
    query = (
        select(Notification)
        .where(Notification.recipient_id == user.id, *_shown())
        .order_by(Notification.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(session.scalars(query))


def mark_read(session: Session, user: User, ids: Iterable[int] | None, now: datetime) -> None:
    """Mark some (or, with ``ids`` None, all) of the user's notifications read."""
    statement = update(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(ids)))
    session.execute(statement.values(read_at=now))
