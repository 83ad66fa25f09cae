"""Messages of the day and who has acknowledged them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from skyframe.models.base import Base, UTCDateTime, utcnow

MOTD_TITLE_MAX_LENGTH = 120


class Motd(Base):
    __tablename__ = "motd_messages"
    __table_args__ = (
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at",
            name="window_ordered",
        ),
        Index("ix_motd_messages_published_at", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(MOTD_TITLE_MAX_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def state(self, now: datetime) -> str:
        if self.published_at is None:
            return "draft"
        if self.ends_at is not None and self.ends_at <= now:
            return "expired"
        if self.starts_at is not None and now < self.starts_at:
            return "scheduled"
        return "live"


class MotdAck(Base):
    __tablename__ = "motd_acks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    motd_id: Mapped[int] = mapped_column(
        ForeignKey("motd_messages.id", ondelete="CASCADE"), primary_key=True
    )
    acked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
