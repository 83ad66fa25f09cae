"""Support tickets: a user's conversation with staff (skyframe.support)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skyframe.models.base import Base, UTCDateTime, sql_in, utcnow

TICKET_TITLE_MAX_LENGTH = 120
TICKET_TEXT_MAX_LENGTH = 5000
ESCALATION_NOTE_MAX_LENGTH = 1000


class TicketStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"


class Ticket(Base):
    """A user asking staff for help, and the state of that conversation.

    ``managers_only``: for managers alone (a moderator's own ticket, or one a
    moderator escalated). ``report_id``: the report this ticket follows up,
    when its owner filed one. ``updated_at`` moves with every message and
    change, and is the order of every listing (keyset on it and ``id``).
    """

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(TicketStatus)})", name="status_known"),
        # The owner's own list, most recently active first.
        Index("ix_tickets_owner_updated_id", "owner_id", "updated_at", "id"),
        # Staff views "unassigned" (assignee_id IS NULL) and "mine", with and
        # without a status filter.
        Index("ix_tickets_assignee_status_updated_id", "assignee_id", "status", "updated_at", "id"),
        Index("ix_tickets_assignee_updated_id", "assignee_id", "updated_at", "id"),
        # Staff view "all", with and without a status filter.
        Index("ix_tickets_status_updated_id", "status", "updated_at", "id"),
        Index("ix_tickets_updated_id", "updated_at", "id"),
        Index("ix_tickets_report_id", "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TICKET_TITLE_MAX_LENGTH))
    status: Mapped[str] = mapped_column(String(10), default=TicketStatus.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    managers_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    escalation_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    escalated_by = relationship("User", foreign_keys=[escalated_by_id])
    report = relationship("Report", viewonly=True)


class TicketMessage(Base):
    """One message of a ticket's thread: its owner's, or staff's (``from_staff``)."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        Index("ix_ticket_messages_ticket_id_id", "ticket_id", "id"),
        Index("ix_ticket_messages_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    # NULL once a staff author's account is deleted; the message stays.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    from_staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")
