"""Accounts over JSON: the same flows as the HTML forms, for the PWA and
other clients. Every state-changing call needs the X-CSRFToken header."""

from __future__ import annotations

from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from spectree import Response

from skyframe.api import bp
from skyframe.api.schemas import (
    AuthResult,
    CsrfToken,
    ErrorResponse,
    LoginRequest,
    Me,
    RegisterRequest,
    me_payload,
)
from skyframe.auth.sessions import (
    end_session,
    login_limit_per_account,
    login_limit_per_ip,
    register_limit_per_ip,
    sign_in,
    sign_up,
)
from skyframe.extensions import api_spec

TAGS = ["auth"]


@bp.get("/auth/csrf")
@api_spec.validate(resp=Response(HTTP_200=CsrfToken), tags=TAGS)
def csrf_token():
    """Get a CSRF token for this session.

    Send it back as the X-CSRFToken header on every POST, PUT, PATCH and DELETE.
    """
    return CsrfToken(csrf_token=generate_csrf())


@bp.post("/auth/register")
@register_limit_per_ip
@api_spec.validate(
    json=RegisterRequest,
    resp=Response(
        HTTP_201=AuthResult, HTTP_409=ErrorResponse, HTTP_422=ErrorResponse, HTTP_429=ErrorResponse
    ),
    tags=TAGS,
)
def register(json: RegisterRequest):
    """Create an account and sign in to it."""
    user = sign_up(json.email, json.handle, json.display_name, json.password)
    return AuthResult(user=me_payload(user), csrf_token=generate_csrf()), 201


@bp.post("/auth/login")
@login_limit_per_ip
@login_limit_per_account
@api_spec.validate(
    json=LoginRequest,
    resp=Response(HTTP_200=AuthResult, HTTP_401=ErrorResponse, HTTP_429=ErrorResponse),
    tags=TAGS,
)
def login(json: LoginRequest):
    """Sign in with an e-mail address or handle.

    Unknown accounts, wrong passwords and disabled accounts all answer 401
    with the same message. The session is replaced, so use the returned CSRF token.
    """
    user = sign_in(json.login, json.password, remember=json.remember)
    return AuthResult(user=me_payload(user), csrf_token=generate_csrf())


@bp.post("/auth/logout")
@api_spec.validate(resp=Response("HTTP_204"), tags=TAGS)
def logout():
    """End the session (also when already signed out)."""
    end_session()
    return "", 204


@bp.get("/me")
@login_required
@api_spec.validate(resp=Response(HTTP_200=Me, HTTP_401=ErrorResponse), tags=TAGS)
def me():
    """The signed-in account."""
    return me_payload(current_user)
