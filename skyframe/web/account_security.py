"""Changing and resetting passwords, and the owner's view of their login
sessions: the request glue shared by the HTML pages and the JSON API."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, request, url_for
from flask_login import current_user

from skyframe import mail
from skyframe.accounts import login_sessions, password_reset, users
from skyframe.exceptions import NotFound
from skyframe.extensions import db
from skyframe.models import LoginSession, User, utcnow
from skyframe.services import password_hashing
from skyframe.web.sign_in import renew_session

RESET_SUBJECT = "Reset your SkyFrame password"


def change_password(current_password: str, new_password: str) -> User:
    """Change the signed-in user's password: every other session ends, this
    one is renewed (new cookie, new CSRF token)."""
    user: User = current_user._get_current_object()
    users.change_password(
        db.session,
        password_hashing(),
        user,
        current_password,
        new_password,
        keep_token=user.login_token,
    )
    renew_session(user)  # commits
    return user


def reset_link(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + url_for("auth.reset_password", token=token)


def reset_mail_body(user: User, link: str) -> str:
    minutes = int(current_app.config["PASSWORD_RESET_LIFETIME"].total_seconds() // 60)
    return (
        f"Hello {user.display_name},\n\n"
        f"someone (hopefully you) asked to reset the password of @{user.handle} on SkyFrame.\n"
        f"Open this link within {minutes} minutes to choose a new one:\n\n{link}\n\n"
        "The link works once. If you did not ask, ignore this message: "
        "your password stays as it is.\n"
    )


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account uses the address; the caller
    answers the same either way."""
    result = password_reset.request_reset(
        db.session, email, lifetime=current_app.config["PASSWORD_RESET_LIFETIME"], now=utcnow()
    )
    db.session.commit()
    if result.user is not None:
        link = reset_link(result.token)
        mail.deliver(result.user.email, RESET_SUBJECT, reset_mail_body(result.user, link))


def confirm_password_reset(token: str, new_password: str) -> User:
    """Set a new password with a reset token; every session of the account ends."""
    user = password_reset.confirm_reset(
        db.session, password_hashing(), token, new_password, utcnow()
    )
    db.session.commit()
    return user


def my_sessions() -> Sequence[LoginSession]:
    return login_sessions.list_for_user(db.session, current_user.id, utcnow())


def is_current(row: LoginSession) -> bool:
    return login_sessions.is_token_of(row, current_user.login_token)


def revoke_session(public_id: str) -> None:
    """End one of the signed-in user's sessions (NotFound if not theirs)."""
    if not login_sessions.end_by_public_id(db.session, current_user.id, public_id[:64]):
        raise NotFound("No such session.")
    db.session.commit()


def revoke_other_sessions() -> int:
    count = login_sessions.end_all(
        db.session, current_user.id, except_token=current_user.login_token
    )
    db.session.commit()
    return count
