"""Moderation: reports, take-downs, strikes, and the audit log of staff actions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skyframe.models.base import Base, UTCDateTime, sql_in, utcnow

REPORT_DETAILS_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 1000


class ReportTarget(enum.StrEnum):
    POST = "post"
    COMMENT = "comment"
    USER = "user"


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    OFF_TOPIC = "off_topic"
    STOLEN = "stolen"
    SENSITIVE = "sensitive"
    MISLEADING = "misleading"
    OTHER = "other"


class ReportStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Decision(enum.StrEnum):
    DISMISS = "dismiss"
    LABEL = "label"
    TAKE_DOWN = "take_down"
    WARN = "warn"


class AuditSource(enum.StrEnum):
    WEB = "web"
    API = "api"
    CLI = "cli"
    # Done by SkyFrame itself as a consequence (a strike after take-downs).
    SYSTEM = "system"


class Report(Base):
    """Someone asking staff to look at a post, a comment or an account.

    The target is polymorphic (type and id) and may be gone by the time staff
    look; ``target_owner_id`` is whose content it is, kept for the queue's
    "reports against this account" and for strikes.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"target_type IN ({sql_in(ReportTarget)})", name="target_type_known"),
        CheckConstraint(f"reason IN ({sql_in(ReportReason)})", name="reason_known"),
        CheckConstraint(f"status IN ({sql_in(ReportStatus)})", name="status_known"),
        CheckConstraint(
            f"decision IS NULL OR decision IN ({sql_in(Decision)})", name="decision_known"
        ),
        # The queue: oldest first per status.
        Index("ix_reports_status_created_id", "status", "created_at", "id"),
        # Every report on one target (grouping, resolving them together),
        # oldest first: the queue finds a target's first report in one probe,
        # and counts a target's reports by reason from the index alone.
        Index(
            "ix_reports_target",
            "target_type",
            "target_id",
            "status",
            "created_at",
            "id",
            postgresql_include=["reason", "resolved_at"],
        ),
        Index("ix_reports_target_owner_id", "target_owner_id"),
        # One open report per reporter and target: reporting again answers it.
        Index(
            "uq_reports_open_reporter_target",
            "reporter_id",
            "target_type",
            "target_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    target_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")

    reporter = relationship("User", foreign_keys=[reporter_id], lazy="joined")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])


class TakeDown(Base):
    """A post made unavailable by a moderator, and its restoration by a manager.

    ``post_id`` survives as NULL when the owner deletes the post, so deleting
    a removed post does not undo its count towards a strike. ``strike_id`` is
    the strike this take-down counted towards (moderation.strikes).
    """

    __tablename__ = "take_downs"
    __table_args__ = (
        Index("ix_take_downs_post_id", "post_id"),
        # Strike arithmetic: a user's take-downs not yet counted.
        Index("ix_take_downs_owner_strike", "owner_id", "strike_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    # Kept with the take-down: the post's title when it was removed.
    post_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    strike_id: Mapped[int | None] = mapped_column(ForeignKey("strikes.id", ondelete="SET NULL"))
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    restore_note: Mapped[str] = mapped_column(Text, default="", server_default="")


class Strike(Base):
    """A strike against an account, issued for take-downs; active until resolved."""

    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_user_resolved", "user_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolve_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    take_downs: Mapped[list[TakeDown]] = relationship(
        primaryjoin="TakeDown.strike_id == Strike.id", order_by="TakeDown.id", viewonly=True
    )

    @property
    def active(self) -> bool:
        return self.resolved_at is None


class AuditEntry(Base):
    """One staff action: who did what to which target, why, when and from where."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(f"source IN ({sql_in(AuditSource)})", name="source_known"),
        Index("ix_audit_log_actor_id_id", "actor_id", "id"),
        Index("ix_audit_log_action_id", "action", "id"),
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_target_type_id", "target_type", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: SkyFrame itself (source "system"), or a deleted staff account.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User", lazy="joined")
