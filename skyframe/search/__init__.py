"""Search and discovery: filtered, full-text search of posts, "more like
this", and handle typeahead.

Every filter is answered from an index of ready posts (migration 0008) and
pages are keyset positions, never OFFSET. Newest-first pages continue from
(created_at, id). Relevance pages rank the newest ``rank_window`` matches of
the search as it stood on its first page (as_of) and continue from (rank,
id): ranking every match of a common word would read a large part of the
table, while the newest thousand matches answer in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from skyframe import cursors
from skyframe.models import Post, PostStatus, PostTag, User
from skyframe.models.user import HANDLE_MAX_LENGTH
from skyframe.search import fulltext
from skyframe.search.filters import SearchFilters, Sort
from skyframe.text import escape_like

__all__ = [
    "Position",
    "ResultPage",
    "SearchFilters",
    "SearchPage",
    "Sort",
    "find",
    "page",
    "related",
    "suggest_handles",
]

SUGGESTIONS_MAX = 10
RELATED_MAX = 6


@dataclass(frozen=True)
class Position:
    """Where a page ended."""

    id: int
    created_at: datetime | None = None  # newest-first pages
    rank: float | None = None  # relevance pages
    as_of: datetime | None = None  # relevance pages: the search's snapshot


@dataclass(frozen=True)
class SearchPage:
    post_ids: list[int]
    next_position: Position | None


@dataclass(frozen=True)
class ResultPage:
    post_ids: list[int]
    next_cursor: str | None


def page(
    session: Session,
    filters: SearchFilters,
    *,
    secret: str,
    cursor: str | None,
    limit: int,
    now: datetime,
    rank_window: int,
) -> ResultPage:
    """One page of a search, continuing from a signed ``cursor`` of the same search."""
    after = decode_cursor(secret, filters, cursor) if cursor else None
    found = find(session, filters, limit=limit, now=now, after=after, rank_window=rank_window)
    next_cursor = None
    if found.next_position is not None:
        next_cursor = encode_cursor(secret, filters, found.next_position)
    return ResultPage(found.post_ids, next_cursor)


def visible() -> ColumnElement[bool]:
    """Posts anyone may find."""
    return Post.status == PostStatus.READY


def find(
    session: Session,
    filters: SearchFilters,
    *,
    limit: int,
    now: datetime,
    after: Position | None = None,
    rank_window: int = 1000,
) -> SearchPage:
    """One page of posts matching ``filters``, best first."""
    conditions = _conditions(session, filters)
    text = None
    if filters.text:
        text = fulltext.matches(session.get_bind().dialect.name, filters.text)
        if text is None:
            return SearchPage([], None)
    if filters.sort is Sort.RELEVANCE and text is not None:
        return _by_relevance(session, conditions, text, limit, now, after, rank_window)
    query = select(Post.id, Post.created_at).where(*conditions)
    if text is not None:
        query = text.apply(query)
    if after is not None and after.created_at is not None:
        query = query.where(tuple_(Post.created_at, Post.id) < tuple_(after.created_at, after.id))
    rows = session.execute(_newest_first(query).limit(limit + 1)).all()
    next_position = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_position = Position(id=rows[-1].id, created_at=rows[-1].created_at)
    return SearchPage([row.id for row in rows], next_position)


def _by_relevance(session, conditions, text, limit, now, after, rank_window) -> SearchPage:
    as_of = after.as_of if after is not None and after.as_of is not None else now
    matches = select(Post.id.label("id"), text.rank.label("rank")).where(
        *conditions, Post.created_at <= as_of
    )
    matches = text.apply(matches)
    if rank_window:
        matches = _newest_first(matches).limit(rank_window)
    ranked = matches.subquery("ranked")
    query = select(ranked.c.id, ranked.c.rank)
    if after is not None and after.rank is not None:
        query = query.where(tuple_(ranked.c.rank, ranked.c.id) < tuple_(after.rank, after.id))
    query = query.order_by(ranked.c.rank.desc(), ranked.c.id.desc()).limit(limit + 1)
    rows = session.execute(query).all()
    next_position = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_position = Position(id=rows[-1].id, rank=float(rows[-1].rank), as_of=as_of)
    return SearchPage([row.id for row in rows], next_position)


def _newest_first(query: Select) -> Select:
    return query.order_by(Post.created_at.desc(), Post.id.desc())


def _conditions(session: Session, filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions = [visible()]
    if filters.observer:
        conditions.append(_by_observer(session, filters.observer))
    if filters.object:
        conditions.append(_about_object(filters))
    if filters.category:
        conditions.append(Post.category == filters.category.value)
    if filters.tag:
        conditions.append(_tagged(filters.tag))
    if filters.observed_from:
        conditions.append(Post.observed_at >= filters.observed_from)
    if filters.observed_before:
        conditions.append(Post.observed_at < filters.observed_before)
    return conditions


def _by_observer(session: Session, observer: str) -> ColumnElement[bool]:
    """Posts uploaded by the user with that handle, or credited to that
    observer name (whatever the case)."""
    named = func.lower(Post.observer) == func.lower(observer)
    owner_id = session.scalar(
        select(User.id).where(func.lower(User.handle) == func.lower(observer))
    )
    return or_(Post.owner_id == owner_id, named) if owner_id is not None else named


def _about_object(filters: SearchFilters) -> ColumnElement[bool]:
    """Through the catalogue, so M31, NGC 224 and Andromeda Galaxy are one
    object; names it does not know (Jupiter, a comet) match as typed."""
    found = filters.catalogue_object
    if found is not None:
        return Post.object_id == found.id
    return func.lower(Post.object_name) == func.lower(filters.object)


def _tagged(tag: str) -> ColumnElement[bool]:
    return exists().where(PostTag.post_id == Post.id, PostTag.tag == tag)


def related(session: Session, post: Post, limit: int = RELATED_MAX) -> list[int]:
    """Ids of posts like ``post``: the same object first, then the same
    uploader, then the same category — newest first within each, never the
    post itself or a post others cannot see."""
    same_object = None
    if post.object_id:
        same_object = Post.object_id == post.object_id
    elif post.object_name:
        same_object = func.lower(Post.object_name) == func.lower(post.object_name)
    chosen: list[int] = []
    for alike in (same_object, Post.owner_id == post.owner_id, Post.category == post.category):
        wanted = limit - len(chosen)
        if alike is None or wanted <= 0:
            continue
        query = select(Post.id).where(visible(), alike, Post.id.not_in([post.id, *chosen]))
        chosen += session.scalars(_newest_first(query).limit(wanted))
    return chosen


def suggest_handles(session: Session, prefix: str, limit: int = SUGGESTIONS_MAX) -> Sequence[User]:
    """Active users whose handle starts with ``prefix`` (any case): an exact
    match first, then alphabetical. LIKE's wildcards in the input are taken
    literally; input longer than a handle can be matches nothing."""
    prefix = prefix.strip().removeprefix("@")
    if not prefix or len(prefix) > HANDLE_MAX_LENGTH:
        return []
    handle = func.lower(User.handle)
    query = (
        select(User)
        .where(
            handle.like(escape_like(prefix.lower()) + "%", escape="\\"), User.disabled.is_(False)
        )
        .order_by(handle != prefix.lower(), handle)
        .limit(min(limit, SUGGESTIONS_MAX))
    )
    return session.scalars(query).all()


CURSOR_LISTING = "search"


def encode_cursor(secret: str, filters: SearchFilters, position: Position) -> str:
    """A signed cursor, bound to the search it continues."""
    payload = [
        filters.fingerprint(),
        position.id,
        position.created_at.isoformat() if position.created_at else None,
        position.rank,
        position.as_of.isoformat() if position.as_of else None,
    ]
    return cursors.dumps(secret, CURSOR_LISTING, payload)


def decode_cursor(secret: str, filters: SearchFilters, cursor: str) -> Position:
    payload = cursors.loads(secret, CURSOR_LISTING, cursor)
    try:
        fingerprint, post_id, created_at, rank, as_of = payload
        if fingerprint != filters.fingerprint():
            raise ValueError("a cursor of another search")
        return Position(
            id=int(post_id),
            created_at=datetime.fromisoformat(created_at) if created_at else None,
            rank=float(rank) if rank is not None else None,
            as_of=datetime.fromisoformat(as_of) if as_of else None,
        )
    except (ValueError, TypeError) as exc:
        raise cursors.invalid() from exc
