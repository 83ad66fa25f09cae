"""Signing in and out, shared by the HTML pages and the JSON API."""

from __future__ import annotations

from flask import g, session
from flask_login import login_user, logout_user

from skyframe import accounts
from skyframe.exceptions import AuthenticationFailed
from skyframe.extensions import db, limiter
from skyframe.models import User, utcnow
from skyframe.ratelimit import client_address, submitted_login
from skyframe.wiring import password_hashing


def _config_limit(name: str):
    from flask import current_app

    return lambda: current_app.config[name]


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


# Shared scopes: the HTML form and the JSON endpoint draw on the same counters.
login_limit_per_ip = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_IP"),
    scope="login-ip",
    key_func=client_address,
    methods=["POST"],
)
login_limit_per_account = limiter.shared_limit(
    _config_limit("LOGIN_LIMIT_PER_ACCOUNT"),
    scope="login-account",
    key_func=submitted_login,
    methods=["POST"],
    deduct_when=_login_failed,
)
register_limit_per_ip = limiter.shared_limit(
    _config_limit("REGISTER_LIMIT_PER_IP"),
    scope="register-ip",
    key_func=client_address,
    methods=["POST"],
)


def start_session(user: User, remember: bool = False) -> None:
    """Log the user in on a fresh session (no fixation: the old one is dropped)."""
    session.clear()
    login_user(user, remember=remember, fresh=True)
    session.permanent = True


def end_session() -> None:
    logout_user()
    session.clear()


def sign_in(login: str, password: str, remember: bool = False) -> User:
    """Check credentials and start a session, or raise AuthenticationFailed."""
    try:
        user = accounts.authenticate(db.session, password_hashing(), login, password, utcnow())
    except AuthenticationFailed:
        g.login_failed = True
        raise
    db.session.commit()
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
    db.session.commit()
    start_session(user)
    return user
