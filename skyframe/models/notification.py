"""In-app notifications: something that happened to a user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skyframe.models.base import Base, UTCDateTime, utcnow


class Notification(Base):
    """Something that happened to a user: a follower, a like, a comment, a
    reply, or a notice of moderation (with no actor)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
        Index("ix_notifications_actor_id", "actor_id"),
        Index("ix_notifications_post_id", "post_id"),
        Index("ix_notifications_comment_id", "comment_id"),
        Index("ix_notifications_report_id", "report_id"),
        Index("ix_notifications_strike_id", "strike_id"),
        Index("ix_notifications_take_down_id", "take_down_id"),
        Index("ix_notifications_ticket_id", "ticket_id"),
        Index("ix_notifications_appeal_id", "appeal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # Moderation notices: the report that was handled, the strike issued or
    # resolved, the take-down (its reason is what the owner reads).
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    strike_id: Mapped[int | None] = mapped_column(ForeignKey("strikes.id", ondelete="CASCADE"))
    take_down_id: Mapped[int | None] = mapped_column(
        ForeignKey("take_downs.id", ondelete="CASCADE")
    )
    # Support: the ticket a reply, a change of status or an assignment is on.
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    # An appeal's decision (its note is what the appellant reads).
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"))
    # Liking, unliking and liking again notifies once: one row per key.
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined")
    recipient = relationship("User", foreign_keys=[recipient_id], viewonly=True)
    # What a moderation notice tells (a page's worth loaded in one query each).
    take_down = relationship("TakeDown", lazy="selectin", viewonly=True)
    strike = relationship("Strike", lazy="selectin", viewonly=True)
    report = relationship("Report", lazy="selectin", viewonly=True)
    ticket = relationship("Ticket", lazy="selectin", viewonly=True)
    appeal = relationship("Appeal", lazy="selectin", viewonly=True)
