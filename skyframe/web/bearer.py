"""Personal access tokens on the request: ``Authorization: Bearer sf_pat_…``.

A token is accepted only by the API routes that say so, stacked directly
under their route decorator::

    @bp.post("/live")
    @accepts_token("live")
    @login_required
    @operation(..., token_scope="live")

On such a route a Bearer token signs *that request* in as its owner
(``current_user``), needs no CSRF token (a browser never adds an
Authorization header to a cross-site request by itself, and the API allows
no cross-origin requests), creates no cookie session, and is counted per
token by ACCESS_TOKEN_LIMIT. An unknown, revoked or out-of-scope token, or
one whose account may not act (``policy.can_act_through_token``), is 401 in
the usual error shape.

Everywhere else the header is taken out of the request before anything can
read it, so a valid token counts as absent: 401 where a session is needed,
the login page on HTML pages (tokens never sign in a page, whatever its
view says). Flask-Login has no request loader here, and
``authenticate_bearer`` runs before Flask-Login's session lookup, the CSRF
check, the limiter and the upload gate (web/security.py orders them).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request

from skyframe.accounts import tokens
from skyframe.extensions import db, limiter
from skyframe.models import AccessToken, utcnow
from skyframe.web.errors import json_error

API_BLUEPRINT = "api"
TOKEN_LIMIT_SCOPE = "access-token"  # noqa: S105


def accepts_token(scope: str) -> Callable[[Callable], Callable]:
    """Let a personal access token with ``scope`` authenticate this API route
    (the outermost decorator under the route's)."""

    def decorate(view: Callable) -> Callable:
        limited = limiter.shared_limit(
            lambda: current_app.config["ACCESS_TOKEN_LIMIT"],
            scope=TOKEN_LIMIT_SCOPE,
            key_func=token_key,
            exempt_when=lambda: request_token() is None,
        )(view)
        limited.accepts_token = scope  # type: ignore[attr-defined]
        return limited

    return decorate


def request_token() -> AccessToken | None:
    """The access token this request was authenticated with, if any."""
    return g.get("access_token")


def token_key() -> str:
    token = request_token()
    return f"token:{token.id}" if token is not None else "token:none"


def accepted_scope() -> str | None:
    """The scope the request's route accepts a token for (None: no token)."""
    if request.blueprint != API_BLUEPRINT:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "accepts_token", None)


def authenticate_bearer():
    """Before-request step: sign this request in with its Bearer token where
    the route accepts one; everywhere else remove the header unread."""
    header = request.environ.pop("HTTP_AUTHORIZATION", None)
    if header is None:
        return None
    kind, _, secret = header.strip().partition(" ")
    scope = accepted_scope()
    if scope is None or kind.lower() != "bearer":
        return None  # as if absent (another scheme is some proxy's business)
    try:
        token, user = tokens.authenticate(
            db.session, secret.strip(), scope, utcnow(), touch_engine=db.engine
        )
    except tokens.InvalidToken as exc:
        response = json_error(401, exc.message, code=exc.code)
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    # Flask-Login's current_user reads this first and never looks at the
    # session cookie; nothing is written to the session.
    g._login_user = user
    g.access_token = token
    return None
