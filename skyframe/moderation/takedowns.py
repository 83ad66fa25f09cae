"""Take-downs: a moderator makes a post unavailable; a manager may restore it.

A taken-down post leaves every listing at once (``posts.taken_down``, which
the listings' partial indexes exclude: skyframe.policy) and its own URLs
answer 404 to all but its owner and staff. The owner is told why. Each
take-down counts towards a strike (moderation.strikes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from skyframe.exceptions import Conflict, NotFound, ValidationFailed
from skyframe.models import AuditSource, Post, TakeDown, User
from skyframe.models.moderation import REASON_MAX_LENGTH
from skyframe.moderation import strikes
from skyframe.moderation.audit import Action, record
from skyframe.policy import Actor, can_moderate, can_restore, can_take_down, require
from skyframe.social.notifications import Kind, notify
from skyframe.text import too_long


class AlreadyTakenDown(Conflict):
    code = "already_taken_down"


class NotTakenDown(Conflict):
    code = "not_taken_down"


def _reason(sent: str, field: str, *, required: bool = True) -> str:
    text = (sent or "").strip()
    if required and not text:
        raise ValidationFailed("Say why.", fields={field: "Say why."})
    if too_long(sent or "", text, REASON_MAX_LENGTH):
        message = f"At most {REASON_MAX_LENGTH} characters."
        raise ValidationFailed(message, fields={field: message})
    return text


def take_down(
    session: Session,
    actor: Actor,
    post: Post,
    reason: str,
    rules: strikes.StrikeRules,
    *,
    now: datetime,
    source: AuditSource,
) -> TakeDown:
    """Take a post down (staff, not their own post), notify its owner with
    the reason, and issue a strike if this take-down completes one."""
    require(can_take_down(actor, post), "Only staff take down posts, and not their own.")
    if post.taken_down:
        raise AlreadyTakenDown("This post is already taken down.")
    reason = _reason(reason, "reason")
    post.taken_down = True
    removal = TakeDown(
        post_id=post.id,
        owner_id=post.owner_id,
        moderator_id=getattr(actor, "id", None),
        reason=reason,
        post_title=post.title,
        created_at=now,
    )
    session.add(removal)
    session.flush()
    record(
        session,
        actor=actor,
        action=Action.POST_TAKE_DOWN,
        target_type="post",
        target_id=post.id,
        reason=reason,
        source=source,
        now=now,
    )
    notify(
        session,
        recipient_id=post.owner_id,
        actor=None,
        kind=Kind.TAKE_DOWN,
        post_id=post.id,
        take_down_id=removal.id,
    )
    strikes.issue_due_strikes(session, session.get(User, post.owner_id), rules, now)
    return removal


def current(session: Session, post_id: int) -> TakeDown | None:
    """The take-down in force on a post, if any."""
    return session.scalar(
        select(TakeDown)
        .where(TakeDown.post_id == post_id, TakeDown.restored_at.is_(None))
        .order_by(TakeDown.id.desc())
        .limit(1)
    )


def current_reasons(session: Session, post_ids: list[int]) -> dict[int, str]:
    """The reasons of the take-downs in force on ``post_ids`` (one query)."""
    if not post_ids:
        return {}
    rows = session.execute(
        select(TakeDown.post_id, TakeDown.reason)
        .where(TakeDown.post_id.in_(post_ids), TakeDown.restored_at.is_(None))
        .order_by(TakeDown.id)
    )
    return dict(rows.all())


def restore(
    session: Session,
    actor: Actor,
    post: Post,
    note: str,
    rules: strikes.StrikeRules,
    *,
    now: datetime,
    source: AuditSource,
) -> TakeDown:
    """Undo a post's take-down (managers only): the post is listed again, the
    owner notified, and no strike is left counted for it."""
    require(can_restore(actor), "Only a manager restores a taken-down post.")
    removal = current(session, post.id)
    if removal is None or not post.taken_down:
        raise NotTakenDown("This post is not taken down.")
    note = _reason(note, "note", required=False)
    removal.restored_at = now
    removal.restored_by_id = getattr(actor, "id", None)
    removal.restore_note = note
    post.taken_down = False
    record(
        session,
        actor=actor,
        action=Action.POST_RESTORE,
        target_type="post",
        target_id=post.id,
        reason=removal.restore_note,
        source=source,
        now=now,
    )
    notify(
        session,
        recipient_id=post.owner_id,
        actor=None,
        kind=Kind.RESTORED,
        post_id=post.id,
        take_down_id=removal.id,
    )
    strikes.withdraw_for_restored(session, actor, removal, now, source)
    strikes.issue_due_strikes(session, session.get(User, post.owner_id), rules, now)
    return removal


def of_user(session: Session, user_id: int) -> list[TakeDown]:
    """A user's take-downs, newest first (their standing page)."""
    return list(
        session.scalars(
            select(TakeDown).where(TakeDown.owner_id == user_id).order_by(TakeDown.id.desc())
        )
    )


def post_for_staff(session: Session, actor: Actor | None, post_id: int) -> Post:
    """A post in any state, for a staff action: 403 for non-staff before 404."""
    require(can_moderate(actor), "Only staff moderate posts.")
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound("No such post.")
    return post
