"""Password resets by e-mail: a single-use token that expires, stored only
as its SHA-256 (a leaked table opens no account).

Plain functions over a session, with ``now`` passed in; sending the mail is
the caller's (skyframe.mail).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from skyframe.accounts import login_sessions, users
from skyframe.accounts.passwords import PasswordHashing
from skyframe.exceptions import ValidationFailed
from skyframe.models import PasswordResetToken, User

TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128
BAD_LINK_MESSAGE = "This reset link is invalid, used or expired. Ask for a new one."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetRequest:
    user: User | None  # None when no active account uses the address
    token: str


def request_reset(session: Session, email: str, *, lifetime: timedelta, now: datetime):
    """A reset token for the active account using this address.

    The work is the same whether or not there is one (a lookup, a token and
    its hash), so the answer's timing tells little; the caller answers the
    same either way and mails only when ``user`` is set. Earlier unused
    tokens of the account stop working: only the newest link does.
    Raises ValidationFailed for an address that cannot be one.
    """
    try:
        users.normalise_email(email)
    except ValueError as exc:
        raise ValidationFailed(str(exc), fields={"email": str(exc)}) from exc
    user = users.user_by_email(session, email)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    hashed = _hash(token)
    if user is None or user.disabled:
        return ResetRequest(None, token)
    session.execute(
        delete(PasswordResetToken).where(
            (PasswordResetToken.user_id == user.id) | (PasswordResetToken.expires_at <= now)
        )
    )
    session.add(
        PasswordResetToken(
            token_hash=hashed, user_id=user.id, created_at=now, expires_at=now + lifetime
        )
    )
    return ResetRequest(user, token)


def issue_token(session: Session, user: User, *, lifetime: timedelta, now: datetime) -> str:
    """A reset token for a known account (the operator's CLI)."""
    session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        PasswordResetToken(
            token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime
        )
    )
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active account a live token resets, or None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    row = session.execute(
        select(User, PasswordResetToken.expires_at)
        .join(PasswordResetToken, PasswordResetToken.user_id == User.id)
        .where(PasswordResetToken.token_hash == _hash(token))
    ).first()
    if row is None:
        return None
    user, expires_at = row
    if expires_at <= now or user.disabled:
        return None
    return user


def confirm_reset(
    session: Session, hashing: PasswordHashing, token: str, new_password: str, now: datetime
) -> User:
    """Set the new password with a live token, use the token up and end every
    session of the account. Raises ValidationFailed (token or new_password)."""
    user = user_for_token(session, token, now)
    if user is None:
        raise ValidationFailed(BAD_LINK_MESSAGE, fields={"token": BAD_LINK_MESSAGE})
    users.set_password(session, hashing, user, new_password, field="new_password")
    session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    login_sessions.end_all(session, user.id)
    return user
