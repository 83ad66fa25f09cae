"""The JSON API under /api/v1."""

from skyframe.api import (  # noqa: F401  (each module adds its routes to bp)
    account,
    appeals,
    audit,
    auth,
    blocks,
    catalogue,
    collections,
    comments,
    feed,
    interactions,
    live,
    live_events,
    meta,
    moderation,
    motd,
    notifications,
    posts,
    profile,
    reports,
    search,
    tickets,
    views,
)
from skyframe.api.blueprint import bp

__all__ = ["bp"]
