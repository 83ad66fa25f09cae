"""The staff area limited to networks (``ADMIN_ALLOWED_NETWORKS``).

Comma-separated CIDRs, IPv4 and IPv6; empty lets staff in from anywhere. A request to ``/admin`` or
``/api/v1/admin`` from any other address is answered 404 — the ordinary
not-found page or JSON error — before anything else looks at it (before
the CSRF check, the rate limits and the sign-in): to someone outside, staff
and managers too, the area does not exist. What the staff rules inside say
(``policy.can_enter_staff_area``) still applies within the networks.

How a setting reads and an address is judged: skyframe/web/networks.py.
The address judged is ``request.remote_addr`` after ProxyFix, which trusts
exactly ``PROXY_FIX_X_FOR`` proxies: behind one proxy it is the right-most
X-Forwarded-For entry the proxy appended, and without ProxyFix a client's
own X-Forwarded-For is ignored.

The networks are parsed once, at start-up (config.py calls
``parse_networks`` when it validates the settings, so a typo stops the app
with a message naming it).
"""

from __future__ import annotations

from flask import Flask, abort, current_app, request

from skyframe.web.networks import address_allowed, parse_networks

# The staff HTML pages and the staff JSON API.
ADMIN_PATH_PREFIXES = ("/admin", "/api/v1/admin")
EXTENSION = "skyframe.admin_networks"


def is_admin_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in ADMIN_PATH_PREFIXES)


def admin_reachable() -> bool:
    """Whether this request's client may reach the staff area at all (the
    page header shows staff the way in only then)."""
    return address_allowed(request.remote_addr, current_app.extensions.get(EXTENSION, ()))


def refuse_outside_networks():
    if is_admin_path(request.path) and not admin_reachable():
        abort(404)


def init_admin_networks(app: Flask) -> None:
    """Parse the networks and put the check first among the app's
    before-request steps (call before extensions register theirs)."""
    app.extensions[EXTENSION] = parse_networks(app.config["ADMIN_ALLOWED_NETWORKS"])
    app.before_request(refuse_outside_networks)
