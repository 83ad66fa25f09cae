"""Rate-limit keys.

The client address is whatever ``request.remote_addr`` says after ProxyFix,
which trusts exactly ``PROXY_FIX_X_FOR`` proxies: a client cannot reset its
counter by sending its own ``X-Forwarded-For``.
"""

from __future__ import annotations

from flask import request


def client_address() -> str:
    return request.remote_addr or "unknown"


def submitted_login() -> str:
    """The account a login attempt targets, normalised, from a form or JSON body."""
    value = request.form.get("login")
    if value is None and request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("login"), str):
            value = body["login"]
    return "account:" + (value or "").strip().lower()[:254]
