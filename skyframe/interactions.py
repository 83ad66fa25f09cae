"""Likes, favourites and follows: idempotent, with counters that never drift.

Each change is one INSERT … ON CONFLICT DO NOTHING (or one DELETE) whose row
count decides, in the same transaction, whether the counter moves: liking
twice, or two requests liking at once, adds exactly one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.orm import Session

from skyframe.exceptions import ValidationFailed
from skyframe.models import Follow, Post, PostFavorite, PostLike, PostStatus, User, utcnow


def _insert_ignoring_duplicates(session: Session, model, **values) -> bool:
    """True when the row was new."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(model)
        .values(created_at=utcnow(), **values)
        .on_conflict_do_nothing()
        .returning(*model.__table__.primary_key.columns)
    )
    # RETURNING rather than rowcount: psycopg reports -1 for this statement.
    return session.execute(statement).first() is not None


def _bump(session: Session, post: Post, column, step: int) -> None:
    session.execute(update(Post).where(Post.id == post.id).values({column: column + step}))
    session.refresh(post, [column.key])


def _set_mark(session: Session, model, counter, user: User, post: Post, on: bool) -> Post:
    """Add or remove one user's mark (like, favourite) on a post, moving the
    post's counter only when a row really changed."""
    if on:
        changed = _insert_ignoring_duplicates(session, model, user_id=user.id, post_id=post.id)
    else:
        changed = (
            session.execute(
                delete(model).where(model.user_id == user.id, model.post_id == post.id)
            ).rowcount
            == 1
        )
    if changed:
        _bump(session, post, counter, 1 if on else -1)
    return post


def set_like(session: Session, user: User, post: Post, liked: bool) -> Post:
    return _set_mark(session, PostLike, Post.like_count, user, post, liked)


def set_favorite(session: Session, user: User, post: Post, favorited: bool) -> Post:
    return _set_mark(session, PostFavorite, Post.favorite_count, user, post, favorited)


def set_follow(session: Session, follower: User, followee: User, following: bool) -> None:
    if follower.id == followee.id:
        raise ValidationFailed("You cannot follow yourself.", fields={"handle": "That is you."})
    if following:
        _insert_ignoring_duplicates(
            session, Follow, follower_id=follower.id, followee_id=followee.id
        )
    else:
        session.execute(
            delete(Follow).where(
                Follow.follower_id == follower.id, Follow.followee_id == followee.id
            )
        )


def is_liked(session: Session, user: User, post: Post) -> bool:
    return session.get(PostLike, (user.id, post.id)) is not None


def is_favorited(session: Session, user: User, post: Post) -> bool:
    return session.get(PostFavorite, (user.id, post.id)) is not None


def is_following(session: Session, follower: User, followee: User) -> bool:
    return session.get(Follow, (follower.id, followee.id)) is not None


def viewer_flags(session: Session, user: User, post_ids: list[int]) -> tuple[set[int], set[int]]:
    """(liked, favourited) post ids among ``post_ids``: two queries for a page."""
    if not post_ids:
        return set(), set()
    liked = session.scalars(
        select(PostLike.post_id).where(PostLike.user_id == user.id, PostLike.post_id.in_(post_ids))
    )
    saved = session.scalars(
        select(PostFavorite.post_id).where(
            PostFavorite.user_id == user.id, PostFavorite.post_id.in_(post_ids)
        )
    )
    return set(liked), set(saved)


def saved_posts(
    session: Session, user: User, *, limit: int, after: tuple[datetime, int] | None
) -> list[tuple[Post, datetime]]:
    """The user's saved (ready) posts, most recently saved first, keyset-paginated
    on (saved at, post id); ``limit + 1`` rows tell whether more follow."""
    query = (
        select(Post, PostFavorite.created_at)
        .join(PostFavorite, PostFavorite.post_id == Post.id)
        .where(PostFavorite.user_id == user.id, Post.status == PostStatus.READY)
        .order_by(PostFavorite.created_at.desc(), PostFavorite.post_id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        saved_at, post_id = after
        query = query.where(
            tuple_(PostFavorite.created_at, PostFavorite.post_id) < tuple_(saved_at, post_id)
        )
    return [(post, saved_at) for post, saved_at in session.execute(query).all()]


def follow_counts(session: Session, user: User) -> tuple[int, int]:
    """(followers, following) of a user."""
    followers = session.scalar(select(func.count()).where(Follow.followee_id == user.id))
    following = session.scalar(select(func.count()).where(Follow.follower_id == user.id))
    return followers or 0, following or 0
