"""Personal access tokens: capture software acting for its owner.

A token is made for a purpose (its scopes; today only ``live``: start and
end a live session, push its frames) and shown once: the secret is
``sf_pat_`` and 32 random bytes (URL-safe base64), and the database keeps
only its SHA-256. A fast hash is enough for 256 random bits (nobody guesses
them by trying), and finding the row *by* the hash is also what keeps the
check constant-time: no secret is ever compared in Python, and the index
lookup on a digest tells an attacker nothing about how close a guess was.

The owner lists tokens (never the secret) and revokes them; a revoked row
stays (its name and dates still explain what it was) but never
authenticates again. A token only acts while its owner may: a disabled,
deleted or suspended account's tokens stop (``policy.can_act_through_token``).
"Last used" is kept to the minute, written in a short transaction of its
own, so a frame every five seconds costs one small write a minute, not one
per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from skyframe import policy
from skyframe.exceptions import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from skyframe.models import AccessToken, User
from skyframe.models.access_token import TOKEN_NAME_MAX_LENGTH
from skyframe.text import one_line, text_problem, too_long

log = logging.getLogger(__name__)

SECRET_PREFIX = "sf_pat_"  # noqa: S105 (a prefix, so leaked tokens are recognisable)
SECRET_BYTES = 32
# Longer than any secret this module makes (50 characters): anything longer
# is refused before it is hashed.
SECRET_MAX_LENGTH = 128
LIVE = "live"
SCOPES = frozenset({LIVE})
TOUCH_INTERVAL = timedelta(minutes=1)


class TokenLimitReached(Conflict):
    code = "token_limit_reached"


class InvalidToken(AuthenticationFailed):
    code = "invalid_token"


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # shown once, to the owner who made it


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_of(token: AccessToken) -> list[str]:
    return token.scopes.split()


# -- what people type -------------------------------------------------------------


def clean_name(raw: str) -> str:
    name = one_line(raw)
    if problem := text_problem(raw):
        pass
    elif not name:
        problem = "Name the token after the software or computer that will use it."
    elif too_long(raw, name, TOKEN_NAME_MAX_LENGTH):
        problem = f"Keep the name under {TOKEN_NAME_MAX_LENGTH} characters."
    else:
        return name
    raise ValidationFailed("The token could not be made.", fields={"name": problem})


def clean_scopes(raw: Iterable[str]) -> list[str]:
    """Known scope names, each once, sorted; at least one."""
    wanted = set(raw)
    if unknown := sorted(wanted - SCOPES):
        problem = f"Unknown scope {unknown[0]!r}: choose from {', '.join(sorted(SCOPES))}."
    elif not wanted:
        problem = "Choose at least one scope."
    else:
        return sorted(wanted)
    raise ValidationFailed("The token could not be made.", fields={"scopes": problem})


# -- the owner's side -------------------------------------------------------------


def create_token(
    session: Session,
    user: User,
    *,
    name: str,
    scopes: Iterable[str],
    limit: int,
    now: datetime,
) -> NewToken:
    """Make a token; at most ``limit`` unrevoked ones per account (409
    ``token_limit_reached``). The caller commits."""
    clean = clean_name(name)
    chosen = clean_scopes(scopes)
    # Two makes at once would both see room for one more: the user's row is
    # locked first on PostgreSQL (SQLite has one writer at a time).
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if count_tokens(session, user) >= limit:
        raise TokenLimitReached(
            f"You have {limit} access tokens already: revoke one you no longer use first."
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = AccessToken(
        user_id=user.id,
        name=clean,
        scopes=" ".join(chosen),
        secret_hash=hash_secret(secret),
        created_at=now,
    )
    session.add(token)
    session.flush()
    return NewToken(token=token, secret=secret)


def count_tokens(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
    )


def list_tokens(session: Session, user: User) -> Sequence[AccessToken]:
    """The account's unrevoked tokens, newest first."""
    return session.scalars(
        select(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    ).all()


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> None:
    """Revoke one of the account's tokens: anyone else's, an unknown or an
    already revoked one is 404 (the same answer, so ids leak nothing). The
    caller commits."""
    done = session.execute(
        update(AccessToken)
        .where(
            AccessToken.id == token_id,
            AccessToken.user_id == user.id,
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise NotFound("No such access token.")


# -- the software's side ----------------------------------------------------------


def authenticate(
    session: Session,
    secret: str,
    scope: str,
    now: datetime,
    *,
    touch_engine: Engine | None = None,
) -> tuple[AccessToken, User]:
    """The token and its owner for a presented secret that may act in
    ``scope``, or InvalidToken (401). Unknown, revoked, out-of-scope tokens
    and those of accounts that may not act (disabled, deleted, suspended)
    are all refused.

    With ``touch_engine``, "last used" moves to ``now`` when it is more than
    TOUCH_INTERVAL old, in a short transaction of its own (never the
    request's, which may be rolled back)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > SECRET_MAX_LENGTH:
        raise InvalidToken("Unknown or revoked access token.")
    hashed = hash_secret(secret)
    row = session.execute(
        select(AccessToken, User)
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.secret_hash == hashed)
    ).first()
    if row is None or row[0].revoked_at is not None:
        raise InvalidToken("Unknown or revoked access token.")
    token, user = row
    if scope not in scopes_of(token):
        raise InvalidToken(f"This access token lacks the {scope!r} scope.")
    if not policy.can_act_through_token(user, now):
        raise InvalidToken("This account's access tokens do not work at the moment.")
    if touch_engine is not None and (
        token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL
    ):
        _touch(touch_engine, token.id, now)
        # Seen as loaded, not as a change the request's commit would write again.
        set_committed_value(token, "last_used_at", now)
    return token, user


def _touch(engine: Engine, token_id: int, now: datetime) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(
                update(AccessToken).where(AccessToken.id == token_id).values(last_used_at=now)
            )
    except SQLAlchemyError:
        log.warning("could not record an access token's last use", exc_info=True)
