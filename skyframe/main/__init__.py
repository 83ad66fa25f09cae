"""The HTML pages (the feed, posts, people, search, media files, the PWA's files)."""

from skyframe.main import (  # noqa: F401  (each module adds its routes to bp)
    collections,
    context,
    feed_pages,
    hosting,
    live,
    live_following,
    media,
    notifications,
    people,
    posts,
    pwa,
    routes,
    safety,
    saved,
    search,
    settings,
    standing,
    support,
    tokens,
)
from skyframe.main.blueprint import bp

__all__ = ["bp"]
