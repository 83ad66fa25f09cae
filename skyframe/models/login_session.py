"""Server-side records of signed-in sessions, so that logging out, disabling
an account or "sign out everywhere" really ends them (cookies alone cannot be
revoked)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from skyframe.models.base import Base, UTCDateTime, utcnow

USER_AGENT_MAX_LENGTH = 256
PUBLIC_ID_LENGTH = 16


def new_public_id() -> str:
    return secrets.token_hex(PUBLIC_ID_LENGTH // 2)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_id", "user_id"),)

    # SHA-256 of the token in the cookie: a leaked table cannot be replayed.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # What the owner sees and revokes a session by (never the token or its hash).
    public_id: Mapped[str] = mapped_column(
        String(PUBLIC_ID_LENGTH), unique=True, default=new_public_id
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    remember: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Shown in the session list: when it was last used (to a few minutes),
    # the client address it signed in from (IPv6: its /64) and the browser.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX_LENGTH))
