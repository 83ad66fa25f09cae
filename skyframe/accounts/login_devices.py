"""Device cookies: OWASP's answer to lock-outs ("Slow Down Online Guessing
Attacks with Device Cookies").

A successful login gives the browser a signed cookie naming the account and
a random nonce. A later login to that account presenting it is counted
against the cookie's own limit, not the account's shared ones, so strangers
failing against the account elsewhere cannot lock its owner out of a
browser they signed in from before; a cookie that fails too often is locked
out itself. One cookie remembers up to ``MAX_ACCOUNTS`` accounts (a shared
family tablet). Plain functions over the cookie's value and the app secret.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE_NAME = "skyframe_device"
LIFETIME = timedelta(days=365)
MAX_ACCOUNTS = 5
MAX_COOKIE_LENGTH = 2048
_SALT = "skyframe.device-cookie"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def read(value: str | None, secret: str) -> dict[int, str]:
    """Account id → nonce of a genuine, unexpired cookie ({} otherwise)."""
    if not value or len(value) > MAX_COOKIE_LENGTH:
        return {}
    try:
        data = _serializer(secret).loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadData:
        return {}
    if not isinstance(data, list):
        return {}
    return {
        entry[0]: entry[1]
        for entry in data
        if isinstance(entry, list)
        and len(entry) == 2
        and type(entry[0]) is int
        and isinstance(entry[1], str)
    }


def nonce_for(value: str | None, secret: str, user_id: int | None) -> str | None:
    """The cookie's nonce for this account, when it has one."""
    if user_id is None:
        return None
    return read(value, secret).get(user_id)


def issue(value: str | None, secret: str, user_id: int) -> str:
    """The cookie after a successful login: a new nonce for this account,
    the newest others kept."""
    entries = read(value, secret)
    entries.pop(user_id, None)
    kept = [[uid, nonce] for uid, nonce in entries.items()][-(MAX_ACCOUNTS - 1) :]
    kept.append([user_id, secrets.token_urlsafe(16)])
    return _serializer(secret).dumps(kept)
