"""Relevance pages: the newest matches ranked, then older ones newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_

from skyframe.models import Post
from skyframe.search import fulltext, scan
from skyframe.search.orders import newest
from skyframe.search.positions import Position, SearchPage


@dataclass(frozen=True)
class _Ranked:
    id: int
    created_at: datetime
    rank: float


class Relevance:
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
        rows = newest(self.session, self.conditions, after, limit + 1, self.match, self.category)
        next_position = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1] if rows else after
            next_position = Position(id=last.id, created_at=last.created_at, as_of=as_of)
        return SearchPage([row.id for row in rows], next_position)
