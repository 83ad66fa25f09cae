"""The signed-in account's password, login sessions and deletion, and a
manager's deletion of an account."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from pydantic import ValidationError

from skyframe import tasks
from skyframe.accounts import deletion, users
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
from skyframe.api.schemas.deletion import AccountDeleted, AccountDeletion
from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.extensions import db
from skyframe.models import AuditSource, utcnow
from skyframe.services import password_hashing
from skyframe.validation import ModelAdapter, field_errors
from skyframe.web.account_security import (
    change_password,
    is_current,
    my_sessions,
    revoke_other_sessions,
    revoke_session,
)
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.sign_in import end_session

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


def finish_deletion(deleted: deletion.Deleted) -> None:
    """Commit a deletion, then queue the purge of its files (the HTML
    settings page and the API share this)."""
    db.session.commit()
    tasks.queue_account_purge(deleted.file_keys)


def delete_me(password: str) -> deletion.Deleted:
    """Delete the signed-in account (password confirmed) and sign out."""
    deleted = deletion.delete_own_account(
        db.session, password_hashing(), current_user, password, utcnow()
    )
    finish_deletion(deleted)
    end_session()
    return deleted


@bp.delete("/me")
@login_required
@per_user_limit("PASSWORD_CHANGE_LIMIT", scope="password-change")
@operation(
    tags=TAGS,
    returns=AccountDeleted,
    json=AccountDeletion,
    signed_in=True,
    writes=True,
    errors=(429, 503),
)
def delete_my_account(json: AccountDeletion):
    """Delete your account, confirming with your password (wrong: 422).

    Signs out everywhere at once. Your posts, comments, likes, saves and
    follows disappear from every listing and count; your files are removed
    shortly after; your handle stays reserved; your e-mail address is freed.
    """
    body = json or _delete_body(AccountDeletion)
    return AccountDeleted(handle=delete_me(body.password).handle)


def _delete_body(model):
    """spectree reads no DELETE body: validate it here, answering as it would."""
    try:
        return model.model_validate(request.get_json(silent=True) or {})
    except ValidationError as exc:
        errors = field_errors(ModelAdapter().validation_errors(exc))
        raise ValidationFailed("Some fields need attention.", fields=errors) from exc


@bp.delete("/admin/users/<handle>")
@login_required
@operation(tags=["admin"], returns=AccountDeleted, signed_in=True, writes=True, errors=(404,))
def delete_account(handle: str):
    """Delete another account, staff ones too (managers; audited). Your own:
    DELETE /api/v1/me."""
    user = users.user_by_handle(db.session, handle)
    if user is None or user.is_deleted:
        raise NotFound("No such user.")
    deleted = deletion.delete_account(
        db.session, current_user, user, source=AuditSource.API, now=utcnow()
    )
    finish_deletion(deleted)
    return AccountDeleted(handle=deleted.handle)
