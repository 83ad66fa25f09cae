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

This module is the orchestrator (``page``, ``find``); the parts: filters
(checked input), conditions (filters as SQL), orders (newest first, by
observation date), relevance, positions (pages and their cursor), discovery
(related posts, handle typeahead), and the text machinery: websearch,
fulltext, scan, schema.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from skyframe.search import conditions, fulltext, orders
from skyframe.search.discovery import RELATED_MAX, SUGGESTIONS_MAX, related, suggest_handles
from skyframe.search.filters import SearchFilters, Sort
from skyframe.search.positions import (
    Position,
    ResultPage,
    SearchPage,
    decode_cursor,
    encode_cursor,
)
from skyframe.search.relevance import Relevance

__all__ = [
    "RELATED_MAX",
    "SUGGESTIONS_MAX",
    "Position",
    "ResultPage",
    "SearchFilters",
    "SearchPage",
    "Sort",
    "decode_cursor",
    "encode_cursor",
    "find",
    "page",
    "related",
    "suggest_handles",
]


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
        wanted = conditions.of_filters(session, filters, category=False)
        category = filters.category.value if filters.category else None
        if filters.sort is Sort.RELEVANCE:
            relevance = Relevance(session, wanted, text, rank_window, category)
            return relevance.page(limit, now, after)
        if filters.sort is Sort.NEWEST:
            return orders.newest_page(session, wanted, after, limit, text, category)
        return orders.by_observation(session, wanted, after, limit, text, category)
    wanted = conditions.of_filters(session, filters)
    if filters.sort is Sort.OBSERVED:
        return orders.by_observation(session, wanted, after, limit)
    return orders.newest_page(session, wanted, after, limit)
