"""Likes, saves and follows: idempotent, with counters that never drift.

Each change is one INSERT … ON CONFLICT DO NOTHING (or one DELETE) whose row
count decides, in the same transaction, whether the counter moves: liking
twice, or two requests liking at once, adds exactly one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from skyframe.database import insert_ignoring_duplicates
from skyframe.exceptions import ValidationFailed
from skyframe.models import (
    Comment,
    CommentLike,
    Follow,
    Post,
    PostLike,
    PostSave,
    User,
    utcnow,
)
from skyframe.policy import listed_posts
from skyframe.social import blocks, notifications


def _bump(session: Session, target, counter, step: int) -> None:
    model = type(target)
    session.execute(update(model).where(model.id == target.id).values({counter: counter + step}))
    session.refresh(target, [counter.key])


def _set_mark(
    session: Session, mark, target_key: str, counter, user: User, target, on: bool
) -> bool:
    """Add or remove one user's mark (a like, a save) on a post or comment,
    moving the target's counter only when a row really changed."""
    key = {"user_id": user.id, target_key: target.id}
    if on:
        changed = insert_ignoring_duplicates(session, mark, **key)
    else:
        changed = session.execute(delete(mark).filter_by(**key)).rowcount == 1
    if changed:
        _bump(session, target, counter, 1 if on else -1)
    return changed


def set_like(
    session: Session, user: User, post: Post, liked: bool, now: datetime | None = None
) -> Post:
    """Like or unlike; a block either way refuses a like (403 ``blocked``),
    as it refuses a follow or a comment — undoing one is always allowed."""
    if liked and post.owner_id != user.id:
        blocks.refuse_if_blocked(session, user, {post.owner_id}, now or utcnow())
    if _set_mark(session, PostLike, "post_id", Post.like_count, user, post, liked) and liked:
        notifications.notify(
            session,
            recipient_id=post.owner_id,
            actor=user,
            kind=notifications.Kind.LIKE,
            post_id=post.id,
            once=True,
        )
    return post


def set_saved(session: Session, user: User, post: Post, saved: bool) -> Post:
    _set_mark(session, PostSave, "post_id", Post.favorite_count, user, post, saved)
    return post


def set_comment_like(
    session: Session, user: User, comment: Comment, liked: bool, now: datetime | None = None
) -> Comment:
    """Like or unlike a comment; refused (403 ``blocked``) across a block
    with its author, as a like of a post is."""
    if liked and comment.author_id != user.id:
        blocks.refuse_if_blocked(session, user, {comment.author_id}, now or utcnow())
    _set_mark(session, CommentLike, "comment_id", Comment.like_count, user, comment, liked)
    return comment


def set_follow(
    session: Session,
    follower: User,
    followee: User,
    following: bool,
    now: datetime | None = None,
) -> None:
    """Follow or unfollow; a block either way refuses a follow (403 ``blocked``)."""
    if follower.id == followee.id:
        raise ValidationFailed("You cannot follow yourself.", fields={"handle": "That is you."})
    if following:
        blocks.refuse_if_blocked(session, follower, {followee.id}, now or utcnow())
        if insert_ignoring_duplicates(
            session, Follow, follower_id=follower.id, followee_id=followee.id
        ):
            notifications.notify(
                session,
                recipient_id=followee.id,
                actor=follower,
                kind=notifications.Kind.FOLLOW,
                once=True,
            )
    else:
        session.execute(
            delete(Follow).where(
                Follow.follower_id == follower.id, Follow.followee_id == followee.id
            )
        )


def saved_posts(
    session: Session, user: User, *, limit: int, after: tuple[datetime, int] | None
) -> list[tuple[Post, datetime]]:
    """The user's saved (listed) posts, most recently saved first, keyset-paginated
    on (saved at, post id); ``limit + 1`` rows tell whether more follow."""
    query = (
        select(Post, PostSave.created_at)
        .join(PostSave, PostSave.post_id == Post.id)
        .where(PostSave.user_id == user.id, *listed_posts())
        .order_by(PostSave.created_at.desc(), PostSave.post_id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        saved_at, post_id = after
        query = query.where(
            tuple_(PostSave.created_at, PostSave.post_id) < tuple_(saved_at, post_id)
        )
    return [(post, saved_at) for post, saved_at in session.execute(query).all()]


def follow_counts(session: Session, user: User) -> tuple[int, int]:
    """(followers, following) of a user."""
    followers = session.scalar(select(func.count()).where(Follow.followee_id == user.id))
    following = session.scalar(select(func.count()).where(Follow.follower_id == user.id))
    return followers or 0, following or 0
