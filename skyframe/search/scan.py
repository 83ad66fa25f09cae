"""The newest posts matching a text search, with the plan chosen here on
PostgreSQL.

PostgreSQL's planner cannot see that two words, or a word and a category,
go together (every "perseids" post is a meteor post, "hydrogen alpha" is one
phrase), so it expects few matches and collects and sorts every one of them
from the GIN index (29,000 rows, 160–440 ms), or it expects many and walks
the whole table newest first for a word that is nowhere (1.9 s). Neither
plan is left to it:

1. walk the newest RECENT_ROWS posts that pass the other filters, keeping
   the matches: a common word fills a page within a few thousand rows;
2. if some matched but too few, walk as far as the rate seen so far says
   the page needs, up to RECENT_ROWS_MAX;
3. otherwise the word is rare here: collect its matches from the GIN index
   (a materialised CTE, so the planner cannot turn it into a walk), which is
   fast because there are few.

SQLite's FTS5 query is always driven by the full-text index and needs none
of this.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from skyframe.models import Post
from skyframe.search import fulltext

RECENT_ROWS = 5_000
RECENT_ROWS_MAX = 30_000
FIELDS = tuple(getattr(Post, name) for name in fulltext.WEIGHTS)
_NEWEST_FIRST = (Post.created_at.desc(), Post.id.desc())


def newest_matches(
    session: Session,
    conditions: list[ColumnElement[bool]],
    match: fulltext.TextMatch,
    wanted: int,
) -> list[Row]:
    """The newest ``wanted`` posts meeting ``conditions`` and ``match``,
    newest first: rows of id, created_at and the search fields."""
    if session.get_bind().dialect.name != "postgresql":
        query = select(Post.id, Post.created_at, *FIELDS).where(*conditions, match.condition)
        return session.execute(query.order_by(*_NEWEST_FIRST).limit(wanted)).all()
    rows, last = _walk(session, conditions, match, wanted, RECENT_ROWS)
    if len(rows) == wanted or last is None:
        return rows
    if rows:
        # Rows expected to hold the page at the rate seen so far, with a margin.
        expected = int(RECENT_ROWS * wanted / len(rows) * 1.25)
        if expected <= RECENT_ROWS_MAX:
            # Carry on from the last row walked.
            older = tuple_(Post.created_at, Post.id) < tuple_(last.created_at, last.id)
            more, last = _walk(
                session, [*conditions, older], match, wanted - len(rows), expected - RECENT_ROWS
            )
            rows += more
            if len(rows) == wanted or last is None:
                return rows
    return _from_index(session, conditions, match, wanted)


def _walk(session, conditions, match, wanted: int, walked: int) -> tuple[list[Row], Row | None]:
    """The newest ``wanted`` matches among the newest ``walked`` candidates,
    and the last row walked if the walk stopped at its limit (None if it
    ran out of candidates).

    The last walked row comes back matching or not: it says where the walk
    stopped. Whether a row matches is worked out once, as it is walked."""
    position = func.row_number().over(order_by=_NEWEST_FIRST).label("position")
    hit = match.condition.label("hit")
    recent = select(Post.id, Post.created_at, *FIELDS, position, hit).where(*conditions)
    recent = recent.order_by(*_NEWEST_FIRST).limit(walked).subquery("recent")
    query = (
        select(recent)
        .where(or_(recent.c.hit, recent.c.position == walked))
        .order_by(recent.c.created_at.desc(), recent.c.id.desc())
        .limit(wanted + 1)
    )
    rows = session.execute(query).all()
    last = next((row for row in rows if row.position == walked), None)
    return [row for row in rows if row.hit][:wanted], last


def _from_index(session, conditions, match, wanted: int) -> list[Row]:
    hits = (
        select(Post.id, Post.created_at, *FIELDS)
        .where(*conditions, match.condition)
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    query = select(hits).order_by(hits.c.created_at.desc(), hits.c.id.desc()).limit(wanted)
    return session.execute(query).all()
