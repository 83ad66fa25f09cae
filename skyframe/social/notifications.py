"""In-app notifications: a follower, a like, a comment, a reply, a followed
user going live, and the
notices of moderation (a report handled, a take-down and its restoration, a
strike issued or resolved, a suspension, a warning), and support's (a
ticket's reply, change of status or assignment).

Nobody is notified of their own doing, and repeated likes or follows of the
same thing notify once (one row per ``dedupe_key``). What a disabled account
did, or what happened on its posts, is not shown while it stays disabled,
and a taken-down post's notifications only to its owner (skyframe.policy).
Moderation notices name no moderator: their actor is empty. What a user
the recipient blocks did is not shown while the block counts
(skyframe.social.blocks).
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
from skyframe.social import blocks


class Kind(enum.StrEnum):
    FOLLOW = "follow"
    LIKE = "like"
    COMMENT = "comment"
    REPLY = "reply"
    REPORT_HANDLED = "report_handled"
    TAKE_DOWN = "take_down"
    RESTORED = "restored"
    STRIKE = "strike"
    STRIKE_RESOLVED = "strike_resolved"
    SUSPENDED = "suspended"
    UNSUSPENDED = "unsuspended"
    WARNING = "warning"
    # Support (skyframe.support.tickets): a message on a ticket, its
    # assignment, and the changes of status that are not a message
    # (escalated to the managers, closed). One kind per change, so a notice
    # says what happened then, whatever the ticket's status is now.
    TICKET_REPLY = "ticket_reply"
    TICKET_ASSIGNED = "ticket_assigned"
    TICKET_ESCALATED = "ticket_escalated"
    TICKET_CLOSED = "ticket_closed"
    APPEAL_DECIDED = "appeal_decided"
    # A followed user went live (skyframe.live.sessions; at most once per
    # LIVE_NOTIFY_COOLDOWN_MINUTES): the actor's channel is the link.
    LIVE = "live"


def notify(
    session: Session,
    *,
    recipient_id: int,
    actor: User | None,
    kind: Kind,
    post_id: int | None = None,
    comment_id: int | None = None,
    report_id: int | None = None,
    strike_id: int | None = None,
    take_down_id: int | None = None,
    ticket_id: int | None = None,
    appeal_id: int | None = None,
    once: bool = False,
) -> None:
    """Tell ``recipient_id`` that ``actor`` did ``kind`` (``actor`` None: a
    notice from the site, such as moderation's). ``once``: only the first
    time this actor does it to this target."""
    if actor is not None and recipient_id == actor.id:
        return
    values = {
        "recipient_id": recipient_id,
        "actor_id": None if actor is None else actor.id,
        "kind": kind.value,
        "post_id": post_id,
        "comment_id": comment_id,
        "report_id": report_id,
        "strike_id": strike_id,
        "take_down_id": take_down_id,
        "ticket_id": ticket_id,
        "appeal_id": appeal_id,
    }
    if once:
        target = post_id if post_id is not None else recipient_id
        values["dedupe_key"] = f"{kind.value}:{actor.id}:{target}"
        insert_ignoring_duplicates(session, Notification, **values)
    else:
        session.add(Notification(created_at=utcnow(), **values))
        session.flush()


def _shown(recipient: User) -> list[ColumnElement[bool]]:
    """Notifications whose actor and post are not hidden, and whose actor
    the recipient does not block: a primary-key probe of each per
    notification (a page, or the unread ones)."""
    actor_disabled = select(User.disabled).where(User.id == Notification.actor_id)
    post_shown = (
        select(Post.id)
        .where(
            Post.id == Notification.post_id,
            Post.owner_disabled == false(),
            or_(Post.taken_down == false(), Post.owner_id == Notification.recipient_id),
        )
        .exists()
    )
    return [
        or_(Notification.actor_id.is_(None), actor_disabled.scalar_subquery() == false()),
        or_(Notification.post_id.is_(None), post_shown),
        *blocks.blocked_by(recipient, Notification.actor_id, utcnow()),
    ]


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.recipient_id == user.id,
                Notification.read_at.is_(None),
                *_shown(user),
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
        .where(Notification.recipient_id == user.id, *_shown(user))
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
