"""The signed-in account's password and login sessions."""

from __future__ import annotations

from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.accounts import (
    AuthResult,
    LoginSessionList,
    LoginSessionOut,
    PasswordChange,
    SessionsRevoked,
    me_payload,
)
from skyframe.web.account_security import (
    change_password,
    is_current,
    my_sessions,
    revoke_other_sessions,
    revoke_session,
)
from skyframe.web.ratelimit import per_user_limit

TAGS = ["account"]


@bp.post("/me/password")
@login_required
@per_user_limit("PASSWORD_CHANGE_LIMIT", scope="password-change", methods=["POST"])
@operation(
    tags=TAGS,
    returns=AuthResult,
    json=PasswordChange,
    signed_in=True,
    writes=True,
    errors=(429, 503),
)
def change_my_password(json: PasswordChange):
    """Change the password (the current one is needed).

    Every other session of the account ends; this one is replaced by a new
    one, so use the returned CSRF token.
    """
    user = change_password(json.current_password, json.new_password)
    return AuthResult(user=me_payload(user), csrf_token=generate_csrf())


def session_out(row) -> LoginSessionOut:
    return LoginSessionOut(
        id=row.public_id,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        client_address=row.client_address,
        user_agent=row.user_agent,
        remember=row.remember,
        current=is_current(row),
    )


@bp.get("/me/sessions")
@login_required
@operation(tags=TAGS, returns=LoginSessionList, signed_in=True)
def list_my_sessions():
    """The account's signed-in sessions (devices), most recently used first."""
    return LoginSessionList(items=[session_out(row) for row in my_sessions()])


@bp.delete("/me/sessions/<session_id>")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(404,))
def revoke_my_session(session_id: str):
    """Sign one session out (the current one too, if named)."""
    revoke_session(session_id)
    return "", 204


@bp.post("/me/sessions/revoke-others")
@login_required
@operation(tags=TAGS, returns=SessionsRevoked, signed_in=True, writes=True)
def revoke_my_other_sessions():
    """Sign out every other session of the account."""
    return SessionsRevoked(revoked=revoke_other_sessions())
