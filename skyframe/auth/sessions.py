"""Signing in and out, shared by the HTML pages and the JSON API."""

from __future__ import annotations

from flask import current_app, session
from flask_login import current_user, login_user, logout_user

from skyframe import accounts, login_sessions
from skyframe.extensions import db, limiter
from skyframe.models import User, utcnow
from skyframe.ratelimit import client_address, submitted_account, submitted_email
from skyframe.wiring import password_hashing


def _config_limit(name: str):
    return lambda: current_app.config[name]


# Shared scopes: the HTML form and the JSON endpoint draw on the same
# counters. Every attempt counts, checked and counted in one step, so
# concurrent requests cannot slip past a limit.
login_limit_per_ip = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_IP"),
    scope="login-ip",
    key_func=client_address,
    methods=["POST"],
)
login_limit_per_account = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_ACCOUNT"),
    scope="login-account",
    key_func=submitted_account,
    methods=["POST"],
)
register_limit_per_ip = limiter.shared_limit(
    _config_limit("REGISTER_LIMIT_PER_IP"),
    scope="register-ip",
    key_func=client_address,
    methods=["POST"],
)
register_limit_per_email = limiter.shared_limit(
    _config_limit("REGISTER_LIMIT_PER_EMAIL"),
    scope="register-email",
    key_func=submitted_email,
    methods=["POST"],
)


def start_session(user: User, remember: bool = False) -> None:
    """Log the user in on a fresh session (no fixation: the old one is dropped).

    Without "remember me" the cookie lasts until the browser closes; the
    server-side record caps it at PERMANENT_SESSION_LIFETIME either way.
    """
    config = current_app.config
    lifetime = (
        config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    )
    login_sessions.start(db.session, user, remember=remember, lifetime=lifetime, now=utcnow())
    db.session.commit()
    session.clear()
    login_user(user, remember=remember, duration=lifetime, fresh=True)
    session.permanent = remember


def end_session() -> None:
    """Revoke the login session server-side, then drop the cookies."""
    if current_user.is_authenticated:
        login_sessions.end(db.session, current_user.login_token)
        db.session.commit()
    # Clear first: logout_user() leaves the flag that deletes the remember cookie.
    session.clear()
    logout_user()


def sign_in(login: str, password: str, remember: bool = False) -> User:
    """Check credentials and start a session, or raise AuthenticationFailed."""
    user = accounts.authenticate(db.session, password_hashing(), login, password, utcnow())
    start_session(user, remember)
    return user


def sign_up(email: str, handle: str, display_name: str, password: str) -> User:
    """Create an account and start its session, or raise ValidationFailed / Conflict."""
    user = accounts.register_user(
        db.session,
        password_hashing(),
        email=email,
        handle=handle,
        display_name=display_name,
        password=password,
    )
    start_session(user)
    return user
