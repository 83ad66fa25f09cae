"""Accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    String,
    Text,
    false,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from skyframe.models.base import Base, UTCDateTime, utcnow

HANDLE_MAX_LENGTH = 24
DISPLAY_NAME_MAX_LENGTH = 50
BIO_MAX_LENGTH = 300
EMAIL_MAX_LENGTH = 254


class Role(enum.StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    MANAGER = "manager"

    @property
    def is_staff(self) -> bool:
        return self in (Role.MODERATOR, Role.MANAGER)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Handles and e-mail addresses are unique whatever their case.
        # Handles are ASCII, so lower() is exact on every database.
        Index("uq_users_handle_lower", text("lower(handle)"), unique=True),
        # Handle typeahead (lower(handle) LIKE 'prefix%'): PostgreSQL uses a
        # btree for LIKE only with pattern operators unless the collation is C.
        Index(
            "ix_users_handle_prefix",
            literal_column("lower(handle)").label("handle_lower"),
            postgresql_ops={"handle_lower": "text_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
        Index("ix_users_created_at", "created_at"),
        # Staff look accounts up by a prefix of their address (email_key LIKE
        # 'prefix%'; moderation.accounts.find_accounts): pattern operators on
        # PostgreSQL, as for handles (on SQLite a plain index, unused by LIKE).
        Index(
            "ix_users_email_prefix", "email_key", postgresql_ops={"email_key": "text_pattern_ops"}
        ),
        CheckConstraint("role IN ('user', 'moderator', 'manager')", name="role_known"),
        Index("ix_users_channel_status", "channel_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    # Case-folded in Python (SQLite's lower() only knows ASCII): the unique key.
    email_key: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    handle: Mapped[str] = mapped_column(String(HANDLE_MAX_LENGTH))
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX_LENGTH))
    bio: Mapped[str] = mapped_column(Text, default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.USER, server_default="user")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Suspended from posting, commenting, going live and hosting (skyframe.policy):
    # by active strikes (moderation.strikes keeps this flag), and/or by staff
    # from ``suspended_at`` until ``suspended_until`` (open-ended when NULL).
    strike_suspended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Deleted by its owner or a manager: a tombstone that keeps the handle
    # reserved; everything the account did is gone (accounts.deletion).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Storage key of an uploaded avatar; otherwise Gravatar (if opted in) or
    # the generated default.
    avatar_key: Mapped[str | None] = mapped_column(String(80))
    gravatar: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Views of the account's posts, all time (deleted posts' too): moved with
    # posts.view_count by the view buffer's flush (skyframe.viewcounts).
    view_count: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Live channels (skyframe.live): "live" while a session runs, kept in step
    # by the session's start and end; the hosting job reads it set-based.
    channel_status: Mapped[str] = mapped_column(
        String(8), default="offline", server_default="offline"
    )
    # Seconds of ended live sessions (a running one adds its age): hosts
    # qualify by HOSTING_MIN_LIVE_HOURS.
    live_seconds: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # "Other observers may host my channel" (off by default).
    allow_hosting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When followers were last told this user went live (LIVE_NOTIFY_COOLDOWN_MINUTES).
    live_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Set at sign-in or by the session loader: the login session this user
    # object was loaded through (Flask-Login keeps it as the session's user id).
    login_token = None  # str | None, not a column

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_staff(self) -> bool:
        return self.role_enum.is_staff

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.disabled and self.deleted_at is None

    def __repr__(self) -> str:
        return f"<User {self.id} @{self.handle}>"
