"""Where a user may be sent after logging in."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_path(target: str | None, fallback: str = "/") -> str:
    """Return ``target`` only if it is a same-site relative path.

    ``//evil.example`` and ``/\\evil.example`` are read by browsers as other
    hosts, and anything with a scheme or host is off-site: those fall back.
    """
    if not target or len(target) > 2048:
        return fallback
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
