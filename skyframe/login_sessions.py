"""Login sessions: created at sign-in, looked up on every request, revoked
at logout. The cookie carries a random token; the database keeps its hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from skyframe.models import LoginSession, User

TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session, user: User, *, remember: bool, lifetime: timedelta, now: datetime
) -> str:
    """Record a new login session for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LoginSession(
            token_hash=_hash(token),
            user_id=user.id,
            remember=remember,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    user.login_token = token
    return token


def resolve(session: Session, token: str, now: datetime) -> User | None:
    """The active user behind a token, or None (unknown, expired, or disabled)."""
    if not token or len(token) > 128:
        return None
    row = session.execute(_resolve_statement(), {"token_hash": _hash(token)}).first()
    if row is None:
        return None
    user, expires_at = row
    if expires_at <= now or user.disabled:
        return None
    user.login_token = token
    return user


@lru_cache(maxsize=1)
def _resolve_statement():
    # Every signed-in request runs it: built once, and the login session's
    # expiry as a column rather than a second ORM entity.
    return (
        select(User, LoginSession.expires_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == bindparam("token_hash"))
    )


def end(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(token)))


def end_all(session: Session, user_id: int) -> int:
    """Sign a user out everywhere (on disable, role changes by staff, password changes)."""
    result = session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return result.rowcount or 0


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    return result.rowcount or 0
