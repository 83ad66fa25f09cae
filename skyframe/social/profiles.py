"""Profile pages: a user's posts, their counts, and whether the viewer follows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from skyframe import policy
from skyframe.models import Follow, Post, PostStatus, User
from skyframe.policy import listed_posts
from skyframe.social import interactions

Position = tuple[datetime, int]


@dataclass(frozen=True)
class ProfileCounts:
    posts: int
    followers: int
    following: int
    views: int = 0  # of all the account's posts, ever (users.view_count)


def profile_posts(
    session: Session,
    owner: User,
    viewer: User | None,
    *,
    limit: int,
    before: Position | None,
) -> list[Post]:
    """Up to ``limit`` of the owner's posts, newest first, strictly older than
    ``before`` (keyset on the (owner_id, created_at, id) index)."""
    conditions = [Post.owner_id == owner.id]
    if not policy.can_see_all_posts_of(owner, viewer):
        conditions += listed_posts()
    if before is not None:
        conditions.append(tuple_(Post.created_at, Post.id) < tuple_(*before))
    query = select(Post).where(*conditions).order_by(Post.created_at.desc(), Post.id.desc())
    return list(session.scalars(query.limit(limit)))


def profile_counts(session: Session, owner: User) -> ProfileCounts:
    # A disabled account's profile is for staff: its ready posts, none listed.
    ready = [Post.status == PostStatus.READY] if owner.disabled else listed_posts()
    posts = session.scalar(
        select(func.count()).select_from(Post).where(Post.owner_id == owner.id, *ready)
    )
    followers, following = interactions.follow_counts(session, owner)
    return ProfileCounts(
        posts=posts or 0, followers=followers, following=following, views=owner.view_count
    )


def is_following(session: Session, follower: User | None, followee: User) -> bool:
    if follower is None or follower.id == followee.id:
        return False
    found = session.scalar(
        select(Follow.follower_id).where(
            Follow.follower_id == follower.id, Follow.followee_id == followee.id
        )
    )
    return found is not None
