"""Appeals: the owner asks a manager to look again at a take-down or a strike."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skyframe.models.base import Base, UTCDateTime, sql_in, utcnow

APPEAL_TEXT_MAX_LENGTH = 5000


class AppealTarget(enum.StrEnum):
    TAKE_DOWN = "take_down"
    STRIKE = "strike"


class AppealStatus(enum.StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Appeal(Base):
    """One appeal of one decision (a take-down or a strike), by its owner.

    ``(target_type, target_id)`` is unique: a decision is appealed once, and
    a second appeal is refused by the database too, so two requests at once
    cannot both get in. ``ticket_id`` is the conversation with the managers
    the appeal opened (skyframe.support.tickets).
    """

    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint(f"target_type IN ({sql_in(AppealTarget)})", name="target_type_known"),
        CheckConstraint(f"status IN ({sql_in(AppealStatus)})", name="status_known"),
        UniqueConstraint("target_type", "target_id", name="uq_appeals_target"),
        # The managers' list: pending ones oldest first, decided newest first.
        Index("ix_appeals_status_created_id", "status", "created_at", "id"),
        # "My appeals", newest first.
        Index("ix_appeals_appellant_id_id", "appellant_id", "id"),
        # A ticket's appeal (the ticket page shows it).
        Index("ix_appeals_ticket_id", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appellant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=AppealStatus.PENDING)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    appellant = relationship("User", foreign_keys=[appellant_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    ticket = relationship("Ticket")

    @property
    def pending(self) -> bool:
        return self.status == AppealStatus.PENDING
