"""Rate-limit keys.

The client address is whatever ``request.remote_addr`` says after ProxyFix,
which trusts exactly ``PROXY_FIX_X_FOR`` proxies: a client cannot reset its
counter by sending its own ``X-Forwarded-For``. IPv6 clients are counted per
/64, the block one subscriber usually holds.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request
from flask_login import current_user

from skyframe.accounts import users
from skyframe.extensions import db, limiter
from skyframe.web.client import client_address


def _submitted(field: str) -> str:
    """A text field from the form or the JSON body ("" when absent)."""
    value = request.form.get(field)
    if value is None and request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get(field), str):
            value = body[field]
    return (value or "")[:320]


def submitted_user_id() -> int | None:
    """The id of the account a login attempt names (looked up once per request)."""
    if "_submitted_user_id" not in g:
        user = users.user_by_login(db.session, _submitted("login"))
        g._submitted_user_id = user.id if user is not None else None
    return g._submitted_user_id


def submitted_account() -> str:
    """The account a login attempt targets: its id when it exists, so that the
    handle and the e-mail address of one account share a counter."""

    user_id = submitted_user_id()
    if user_id is not None:
        return f"account:{user_id}"
    return "unknown-account:" + users.email_key(_submitted("login"))


def submitted_account_and_address() -> str:
    """The tight login limit's key: one account from one client (IPv6: /64)."""
    return f"{submitted_account()}|{client_address()}"


def submitted_email() -> str:
    """The address a registration uses, compared the way accounts compare it."""
    return "email:" + users.email_key(_submitted("email"))


def signed_in_user() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "user:anonymous"


def per_user_limit(
    setting: str, *, scope: str, methods: list[str] | None = None
) -> Callable[[Callable], Callable]:
    """Limit a view per signed-in user by the config value ``setting``; views
    sharing a ``scope`` share the count."""
    return limiter.shared_limit(
        lambda: current_app.config[setting], scope=scope, key_func=signed_in_user, methods=methods
    )
