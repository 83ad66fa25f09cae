"""Live observing sessions, their frames, and channel hosting (seed 004)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from skyframe.models.base import Base, UTCDateTime, sql_in, utcnow

LIVE_TITLE_MAX_LENGTH = 120
LIVE_OBJECT_MAX_LENGTH = 80


class LiveStatus(enum.StrEnum):
    LIVE = "live"
    ENDED = "ended"


class ChannelStatus(enum.StrEnum):
    """``users.channel_status``: kept in step with the user's running session."""

    LIVE = "live"
    OFFLINE = "offline"


class HostingStatus(enum.StrEnum):
    READY = "ready"
    HOSTING = "hosting"
    ERROR = "error"


class LiveSession(Base):
    """One observing session of a channel, from going live to its end."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_in(LiveStatus)})", name="status_known"),
        # At most one running session per user, whatever the code does.
        Index(
            "uq_live_sessions_one_live",
            "owner_id",
            unique=True,
            sqlite_where=text("status = 'live'"),
            postgresql_where=text("status = 'live'"),
        ),
        Index("ix_live_sessions_owner_started", "owner_id", "started_at"),
        # The idle sweep: running sessions by their last sign of life.
        Index(
            "ix_live_sessions_live_last_frame",
            "last_frame_at",
            sqlite_where=text("status = 'live'"),
            postgresql_where=text("status = 'live'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(LIVE_TITLE_MAX_LENGTH))
    # The target as the catalogue resolved it (as posts keep theirs).
    object_name: Mapped[str | None] = mapped_column(String(LIVE_OBJECT_MAX_LENGTH))
    object_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8), default=LiveStatus.LIVE)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The session's last frame, or its start: what LIVE_IDLE_MINUTES counts from.
    last_frame_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frame_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    viewer_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LiveFrame(Base):
    """One frame pushed to a session; its renditions live in the storage
    backend under keys made from ``media_key``."""

    __tablename__ = "live_frames"
    __table_args__ = (Index("ix_live_frames_session_id", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    media_key: Mapped[str] = mapped_column(String(32), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    placeholder_color: Mapped[str | None] = mapped_column(String(7))
    taken_down: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HostingTarget(Base):
    """``host`` may promote ``target``'s live session on its offline channel."""

    __tablename__ = "hosting_targets"
    __table_args__ = (
        UniqueConstraint("host_id", "target_id", name="uq_hosting_targets_pair"),
        CheckConstraint("host_id <> target_id", name="not_self"),
        CheckConstraint(f"status IN ({sql_in(HostingStatus)})", name="status_known"),
        # At most one hosting target per host, guaranteed by the database.
        Index(
            "uq_hosting_targets_one_hosting",
            "host_id",
            unique=True,
            sqlite_where=text("status = 'hosting'"),
            postgresql_where=text("status = 'hosting'"),
        ),
        Index("ix_hosting_targets_target_id", "target_id"),
        Index("ix_hosting_targets_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8), default=HostingStatus.READY)
    last_hosted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
