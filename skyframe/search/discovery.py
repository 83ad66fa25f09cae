"""Discovery beside search: "more like this" and handle typeahead."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skyframe.models import Post, User, utcnow
from skyframe.models.user import HANDLE_MAX_LENGTH
from skyframe.search.conditions import newest_first, visible
from skyframe.social import blocks
from skyframe.text import escape_like, has_control

SUGGESTIONS_MAX = 10
RELATED_MAX = 6


def related(session: Session, post: Post, limit: int = RELATED_MAX) -> list[int]:
    """Ids of posts like ``post``: the same object first, then the same
    uploader, then the same category — newest first within each, never the
    post itself or a post others cannot see."""
    same_object = None
    if post.object_id:
        same_object = Post.object_id == post.object_id
    elif post.object_key:
        same_object = Post.object_key == post.object_key
    chosen: list[int] = []
    for alike in (same_object, Post.owner_id == post.owner_id, Post.category == post.category):
        wanted = limit - len(chosen)
        if alike is None or wanted <= 0:
            continue
        query = select(Post.id).where(visible(), alike, Post.id.not_in([post.id, *chosen]))
        chosen += session.scalars(newest_first(query).limit(wanted))
    return chosen


def suggest_handles(
    session: Session,
    prefix: str,
    limit: int = SUGGESTIONS_MAX,
    *,
    viewer: User | None = None,
    now: datetime | None = None,
) -> Sequence[User]:
    """Users whose handle starts with ``prefix`` (any case): an exact match
    first, then alphabetical. LIKE's wildcards in the input are taken
    literally; input longer than a handle can be matches nothing. Disabled
    and deleted accounts, and users a block stands between ``viewer`` and,
    are left out."""
    prefix = prefix.strip().removeprefix("@")
    if not prefix or len(prefix) > HANDLE_MAX_LENGTH or has_control(prefix, allowed=""):
        return []
    handle = func.lower(User.handle)
    query = (
        select(User)
        .where(
            handle.like(escape_like(prefix.lower()) + "%", escape="\\"),
            User.disabled.is_(False),
            User.deleted_at.is_(None),
            *blocks.hidden_condition(User.id, viewer, now or utcnow()),
        )
        .order_by(handle != prefix.lower(), handle)
        .limit(min(limit, SUGGESTIONS_MAX))
    )
    return session.scalars(query).all()
