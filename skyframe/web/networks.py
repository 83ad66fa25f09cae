"""Which client addresses a network-restricted door answers: settings of
comma-separated CIDRs (IPv4 and IPv6), judged on the address after ProxyFix."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str, *, setting: str) -> tuple[Network, ...]:
    """The networks a setting names ("" names none). A value that is not a
    list of CIDRs raises ValueError naming the setting and the bad entry."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(f"{setting}: {entry!r} is not an IP network ({exc})") from exc
    return tuple(networks)


def address_within(address: str | None, networks: Iterable[Network]) -> bool:
    """Whether ``address`` lies in one of ``networks``; an IPv4-mapped IPv6
    address (``::ffff:10.0.0.1``, what a dual-stack socket reports) counts as
    its IPv4 address. An address that is not one (or none) lies nowhere."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in networks)
