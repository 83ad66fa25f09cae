"""The feed: which posts a viewer sees next.

``blend`` (pure page-building rules), ``pools`` (the candidate queries),
``seen`` (seen history), ``selector`` (a page and the next state) and
``cursor`` (the state, signed). ``next_page`` ties them together for the API
and the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from skyframe.feed import cursor as feed_cursor
from skyframe.feed import selector
from skyframe.feed.ahead import Cache
from skyframe.feed.settings import FeedSettings
from skyframe.models import User
from skyframe.posts.views import PostView, ViewerFlags, load_post_views_for

# Pages emptied by deletions that one request skips before it answers with an
# empty page (whose cursor carries on).
MAX_EMPTY_PAGES = 3


@dataclass(frozen=True)
class Page:
    posts: list[PostView]
    next_cursor: str | None
    flags: ViewerFlags | None = None  # the signed-in viewer's, on these posts


def next_page(
    session: Session,
    viewer: User | None,
    settings: FeedSettings,
    *,
    secret: str,
    cursor: str | None,
    limit: int | None,
    now: datetime,
    cache: Cache | None = None,
) -> Page:
    """The viewer's next page of posts after ``cursor`` (None: the top)."""
    size = limit or settings.page_size
    viewer_id = viewer.id if viewer is not None else None
    state = feed_cursor.decode(secret, viewer_id, cursor, now, cache) if cursor else None
    for _ in range(MAX_EMPTY_PAGES):
        if viewer is None:
            after = state.global_.after if state else None
            chosen = selector.anonymous_page(session, after, size)
        else:
            chosen = selector.viewer_page(
                session, viewer.id, settings, state, size, now, cache=cache
            )
        # Posts chosen from kept candidates (skyframe.feed.ahead) may have
        # been deleted or hidden since; a page they emptied is not the end of
        # the feed.
        views, flags = load_post_views_for(session, chosen.post_ids, viewer_id)
        views = [view for view in views if view.is_listed]
        state = chosen.next_state
        if views or state is None:
            break
    next_cursor = feed_cursor.encode(secret, viewer_id, state, cache) if state else None
    return Page(views, next_cursor, flags)


__all__ = ["FeedSettings", "Page", "next_page"]
