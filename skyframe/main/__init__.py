"""The HTML pages (the feed, posts, people, search, media files, the PWA's files)."""

from skyframe.main import (  # noqa: F401  (each module adds its routes to bp)
    collections,
    context,
    feed_pages,
    live,
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
)
from skyframe.main.blueprint import bp

__all__ = ["bp"]
