"""Who may see and do what: one rule for every listing, page, file and edit.

**Listings** (the feed's pools, Following, search and its object and tag
pages, related posts, Saved, seen reports, site stats) show *listed* posts:
ready, and not uploaded by a disabled account. That is one condition,
``listed_posts``, which every partial index of posts is built over (see
models.post), so the feed's hot SQL keeps its index-only scans and joins no
users: disabling an account marks its posts (``owner_disabled``) in the same
transaction (``set_account_hidden``).

**A post's own URLs** (its page, its JSON, its files under /media, its
download, its comments) follow ``can_see_post``: a listed post is for
everyone; a post still processing or failed for its owner and staff; a
disabled account's posts for staff only. A user's profile lists everything
to its owner and staff (skyframe.profiles), and a disabled account's profile
is for staff only.

**Comments** by a disabled account are hidden from everyone but staff, and
left out of their post's ``comment_count``, so the count says what the
listing shows; enabling the account puts them back. Likes and follows by a
disabled account are left as they are (they list nothing and count in no
listing a visitor could compare).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from skyframe.models import Comment, Post, PostStatus, User


class PostFacts(Protocol):
    """What the rules read of a post: a loaded Post or a listing's PostView."""

    owner_id: int
    status: str
    owner_disabled: bool


def is_staff(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_staff


def listed_posts(posts=Post) -> list[ColumnElement[bool]]:
    """Conditions for the posts listings show: ready, uploader not disabled.

    ``posts`` is the Post class, its table or an alias of either. The exact
    form matters: the partial indexes' WHERE is these conditions, and a
    planner uses one only when the query's conditions imply it.
    """
    columns = getattr(posts, "c", posts)
    return [columns.status == PostStatus.READY, columns.owner_disabled == false()]


def is_listed(post: PostFacts) -> bool:
    """listed_posts for one loaded post."""
    return post.status == PostStatus.READY and not post.owner_disabled


def can_see_post(post: PostFacts, viewer: User | None) -> bool:
    """Whether ``viewer`` may open this post, its files and its comments."""
    if is_staff(viewer):
        return True
    if post.owner_disabled:
        return False
    return post.status == PostStatus.READY or (viewer is not None and viewer.id == post.owner_id)


def can_edit_post(post: PostFacts, user: User | None) -> bool:
    """Its owner and staff may edit or delete a post (and see why it failed)."""
    return user is not None and (user.id == post.owner_id or is_staff(user))


def can_see_all_posts_of(owner: User, viewer: User | None) -> bool:
    """A profile lists every post, processing and failed ones too, to its
    owner and staff; others see its listed posts."""
    return viewer is not None and (viewer.id == owner.id or is_staff(viewer))


def can_edit_comment(comment: Comment, user: User | None) -> bool:
    """Only its author edits a comment."""
    return user is not None and user.id == comment.author_id


def can_delete_comment(comment: Comment, post_owner_id: int, user: User | None) -> bool:
    """Its author, the post's owner and staff may delete a comment."""
    return user is not None and (user.id in (comment.author_id, post_owner_id) or is_staff(user))


def can_see_account(user: User, viewer: User | None) -> bool:
    """A disabled account (its profile, its avatar) is for staff only."""
    return not user.disabled or is_staff(viewer)


def shown_comments(viewer: User | None) -> list[ColumnElement[bool]]:
    """Conditions on comments (with their author joined as User) for what a
    post's conversation shows ``viewer``."""
    return [] if is_staff(viewer) else [User.disabled == false()]


def can_see_comment(comment: Comment, viewer: User | None) -> bool:
    return not comment.author.disabled or is_staff(viewer)


def set_account_hidden(session: Session, user_id: int, hidden: bool) -> None:
    """Hide (or show again) an account's posts and comments, in the caller's
    transaction: its posts are marked, and the comment counts of the posts it
    commented on drop (or regain) its comments. Call once per change of the
    account's state (accounts.set_disabled does)."""
    session.execute(update(Post).where(Post.owner_id == user_id).values(owner_disabled=hidden))
    theirs = (
        select(func.count())
        .where(Comment.post_id == Post.id, Comment.author_id == user_id)
        .scalar_subquery()
    )
    step = -theirs if hidden else theirs
    commented = select(Comment.post_id).where(Comment.author_id == user_id)
    session.execute(
        update(Post)
        .where(Post.id.in_(commented))
        .values(comment_count=Post.comment_count + step)
        .execution_options(synchronize_session=False)
    )
