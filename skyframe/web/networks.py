"""Which client addresses a network-restricted door answers (the staff area,
``/metrics``): settings of comma-separated CIDRs, IPv4 and IPv6, judged on
the address after ProxyFix.

A bare address is its own /32 or /128; an empty setting means anywhere. An
IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, what a dual-stack socket
reports for an IPv4 client) counts as the IPv4 address it carries, and an
address that cannot be parsed (a Unix socket without ProxyFix) lies outside
every network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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
