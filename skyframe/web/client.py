"""The client a request counts against: its address after ProxyFix, which
trusts exactly ``PROXY_FIX_X_FOR`` proxies (a client cannot reset a counter by
sending its own ``X-Forwarded-For``); IPv6 clients by /64, the block one
subscriber usually holds."""

from __future__ import annotations

import ipaddress

from flask import request

IPV6_PREFIX = 64


def client_address() -> str:
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)
