"""The staff area limited to networks (``ADMIN_ALLOWED_NETWORKS``).

Comma-separated CIDRs, IPv4 and IPv6 (a bare address is its own /32 or
/128); empty lets staff in from anywhere. A request to ``/admin`` or
``/api/v1/admin`` from any other address is answered 404 — the ordinary
not-found page or JSON error — before anything else looks at it (before
the CSRF check, the rate limits and the sign-in): to someone outside, staff
and managers too, the area does not exist. What the staff rules inside say
(``policy.can_enter_staff_area``) still applies within the networks.

The address judged is ``request.remote_addr`` after ProxyFix, which trusts
exactly ``PROXY_FIX_X_FOR`` proxies: behind one proxy it is the right-most
X-Forwarded-For entry the proxy appended, and without ProxyFix a client's
own X-Forwarded-For is ignored. An IPv4-mapped IPv6 address
(``::ffff:192.0.2.1``, what a dual-stack socket reports for an IPv4 client)
counts as the IPv4 address it carries. An address that cannot be parsed
(a Unix socket without ProxyFix) is outside every network.

The networks are parsed once, at start-up (config.py calls
``parse_networks`` when it validates the settings, so a typo stops the app
with a message naming it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from flask import Flask, abort, current_app, request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The staff HTML pages and the staff JSON API.
ADMIN_PATH_PREFIXES = ("/admin", "/api/v1/admin")
EXTENSION = "skyframe.admin_networks"


def parse_networks(value: str | Iterable[str]) -> tuple[Network, ...]:
    """The networks a setting names: a comma-separated string or a list.
    ValueError names the first entry that is not a network, or one with
    host bits set (``10.0.0.1/8``: a typo for 10.0.0.0/8 or 10.0.0.1/32?)."""
    entries = value.split(",") if isinstance(value, str) else list(value)
    networks: list[Network] = []
    for entry in entries:
        entry = str(entry).strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=True))
        except ValueError as exc:
            raise ValueError(
                f"{entry!r} is not a network in CIDR notation "
                f"(e.g. 192.0.2.0/24, 2001:db8::/32, or one address): {exc}"
            ) from exc
    return tuple(networks)


def is_admin_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in ADMIN_PATH_PREFIXES)


def address_allowed(address: str | None, networks: Sequence[Network]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (none: anywhere)."""
    if not networks:
        return True
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [parsed]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        candidates.append(parsed.ipv4_mapped)
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


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
