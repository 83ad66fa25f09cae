"""Search and discovery: filtered, full-text search of posts, "more like
this", and handle typeahead.

Every filter is answered from an index of ready posts (migration 0008) and
pages are keyset positions, never OFFSET. Newest-first pages continue from
(created_at, id), observation-date pages from (observed_at, created_at, id).
Relevance pages rank the newest ``rank_window`` matches of the search as it
stood on its first page (as_of, and the window's oldest match) and continue
from (rank, id), then list older matches newest first: ranking every match of
a common word would read a large part of the table, while the newest few
hundred matches answer in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from skyframe import cursors, words
from skyframe.models import Post, PostTag, User, utcnow
from skyframe.models.user import HANDLE_MAX_LENGTH
from skyframe.policy import listed_posts
from skyframe.search import fulltext, scan
from skyframe.search.filters import SearchFilters, Sort
from skyframe.social import blocks
from skyframe.text import escape_like, has_control

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
    bound: tuple[datetime, int] | None = None  # relevance: the window's oldest match
    observed_at: datetime | None = None  # pages by observation date


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
    """Posts anyone may find: listed ones (skyframe.policy)."""
    return and_(*listed_posts())


def find(
    session: Session,
    filters: SearchFilters,
    *,
    limit: int,
    now: datetime,
    after: Position | None = None,
    rank_window: int = 200,
) -> SearchPage:
    """One page of posts matching ``filters``, best first."""
    if filters.text:
        text = fulltext.matches(session.get_bind().dialect.name, filters.text)
        if text is None:
            return SearchPage([], None)
        # The category goes to the scan, which walks its index (scan.py).
        conditions = _conditions(session, filters, category=False)
        category = filters.category.value if filters.category else None
        if filters.sort is Sort.RELEVANCE:
            relevance = _Relevance(session, conditions, text, rank_window, category)
            return relevance.page(limit, now, after)
        if filters.sort is Sort.NEWEST:
            return _newest_page(session, conditions, after, limit, text, category)
        return _by_observation(session, conditions, after, limit, text, category)
    conditions = _conditions(session, filters)
    if filters.sort is Sort.OBSERVED:
        return _by_observation(session, conditions, after, limit)
    return _newest_page(session, conditions, after, limit)


def _newest_page(session, conditions, after, limit: int, text=None, category=None) -> SearchPage:
    rows = _newest(session, conditions, after, limit + 1, text, category)
    return _page(rows, limit, lambda last: Position(id=last.id, created_at=last.created_at))


def _page(rows: list, limit: int, position_of) -> SearchPage:
    """A page from ``limit + 1`` rows: the extra one says whether more follow."""
    if len(rows) <= limit:
        return SearchPage([row.id for row in rows], None)
    rows = rows[:limit]
    return SearchPage([row.id for row in rows], position_of(rows[-1]))


def _by_observation(
    session: Session,
    conditions: list,
    after: Position | None,
    limit: int,
    text: fulltext.TextMatch | None = None,
    category: str | None = None,
):
    """Latest observation first: answered from the observed_at indexes, so an
    old range of dates costs what it holds, not what was uploaded since.
    With text, walked like newest-first text pages (scan)."""
    key = scan.OBSERVED
    conditions = [*conditions, Post.observed_at.is_not(None)]
    if after is not None and after.observed_at is not None:
        conditions.append(tuple_(*key) < tuple_(after.observed_at, after.created_at, after.id))
    if text is not None:
        rows = scan.first_matches(
            session, conditions, text, limit + 1, order=key, category=category
        )
    else:
        query = select(*key).where(*conditions).order_by(*(column.desc() for column in key))
        rows = session.execute(query.limit(limit + 1)).all()
    return _page(
        rows,
        limit,
        lambda last: Position(id=last.id, created_at=last.created_at, observed_at=last.observed_at),
    )


def _newest(
    session: Session,
    conditions: list,
    after: Position | None,
    limit: int,
    text: fulltext.TextMatch | None = None,
    category: str | None = None,
) -> list:
    if after is not None and after.created_at is not None:
        conditions = [*conditions, _older_than(after.created_at, after.id)]
    if text is not None:
        return scan.first_matches(session, conditions, text, limit, category=category)
    query = select(Post.id, Post.created_at).where(*conditions)
    return session.execute(_newest_first(query).limit(limit)).all()


def _older_than(created_at: datetime, post_id: int) -> ColumnElement[bool]:
    return tuple_(Post.created_at, Post.id) < tuple_(created_at, post_id)


@dataclass(frozen=True)
class _Ranked:
    id: int
    created_at: datetime
    rank: float


class _Relevance:
    """Ranked pages over the window, then the older matches newest first.

    The window is fixed on the first page (its snapshot ``as_of`` and its
    oldest member ``bound``): a post that becomes visible meanwhile cannot
    push an unserved one out of it. Its rows are ranked here, in Python
    (fulltext.score): at most twice the window, and the same order on both
    databases."""

    def __init__(
        self,
        session,
        conditions,
        match: fulltext.TextMatch,
        rank_window: int,
        category: str | None = None,
    ) -> None:
        self.session = session
        self.conditions = conditions  # all but the text and the category
        self.category = category
        self.match = match
        self.rank_window = rank_window

    def page(self, limit: int, now: datetime, after: Position | None) -> SearchPage:
        as_of = after.as_of if after is not None and after.as_of is not None else now
        self.conditions = [*self.conditions, Post.created_at <= as_of]
        if after is not None and after.rank is None and after.created_at is not None:
            return self._tail(after, limit, as_of)
        if after is None and self.rank_window:
            rows, bound = self._first_window()
        else:
            bound = after.bound if after is not None else None
            rows = self._rest_of_window(bound, after)
        if len(rows) > limit:
            last = rows[limit - 1]
            position = Position(id=last.id, rank=last.rank, as_of=as_of, bound=bound)
            return SearchPage([row.id for row in rows[:limit]], position)
        ids = [row.id for row in rows]
        if bound is None:
            return SearchPage(ids, None)
        oldest = Position(id=bound[1], created_at=bound[0])
        rest = self._tail(oldest, limit - len(ids), as_of)
        return SearchPage(ids + rest.post_ids, rest.next_position)

    def _first_window(self) -> tuple[list[_Ranked], tuple[datetime, int] | None]:
        """The newest ``rank_window`` matches, best first, and the oldest of
        them when older matches exist."""
        rows = self._matches(self.conditions, self.rank_window + 1)
        bound = None
        if len(rows) > self.rank_window:
            rows = rows[: self.rank_window]
            bound = (rows[-1].created_at, rows[-1].id)
        return self._best_first(rows), bound

    def _rest_of_window(self, bound, after: Position | None) -> list[_Ranked]:
        """The window's rows ranked after the cursor."""
        conditions = list(self.conditions)
        if bound:
            conditions.append(tuple_(Post.created_at, Post.id) >= tuple_(*bound))
        # Twice the window: room for posts that became visible since the first page.
        rows = self._matches(conditions, 2 * self.rank_window, floor=bound[0] if bound else None)
        ranked = self._best_first(rows)
        if after is not None and after.rank is not None:
            ranked = [row for row in ranked if (row.rank, row.id) < (after.rank, after.id)]
        return ranked

    def _matches(self, conditions, wanted: int, floor: datetime | None = None) -> list:
        return scan.first_matches(
            self.session, conditions, self.match, wanted, category=self.category, floor=floor
        )

    def _best_first(self, rows) -> list[_Ranked]:
        score = self.match.score_fields
        scored = (
            _Ranked(
                row.id, row.created_at, score(row.search_title, row.search_names, row.search_notes)
            )
            for row in rows
        )
        return sorted(scored, key=lambda row: (row.rank, row.id), reverse=True)

    def _tail(self, after: Position, limit: int, as_of: datetime) -> SearchPage:
        """Matches older than the ranked window, newest first."""
        rows = _newest(self.session, self.conditions, after, limit + 1, self.match, self.category)
        next_position = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1] if rows else after
            next_position = Position(id=last.id, created_at=last.created_at, as_of=as_of)
        return SearchPage([row.id for row in rows], next_position)


def _newest_first(query: Select) -> Select:
    return query.order_by(Post.created_at.desc(), Post.id.desc())


def _conditions(
    session: Session, filters: SearchFilters, *, category: bool = True
) -> list[ColumnElement[bool]]:
    """The filters as conditions (all but the text; the category too unless
    ``category`` is false)."""
    conditions = [visible()]
    if filters.observer:
        conditions.append(_by_observer(session, filters.observer))
    if filters.object:
        conditions.append(_about_object(filters))
    if filters.category and category:
        conditions.append(Post.category == filters.category.value)
    if filters.tag:
        conditions.append(_tagged(filters.tag))
    if filters.observed_from:
        conditions.append(Post.observed_at >= filters.observed_from)
    if filters.observed_before:
        conditions.append(Post.observed_at < filters.observed_before)
    return conditions


def _by_observer(session: Session, observer: str) -> ColumnElement[bool]:
    """Uploads of the user with that handle (whatever the case); when no
    user has it, posts credited to that observer name. One condition either
    way, so one index answers it newest first."""
    by_handle = func.lower(User.handle) == func.lower(observer)
    owner_id = session.scalar(select(User.id).where(by_handle))
    if owner_id is not None:
        return Post.owner_id == owner_id
    return Post.observer_key == words.key(observer)


def _about_object(filters: SearchFilters) -> ColumnElement[bool]:
    """Through the catalogue, so M31, NGC 224 and Andromeda Galaxy are one
    object; names it does not know (Jupiter, a comet) match as typed."""
    found = filters.catalogue_object
    if found is not None:
        return Post.object_id == found.id
    return Post.object_key == words.key(filters.object)


def _tagged(tag: str) -> ColumnElement[bool]:
    return exists().where(PostTag.post_id == Post.id, PostTag.tag == tag)


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
        chosen += session.scalars(_newest_first(query).limit(wanted))
    return chosen


def suggest_handles(
    session: Session,
    prefix: str,
    limit: int = SUGGESTIONS_MAX,
    *,
    viewer: User | None = None,
    now: datetime | None = None,
) -> Sequence[User]:
    """Active users whose handle starts with ``prefix`` (any case): an exact
    match first, then alphabetical. LIKE's wildcards in the input are taken
    literally; input longer than a handle can be matches nothing. Deleted
    accounts, and users a block stands between ``viewer`` and, are left out."""
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


CURSOR_LISTING = "search"


def encode_cursor(secret: str, filters: SearchFilters, position: Position) -> str:
    """A signed cursor, bound to the search it continues."""
    payload = [
        filters.fingerprint(),
        position.id,
        position.created_at.isoformat() if position.created_at else None,
        position.rank,
        position.as_of.isoformat() if position.as_of else None,
        [position.bound[0].isoformat(), position.bound[1]] if position.bound else None,
        position.observed_at.isoformat() if position.observed_at else None,
    ]
    return cursors.dumps(secret, CURSOR_LISTING, payload)


def decode_cursor(secret: str, filters: SearchFilters, cursor: str) -> Position:
    payload = cursors.loads(secret, CURSOR_LISTING, cursor)
    try:
        fingerprint, post_id, created_at, rank, as_of, bound, observed_at = payload
        if fingerprint != filters.fingerprint():
            raise ValueError("a cursor of another search")
        return Position(
            id=int(post_id),
            created_at=datetime.fromisoformat(created_at) if created_at else None,
            rank=float(rank) if rank is not None else None,
            as_of=datetime.fromisoformat(as_of) if as_of else None,
            bound=(datetime.fromisoformat(bound[0]), int(bound[1])) if bound else None,
            observed_at=datetime.fromisoformat(observed_at) if observed_at else None,
        )
    except (ValueError, TypeError) as exc:
        raise cursors.invalid() from exc
