"""Accounts over JSON: the same flows as the HTML forms, for the PWA and
other clients. Every state-changing call needs the X-CSRFToken header."""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.accounts import (
    AuthResult,
    CsrfToken,
    LoginRequest,
    Me,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegisterRequest,
    me_payload,
)
from skyframe.web.account_security import confirm_password_reset, request_password_reset
from skyframe.web.sign_in import (
    end_session,
    login_limit_per_account,
    login_limit_per_device,
    login_limit_per_ip,
    password_reset_limit_per_email,
    password_reset_limit_per_ip,
    register_limit_per_email,
    register_limit_per_ip,
    sign_in,
    sign_up,
)

TAGS = ["auth"]


@bp.get("/auth/csrf")
@operation(tags=TAGS, returns=CsrfToken)
def csrf_token():
    """Get a CSRF token for this session.

    Send it back as the X-CSRFToken header on every POST, PUT, PATCH and DELETE.
    """
    return CsrfToken(csrf_token=generate_csrf())


@bp.post("/auth/register")
@register_limit_per_ip
@register_limit_per_email
@operation(
    tags=TAGS, ok=201, returns=AuthResult, json=RegisterRequest, writes=True, errors=(409, 429, 503)
)
def register(json: RegisterRequest):
    """Create an account and sign in to it."""
    user = sign_up(json.email, json.handle, json.display_name, json.password)
    return AuthResult(user=me_payload(user), csrf_token=generate_csrf()), 201


@bp.post("/auth/login")
@login_limit_per_ip
@login_limit_per_account
@login_limit_per_device
@operation(tags=TAGS, returns=AuthResult, json=LoginRequest, writes=True, errors=(401, 429, 503))
def login(json: LoginRequest):
    """Sign in with an e-mail address or handle.

    Unknown accounts, wrong passwords and disabled accounts all answer 401
    with the same message. The session is replaced, so use the returned CSRF token.
    """
    user = sign_in(json.login, json.password, remember=json.remember)
    return AuthResult(user=me_payload(user), csrf_token=generate_csrf())


@bp.post("/auth/logout")
@operation(tags=TAGS, ok=204, writes=True)
def logout():
    """End the session (also when already signed out)."""
    end_session()
    return "", 204


@bp.post("/auth/password-reset")
@password_reset_limit_per_ip
@password_reset_limit_per_email
@operation(tags=TAGS, ok=202, json=PasswordResetRequest, writes=True, errors=(429,))
def password_reset(json: PasswordResetRequest):
    """Ask for a password-reset link by e-mail.

    The answer is 202 whether or not an account uses the address; the link
    works once, within an hour.
    """
    request_password_reset(json.email)
    return "", 202


@bp.post("/auth/password-reset/confirm")
@password_reset_limit_per_ip
@operation(tags=TAGS, ok=204, json=PasswordResetConfirm, writes=True, errors=(429, 503))
def password_reset_confirm(json: PasswordResetConfirm):
    """Set a new password with the token from the link; every session of the
    account ends (sign in again with the new password)."""
    confirm_password_reset(json.token, json.new_password)
    return "", 204


@bp.get("/me")
@login_required
@operation(tags=TAGS, returns=Me, signed_in=True)
def me():
    """The signed-in account."""
    return me_payload(current_user)
