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
    hosting,
    interactions,
    live,
    live_events,
    live_following,
    meta,
    moderation,
    motd,
    notifications,
    posts,
    profile,
    reports,
    search,
    tickets,
    tokens,
    views,
)
from skyframe.api.blueprint import bp

__all__ = ["bp"]
