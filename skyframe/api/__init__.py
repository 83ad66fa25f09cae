"""The JSON API under /api/v1."""

from skyframe.api import (  # noqa: F401  (each module adds its routes to bp)
    account,
    auth,
    blocks,
    catalogue,
    comments,
    feed,
    interactions,
    meta,
    motd,
    notifications,
    posts,
    profile,
    search,
)
from skyframe.api.blueprint import bp

__all__ = ["bp"]
