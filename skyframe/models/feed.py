"""What the feed remembers per user: which posts they have already seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from skyframe.models.base import Base, UTCDateTime, utcnow


class FeedSeen(Base):
    """A post the client reported on screen. Seeing it again moves ``seen_at``
    forward, so the least recently seen posts come back first once the feed
    has run out of unseen ones."""

    __tablename__ = "feed_seen"
    __table_args__ = (
        # Retention and the per-user cap trim by age; re-runs walk by age.
        Index("ix_feed_seen_user_seen_at", "user_id", "seen_at", "post_id"),
        Index("ix_feed_seen_post_id", "post_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
