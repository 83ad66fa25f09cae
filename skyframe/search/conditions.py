"""A search's filters as SQL conditions, each answered by its own index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from skyframe import words
from skyframe.models import Post, PostTag, User
from skyframe.policy import listed_posts
from skyframe.search.filters import SearchFilters


def visible() -> ColumnElement[bool]:
    """Posts anyone may find: listed ones (skyframe.policy)."""
    return and_(*listed_posts())


def older_than(created_at: datetime, post_id: int) -> ColumnElement[bool]:
    return tuple_(Post.created_at, Post.id) < tuple_(created_at, post_id)


def newest_first(query: Select) -> Select:
    return query.order_by(Post.created_at.desc(), Post.id.desc())


def of_filters(
    session: Session, filters: SearchFilters, *, category: bool = True
) -> list[ColumnElement[bool]]:
    """The filters as conditions (all but the text; the category too unless
    ``category`` is false)."""
    conditions = [visible()]
    if filters.observer:
        conditions.append(by_observer(session, filters.observer))
    if filters.object:
        conditions.append(about_object(filters))
    if filters.category and category:
        conditions.append(Post.category == filters.category.value)
    if filters.tag:
        conditions.append(tagged(filters.tag))
    if filters.observed_from:
        conditions.append(Post.observed_at >= filters.observed_from)
    if filters.observed_before:
        conditions.append(Post.observed_at < filters.observed_before)
    return conditions


def by_observer(session: Session, observer: str) -> ColumnElement[bool]:
    """Uploads of the user with that handle (whatever the case); when no
    user has it, posts credited to that observer name. One condition either
    way, so one index answers it newest first."""
    by_handle = func.lower(User.handle) == func.lower(observer)
    owner_id = session.scalar(select(User.id).where(by_handle))
    if owner_id is not None:
        return Post.owner_id == owner_id
    return Post.observer_key == words.key(observer)


def about_object(filters: SearchFilters) -> ColumnElement[bool]:
    """Through the catalogue, so M31, NGC 224 and Andromeda Galaxy are one
    object; names it does not know (Jupiter, a comet) match as typed."""
    found = filters.catalogue_object
    if found is not None:
        return Post.object_id == found.id
    return Post.object_key == words.key(filters.object)


def tagged(tag: str) -> ColumnElement[bool]:
    return exists().where(PostTag.post_id == Post.id, PostTag.tag == tag)
