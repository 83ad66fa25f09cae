"""Pages newest first and by observation date (relevance is relevance.py)."""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from skyframe.models import Post
from skyframe.search import fulltext, scan
from skyframe.search.conditions import newest_first, older_than
from skyframe.search.positions import Position, SearchPage, page_of


def newest_page(session, conditions, after, limit: int, text=None, category=None) -> SearchPage:
    rows = newest(session, conditions, after, limit + 1, text, category)
    return page_of(rows, limit, lambda last: Position(id=last.id, created_at=last.created_at))


def by_observation(
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
    return page_of(
        rows,
        limit,
        lambda last: Position(id=last.id, created_at=last.created_at, observed_at=last.observed_at),
    )


def newest(
    session: Session,
    conditions: list,
    after: Position | None,
    limit: int,
    text: fulltext.TextMatch | None = None,
    category: str | None = None,
) -> list:
    if after is not None and after.created_at is not None:
        conditions = [*conditions, older_than(after.created_at, after.id)]
    if text is not None:
        return scan.first_matches(session, conditions, text, limit, category=category)
    query = select(Post.id, Post.created_at).where(*conditions)
    return session.execute(newest_first(query).limit(limit)).all()
