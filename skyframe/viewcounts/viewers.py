"""Who a view belongs to: a signed-in user, a visitor's cookie, or an address.

A visitor gets a first-party cookie holding a random id, signed with the
app's secret (it says nothing about the person and cannot be forged into
someone else's id). Until the browser sends it back, and for clients that
never keep cookies, the client's address stands for the viewer: IPv4 as
is, IPv6 by its /64 (the block one subscriber usually holds; see
skyframe.web.client), so a cookie-less crawler counts at most once per post
per day from each network.

Only browsers count. A report counts when the request carries
``Sec-Fetch-Site: same-origin`` (every current browser sends Fetch Metadata
with fetch() and keepalive requests; scripts, curl and most bots send none)
and a User-Agent that names no bot, crawler, HTTP library or headless
browser (:data:`NOT_A_BROWSER`). Browsers too old to send Fetch Metadata
(Safari before 16.4) are not counted: a view missed, never a view made up.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import timedelta

from itsdangerous import BadSignature, Signer

COOKIE_NAME = "skyframe_viewer"
LIFETIME = timedelta(days=365)
_SALT = "skyframe.viewer-cookie"
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")

NOT_A_BROWSER = re.compile(
    r"bot|crawl|spider|slurp|scrap|fetch|preview|curl|wget|httpie|python|"
    r"java/|go-http|okhttp|httpclient|libwww|werkzeug|axios|node|headless|phantom|lighthouse",
    re.IGNORECASE,
)


def _signer(secret: str) -> Signer:
    return Signer(secret, salt=_SALT)


def new_visitor(secret: str) -> tuple[str, str]:
    """A fresh visitor id and the cookie value carrying it."""
    visitor = secrets.token_urlsafe(16)
    return visitor, _signer(secret).sign(visitor).decode()


def visitor_id(value: str | None, secret: str) -> str | None:
    """The id in a genuine cookie value (None for none, or a forged one)."""
    if not value or len(value) > 200:
        return None
    try:
        found = _signer(secret).unsign(value).decode()
    except BadSignature:
        return None
    return found if _ID_PATTERN.fullmatch(found) else None


def viewer_key(user_id: int | None, visitor: str | None, address: str) -> str:
    """The key one viewer's views are counted under."""
    if user_id is not None:
        return f"u{user_id}"
    if visitor is not None:
        return f"v{visitor}"
    return f"a{address}"


def is_browser(headers: Mapping[str, str]) -> bool:
    """Whether a report comes from a browser's page on this site (see above)."""
    agent = headers.get("User-Agent") or ""
    return (
        headers.get("Sec-Fetch-Site") == "same-origin"
        and bool(agent)
        and NOT_A_BROWSER.search(agent) is None
    )
