"""Where a search page ended, and the signed cursor that carries it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from skyframe import cursors
from skyframe.search.filters import SearchFilters


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


def page_of(rows: list, limit: int, position_of) -> SearchPage:
    """A page from ``limit + 1`` rows: the extra one says whether more follow."""
    if len(rows) <= limit:
        return SearchPage([row.id for row in rows], None)
    rows = rows[:limit]
    return SearchPage([row.id for row in rows], position_of(rows[-1]))


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
