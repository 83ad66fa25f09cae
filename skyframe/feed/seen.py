"""Seen history: impressions the client reports, kept within retention and a
per-user cap. Seeing a post again refreshes its time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, literal, select, tuple_
from sqlalchemy.orm import Session

from skyframe.database import dialect_insert
from skyframe.feed.settings import FeedSettings
from skyframe.models import FeedSeen, Post
from skyframe.policy import listed_posts

MAX_BATCH = 100


def record_seen(
    session: Session, user_id: int, post_ids: Iterable[int], settings: FeedSettings, now: datetime
) -> int:
    """Record that ``user_id`` saw ``post_ids`` at ``now``; returns how many
    visible posts were recorded (unknown or hidden ids are ignored)."""
    wanted = sorted(set(post_ids))[:MAX_BATCH]
    if not wanted or not settings.seen_enabled:
        return 0
    insert = dialect_insert(session)
    visible_rows = select(
        literal(user_id), Post.id, literal(now, FeedSeen.__table__.c.seen_at.type)
    ).where(Post.id.in_(wanted), *listed_posts())
    statement = insert(FeedSeen).from_select(["user_id", "post_id", "seen_at"], visible_rows)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "post_id"], set_={"seen_at": statement.excluded.seen_at}
    ).returning(FeedSeen.post_id)
    recorded = len(session.execute(statement).all())
    trim(session, user_id, settings, now)
    return recorded


def trim(session: Session, user_id: int, settings: FeedSettings, now: datetime) -> None:
    """Drop the user's impressions past retention, and all but the newest
    ``seen_max_ids``."""
    seen_from = settings.seen_from(now)
    if seen_from is not None:
        session.execute(
            delete(FeedSeen).where(FeedSeen.user_id == user_id, FeedSeen.seen_at < seen_from)
        )
    if settings.seen_max_ids:
        # The newest row past the cap; it and everything older go. (An
        # OFFSET over the user's own index entries, bounded by the cap.)
        boundary = session.execute(
            select(FeedSeen.seen_at, FeedSeen.post_id)
            .where(FeedSeen.user_id == user_id)
            .order_by(FeedSeen.seen_at.desc(), FeedSeen.post_id.desc())
            .offset(settings.seen_max_ids)
            .limit(1)
        ).first()
        if boundary is not None:
            session.execute(
                delete(FeedSeen).where(
                    FeedSeen.user_id == user_id,
                    tuple_(FeedSeen.seen_at, FeedSeen.post_id) <= tuple_(*boundary),
                )
            )


def purge_expired(session: Session, settings: FeedSettings, now: datetime) -> int:
    """Everyone's impressions past retention (for a periodic job)."""
    seen_from = settings.seen_from(now)
    if seen_from is None:
        return 0
    result = session.execute(delete(FeedSeen).where(FeedSeen.seen_at < seen_from))
    return result.rowcount or 0
