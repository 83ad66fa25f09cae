"""The first posts matching a text search in a given order (newest upload
first, or latest observation first), with the plan chosen here on
PostgreSQL.

PostgreSQL's planner cannot see that two words, or a word and a category,
go together (every "perseids" post is a meteor post, "hydrogen alpha" is one
phrase), so it expects few matches and collects and sorts every one of them
from the GIN index (29,000 rows, 160–440 ms), or it expects many and walks
the whole table newest first for a word that is nowhere (1.9 s). Neither
plan is left to it:

1. walk the first RECENT_ROWS posts that pass the other filters, keeping
   the matches: a common word fills a page within a few thousand rows;
2. if some matched but too few, and the rate seen so far says the page is
   within RECENT_ROWS_MAX rows, walk on that far;
3. if it is further (a word in well under 1 % of them), collect the matches from
   the GIN index within the stretch of time the walk's pace says holds the
   page: the database ANDs the word's index with the time range's, and reads
   only those rows (then, if that was not enough, everything older);
4. if none matched, the word is rare here: collect all its matches from the
   GIN index, which is fast because there are few.

A collection is a materialised CTE, so the planner cannot turn it back into
a walk. A category is walked through its own index (category, time, id):
the planner would rather walk every post with a filter on the category,
twice as slow, because the category column's order says nothing of where
its rows lie in the table; written as ``= ANY(ARRAY[...])`` and leading the
order, the category is not folded away and only its index gives that order.

SQLite's FTS5 query is always driven by the full-text index and needs none
of this.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import any_, or_, select, tuple_
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, func

from skyframe.models import Post
from skyframe.search import fulltext

RECENT_ROWS = 5_000
RECENT_ROWS_MAX = 30_000
MARGIN = 1.25  # walk or collect a quarter more than the rate seen says
FIELDS = tuple(getattr(Post, name) for name in fulltext.WEIGHTS)
# Orders a page can walk in, each descending; the last columns make it total,
# the first is a time (steps 3's stretch is measured in it).
NEWEST = (Post.created_at, Post.id)
OBSERVED = (Post.observed_at, Post.created_at, Post.id)
_COLUMNS = (Post.id, Post.created_at, Post.observed_at, *FIELDS)


def first_matches(
    session: Session,
    conditions: list[ColumnElement[bool]],
    match: fulltext.TextMatch,
    wanted: int,
    order: tuple[ColumnElement, ...] = NEWEST,
    *,
    category: str | None = None,
    floor: datetime | None = None,
) -> list[Row]:
    """The first ``wanted`` posts meeting ``conditions``, ``category`` (if
    given) and ``match`` in ``order`` (descending; newest upload first by
    default): rows of id, created_at, observed_at and the search fields.
    With OBSERVED, the conditions must leave out posts without an
    observation date. ``floor``: the conditions already leave out posts
    before this time (in the order's first column)."""
    scan = _Scan(session, conditions, match, order, category, floor)
    if session.get_bind().dialect.name != "postgresql":
        return scan.collect(wanted)
    return scan.run(wanted)


class _Scan:
    def __init__(self, session, conditions, match, order, category, floor) -> None:
        self.session = session
        self.floor = floor
        self.match = match
        self.order = order
        self.conditions = list(conditions)
        self.walk_conditions = list(conditions)
        self.walk_order = order
        if category is not None:
            self.conditions.append(Post.category == category)
            self.walk_conditions.append(Post.category == any_(array([category])))
            self.walk_order = (Post.category, *order)

    def run(self, wanted: int) -> list[Row]:
        rows, first, last = self.walk(wanted, RECENT_ROWS)
        walked = RECENT_ROWS
        while len(rows) < wanted and last is not None:
            missing = wanted - len(rows)
            if not rows:  # a rare word: its every match is few
                return rows + self.collect(missing, after=last)
            # Rows expected to hold the page at the rate seen so far.
            needed = int(walked * missing / len(rows) * MARGIN)
            if walked + needed > RECENT_ROWS_MAX:
                return rows + self.collect_in_stretch(missing, first, last, walked, needed)
            more, _, last = self.walk(missing, needed, after=last)
            rows += more
            walked += needed
        return rows

    def walk(
        self, wanted: int, walked: int, after: Row | None = None
    ) -> tuple[list[Row], Row | None, Row | None]:
        """The first ``wanted`` matches among the first ``walked`` candidates
        (after the row ``after``); the first row walked; and the last row
        walked if the walk stopped at its limit (None if it ran out of
        candidates).

        The first and last walked rows come back matching or not: they say
        where the walk went. Whether a row matches is worked out once, as it
        is walked."""
        conditions = self.walk_conditions
        if after is not None:
            conditions = [*conditions, _after(self.order, after)]
        descending = [column.desc() for column in self.walk_order]
        position = func.row_number().over(order_by=descending).label("position")
        hit = self.match.condition.label("hit")
        columns = {column.key: column for column in (*_COLUMNS, *self.walk_order)}
        recent = select(*columns.values(), position, hit).where(*conditions)
        recent = recent.order_by(*descending).limit(walked).subquery("recent")
        query = (
            select(recent)
            .where(or_(recent.c.hit, recent.c.position == walked, recent.c.position == 1))
            .order_by(*(recent.c[column.key].desc() for column in self.walk_order))
            .limit(wanted + 2)
        )
        rows = self.session.execute(query).all()
        first = rows[0] if rows and rows[0].position == 1 else None
        last = next((row for row in rows if row.position == walked), None)
        return [row for row in rows if row.hit][:wanted], first, last

    def collect_in_stretch(
        self, wanted: int, first: Row | None, last: Row, walked: int, needed: int
    ) -> list[Row]:
        """The next ``wanted`` matches after ``last``: first among those
        within the stretch of time that ``needed`` more rows should span at
        the walk's pace, then among everything older."""
        time = self.order[0].key
        start, end = (first._mapping[time], last._mapping[time]) if first else (None, None)
        if start is None or end is None or start <= end:
            return self.collect(wanted, after=last)
        since: datetime = end - (start - end) * (needed / walked)
        if self.floor is not None and since <= self.floor:  # the stretch is all there is
            return self.collect(wanted, after=last)
        rows = self.collect(wanted, after=last, since=since)
        if len(rows) < wanted:
            rows += self.collect(wanted - len(rows), before=since)
        return rows

    def collect(
        self,
        wanted: int,
        *,
        after: Row | None = None,
        since: datetime | None = None,
        before: datetime | None = None,
    ) -> list[Row]:
        """The first ``wanted`` matches (after the row ``after``; at or after
        the time ``since``; before the time ``before``), from the full-text
        index."""
        conditions = [*self.conditions, self.match.condition]
        if after is not None:
            conditions.append(_after(self.order, after))
        if since is not None:
            conditions.append(self.order[0] >= since)
        if before is not None:
            conditions.append(self.order[0] < before)
        query = select(*_COLUMNS).where(*conditions)
        if self.session.get_bind().dialect.name == "postgresql":
            query = select(query.cte("hits").prefix_with("MATERIALIZED"))
        descending = [query.selected_columns[column.key].desc() for column in self.order]
        return self.session.execute(query.order_by(*descending).limit(wanted)).all()


def _after(order: tuple[ColumnElement, ...], row: Row) -> ColumnElement[bool]:
    """Posts after ``row`` in ``order``."""
    return tuple_(*order) < tuple_(*(row._mapping[column.key] for column in order))
