"""Login sessions: created at sign-in, looked up on every request, listed
and revoked by their owner, ended at logout. The cookie carries a random
token; the database keeps its hash, and the owner sees a separate public id."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from skyframe.models import LoginSession, User
from skyframe.models.login_session import USER_AGENT_MAX_LENGTH

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
# "Last used" is kept to this precision: one small write per session per
# interval, not one per request.
TOUCH_INTERVAL = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session,
    user: User,
    *,
    remember: bool,
    lifetime: timedelta,
    now: datetime,
    client_address: str | None = None,
    user_agent: str | None = None,
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
            last_used_at=now,
            client_address=(client_address or None) and client_address[:64],
            user_agent=(user_agent or None) and user_agent[:USER_AGENT_MAX_LENGTH],
        )
    )
    user.login_token = token
    return token


def resolve(
    session: Session, token: str, now: datetime, *, touch_engine: Engine | None = None
) -> User | None:
    """The active user behind a token, or None (unknown, expired, or disabled).

    With ``touch_engine``, a session last used more than TOUCH_INTERVAL ago
    gets its "last used" moved to ``now`` in a short transaction of its own
    (never the request's, which may hold other changes)."""
    if not token or len(token) > 128:
        return None
    hashed = _hash(token)
    row = session.execute(_resolve_statement(), {"token_hash": hashed}).first()
    if row is None:
        return None
    user, expires_at, last_used_at = row
    if expires_at <= now or user.disabled:
        return None
    user.login_token = token
    if touch_engine is not None and (last_used_at is None or now - last_used_at > TOUCH_INTERVAL):
        _touch(touch_engine, hashed, now)
    return user


def _touch(engine: Engine, hashed: str, now: datetime) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(
                update(LoginSession).where(LoginSession.token_hash == hashed),
                {"last_used_at": now},
            )
    except SQLAlchemyError:
        log.warning("could not record a login session's last use", exc_info=True)


@lru_cache(maxsize=1)
def _resolve_statement():
    # Every signed-in request runs it: built once, and the login session's
    # expiry as a column rather than a second ORM entity.
    return (
        select(User, LoginSession.expires_at, LoginSession.last_used_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == bindparam("token_hash"))
    )


def current(session: Session, token: str | None) -> LoginSession | None:
    if not token:
        return None
    return session.get(LoginSession, _hash(token))


def list_for_user(session: Session, user_id: int, now: datetime) -> Sequence[LoginSession]:
    """The user's live sessions, most recently used first."""
    return session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.expires_at > now)
        .order_by(LoginSession.last_used_at.desc(), LoginSession.created_at.desc())
    ).all()


def is_token_of(row: LoginSession, token: str | None) -> bool:
    return bool(token) and secrets.compare_digest(row.token_hash, _hash(token))


def end(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(token)))


def end_by_public_id(session: Session, user_id: int, public_id: str) -> bool:
    """End one of the user's sessions by the id they see; False if it is not theirs."""
    result = session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user_id, LoginSession.public_id == public_id
        )
    )
    return bool(result.rowcount)


def end_all(session: Session, user_id: int, *, except_token: str | None = None) -> int:
    """Sign a user out everywhere (on disable, role changes by staff, password
    changes and resets), or everywhere but the session of ``except_token``."""
    statement = delete(LoginSession).where(LoginSession.user_id == user_id)
    if except_token:
        statement = statement.where(LoginSession.token_hash != _hash(except_token))
    result = session.execute(statement)
    return result.rowcount or 0


def purge_expired(session: Session, now: datetime) -> int:
    result = session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    return result.rowcount or 0
