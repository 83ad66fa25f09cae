"""Signing in and out, shared by the HTML pages and the JSON API."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_login import current_user, decode_cookie, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from skyframe.accounts import login_devices, login_sessions, users
from skyframe.accounts.login_backoff import AccountBackoff
from skyframe.exceptions import AuthenticationFailed
from skyframe.extensions import db, limiter
from skyframe.models import User, utcnow
from skyframe.services import password_hashing
from skyframe.web import cookies
from skyframe.web.client import client_address
from skyframe.web.ratelimit import (
    submitted_account,
    submitted_account_and_address,
    submitted_email,
    submitted_user_id,
)


def _config_limit(name: str):
    return lambda: current_app.config[name]


def known_device() -> str | None:
    """The nonce of this browser's device cookie for the account the login
    names, when it has one (then it is limited on its own, see login_devices)."""
    if "_device_nonce" not in g:
        g._device_nonce = login_devices.nonce_for(
            request.cookies.get(login_devices.COOKIE_NAME),
            current_app.config["SECRET_KEY"],
            submitted_user_id(),
        )
    return g._device_nonce


def _unknown_device() -> bool:
    return known_device() is None


# Shared scopes: the HTML form and the JSON endpoint draw on the same
# counters. Every attempt counts, checked and counted in one step, so
# concurrent requests cannot slip past a limit. A browser with the
# account's device cookie skips the per-address limits (strangers behind the
# same address cannot block it) and draws on its own counter instead.
login_limit_per_ip = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_IP"),
    scope="login-ip",
    key_func=client_address,
    methods=["POST"],
    exempt_when=lambda: known_device() is not None,
)
login_limit_per_account = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_ACCOUNT"),
    scope="login-account",
    key_func=submitted_account_and_address,
    methods=["POST"],
    exempt_when=lambda: known_device() is not None,
)
login_limit_per_device = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_DEVICE"),
    scope="login-device",
    key_func=lambda: f"device:{known_device()}",
    methods=["POST"],
    exempt_when=_unknown_device,
)
register_limit_per_ip = limiter.shared_limit(
    _config_limit("REGISTER_LIMIT_PER_IP"),
    scope="register-ip",
    key_func=client_address,
    methods=["POST"],
)
password_reset_limit_per_ip = limiter.shared_limit(
    _config_limit("PASSWORD_RESET_LIMIT_PER_IP"),
    scope="password-reset-ip",
    key_func=client_address,
    methods=["POST"],
)
password_reset_limit_per_email = limiter.shared_limit(
    _config_limit("PASSWORD_RESET_LIMIT_PER_EMAIL"),
    scope="password-reset-email",
    key_func=submitted_email,
    methods=["POST"],
)
register_limit_per_email = limiter.shared_limit(
    _config_limit("REGISTER_LIMIT_PER_EMAIL"),
    scope="register-email",
    key_func=submitted_email,
    methods=["POST"],
)


def _backoff() -> AccountBackoff:
    config = current_app.config
    return AccountBackoff(
        limiter.limiter.storage,
        after=config["LOGIN_BACKOFF_AFTER"],
        window=config["LOGIN_BACKOFF_WINDOW"],
        max_delay=config["LOGIN_BACKOFF_MAX_SECONDS"],
        prefix=f"{config['RATELIMIT_KEY_PREFIX']}:login-backoff",
    )


def _issue_device_cookie(user: User) -> None:
    value = login_devices.issue(
        request.cookies.get(login_devices.COOKIE_NAME), current_app.config["SECRET_KEY"], user.id
    )
    cookies.set_on_response(login_devices.COOKIE_NAME, value, login_devices.LIFETIME)


def start_session(user: User, remember: bool = False) -> None:
    """Log the user in on a fresh session (no fixation: the old one is dropped).

    Without "remember me" the cookie lasts until the browser closes; the
    server-side record caps it at PERMANENT_SESSION_LIFETIME either way.
    """
    config = current_app.config
    lifetime = (
        config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    )
    # A browser that logs in again ends its previous session (the token in
    # its session or remember-me cookie), whoever it belonged to.
    for previous in _previous_tokens():
        login_sessions.end(db.session, previous)
    login_sessions.start(
        db.session,
        user,
        remember=remember,
        lifetime=lifetime,
        now=utcnow(),
        client_address=client_address(),
        user_agent=request.headers.get("User-Agent"),
    )
    db.session.commit()
    session.clear()
    login_user(user, remember=remember, duration=lifetime, fresh=True)
    session.permanent = remember
    _issue_device_cookie(user)


def _previous_tokens() -> set[str]:
    tokens = set()
    if isinstance(token := session.get("_user_id"), str):
        tokens.add(token)
    cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    if cookie and isinstance(token := decode_cookie(cookie), str):
        tokens.add(token)
    return tokens


def renew_session(user: User) -> None:
    """A fresh session for the signed-in user (after a password change), as
    long-lived as the one it replaces."""
    row = login_sessions.current(db.session, user.login_token)
    start_session(user, remember=bool(row and row.remember))


def end_session() -> None:
    """Revoke the login session server-side, then drop the cookies."""
    if current_user.is_authenticated:
        login_sessions.end(db.session, current_user.login_token)
        db.session.commit()
    # Clear first: logout_user() leaves the flag that deletes the remember cookie.
    session.clear()
    logout_user()


def sign_in(login: str, password: str, remember: bool = False) -> User:
    """Check credentials and start a session, or raise AuthenticationFailed
    (or TooManyRequests while the account is slowed down for unknown browsers)."""
    backoff = None
    if limiter.enabled and known_device() is None:
        backoff = _backoff()
        if wait := backoff.wait(submitted_account()):
            # Flask-Limiter would raise Retry-After to the reset of the
            # (unbreached) per-address limit: this answer's wait is the back-off's.
            limiter.context.view_rate_limit = None
            raise TooManyRequests(retry_after=wait)
    try:
        user = users.authenticate(db.session, password_hashing(), login, password, utcnow())
    except AuthenticationFailed:
        if backoff is not None:
            backoff.failed(submitted_account())
        raise
    start_session(user, remember)
    return user


def sign_up(email: str, handle: str, display_name: str, password: str) -> User:
    """Create an account and start its session, or raise ValidationFailed / Conflict."""
    user = users.register_user(
        db.session,
        password_hashing(),
        email=email,
        handle=handle,
        display_name=display_name,
        password=password,
    )
    start_session(user)
    return user
