"""Likes, favourites and follows: idempotent, with counters that never drift.

Each change is one INSERT … ON CONFLICT DO NOTHING (or one DELETE) whose row
count decides, in the same transaction, whether the counter moves: liking
twice, or two requests liking at once, adds exactly one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, literal, select, tuple_, union_all, update
from sqlalchemy.orm import Session

from skyframe import notifications
from skyframe.database import in_bound_ids, insert_ignoring_duplicates
from skyframe.exceptions import ValidationFailed
from skyframe.models import (
    Comment,
    CommentLike,
    Follow,
    Post,
    PostFavorite,
    PostLike,
    User,
)
from skyframe.visibility import listed_posts

if TYPE_CHECKING:
    from skyframe.posts import PostView


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


def set_like(session: Session, user: User, post: Post, liked: bool) -> Post:
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


def set_favorite(session: Session, user: User, post: Post, favorited: bool) -> Post:
    _set_mark(session, PostFavorite, "post_id", Post.favorite_count, user, post, favorited)
    return post


def set_comment_like(session: Session, user: User, comment: Comment, liked: bool) -> Comment:
    _set_mark(session, CommentLike, "comment_id", Comment.like_count, user, comment, liked)
    return comment


def set_follow(session: Session, follower: User, followee: User, following: bool) -> None:
    if follower.id == followee.id:
        raise ValidationFailed("You cannot follow yourself.", fields={"handle": "That is you."})
    if following:
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


@dataclass(frozen=True)
class ViewerFlags:
    """What one viewer has done to a page of posts."""

    liked: frozenset[int] = frozenset()  # post ids
    favorited: frozenset[int] = frozenset()  # post ids
    following: frozenset[int] = frozenset()  # uploader ids


def viewer_flags(session: Session, user: User, posts: Sequence[Post | PostView]) -> ViewerFlags:
    """The viewer's likes, saves and follows among ``posts``: one query of
    three indexed parts for a whole page, however long."""
    if not posts:
        return ViewerFlags()
    params = {
        "user_id": user.id,
        "post_ids": [post.id for post in posts],
        "owner_ids": list({post.owner_id for post in posts}),
    }
    found: dict[str, set[int]] = {"liked": set(), "saved": set(), "followed": set()}
    statement = _viewer_flags_statement(session.get_bind().dialect.name)
    for kind, item_id in session.execute(statement, params):
        found[kind].add(item_id)
    return ViewerFlags(
        frozenset(found["liked"]), frozenset(found["saved"]), frozenset(found["followed"])
    )


def viewer_flag_columns(post_id, owner_id) -> list:
    """Whether the viewer bound as ``viewer_id`` liked, saved and follows the
    uploader of the post in ``post_id``/``owner_id``: three columns for a
    statement that lists posts (read back with flags_from_rows).

    Each is a primary-key probe per post. (As EXISTS, PostgreSQL may instead
    hash every like or follow of the viewer's, for each page: cheap for most
    people, not for someone with a hundred thousand likes.)
    """
    user_id = bindparam("viewer_id")

    def probe(column, *conditions):
        return select(column).where(*conditions).limit(1).scalar_subquery().is_not(None)

    liked = probe(PostLike.post_id, PostLike.user_id == user_id, PostLike.post_id == post_id)
    favorited = probe(
        PostFavorite.post_id, PostFavorite.user_id == user_id, PostFavorite.post_id == post_id
    )
    following = probe(
        Follow.followee_id, Follow.follower_id == user_id, Follow.followee_id == owner_id
    )
    return [
        liked.label("viewer_liked"),
        favorited.label("viewer_favorited"),
        following.label("viewer_following"),
    ]


def flags_from_rows(rows: Sequence[tuple[int, int, bool, bool, bool]]) -> ViewerFlags:
    """ViewerFlags from (post id, owner id, liked, favorited, following) rows."""
    return ViewerFlags(
        frozenset(post_id for post_id, _, liked, _, _ in rows if liked),
        frozenset(post_id for post_id, _, _, favorited, _ in rows if favorited),
        frozenset(owner_id for _, owner_id, _, _, following in rows if following),
    )


@lru_cache(maxsize=4)
def _viewer_flags_statement(dialect: str):
    # Built once: every listing page runs it, and building it cost more CPU
    # than running it.
    user_id = bindparam("user_id")
    liked = select(literal("liked"), PostLike.post_id).where(
        PostLike.user_id == user_id, in_bound_ids(PostLike.post_id, "post_ids", dialect)
    )
    saved = select(literal("saved"), PostFavorite.post_id).where(
        PostFavorite.user_id == user_id, in_bound_ids(PostFavorite.post_id, "post_ids", dialect)
    )
    followed = select(literal("followed"), Follow.followee_id).where(
        Follow.follower_id == user_id, in_bound_ids(Follow.followee_id, "owner_ids", dialect)
    )
    return union_all(liked, saved, followed)


def saved_posts(
    session: Session, user: User, *, limit: int, after: tuple[datetime, int] | None
) -> list[tuple[Post, datetime]]:
    """The user's saved (listed) posts, most recently saved first, keyset-paginated
    on (saved at, post id); ``limit + 1`` rows tell whether more follow."""
    query = (
        select(Post, PostFavorite.created_at)
        .join(PostFavorite, PostFavorite.post_id == Post.id)
        .where(PostFavorite.user_id == user.id, *listed_posts())
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
