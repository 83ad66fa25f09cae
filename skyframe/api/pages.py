"""Listings that both doors render: the JSON API answers them, the HTML pages
draw them (the feed page, Following)."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from skyframe import cursors, feed, following
from skyframe.api.presenters import post_out
from skyframe.api.schemas import PostPage
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.services import feed_cache, feed_settings
from skyframe.web.viewer import viewer


def for_you_page(cursor: str | None, limit: int | None) -> PostPage:
    """A page of the viewer's feed (the API and the feed page)."""
    reader = viewer()
    page = feed.next_page(
        db.session,
        reader,
        feed_settings(),
        secret=current_app.config["SECRET_KEY"],
        cursor=cursor,
        limit=limit,
        now=utcnow(),
        cache=feed_cache(),
    )
    return PostPage(
        items=[post_out(post, reader, page.flags) for post in page.posts],
        next_cursor=page.next_cursor,
        has_more=page.next_cursor is not None,
    )


def following_page(cursor: str | None, limit: int) -> PostPage:
    """A page of the Following feed for the signed-in user (the API and the page)."""
    secret = current_app.config["SECRET_KEY"]
    before = cursors.decode(secret, "following", cursor) if cursor else None
    rows, flags = following.followed_posts(db.session, current_user, limit=limit + 1, before=before)
    page, has_more = rows[:limit], len(rows) > limit
    next_cursor = None
    if has_more:
        next_cursor = cursors.encode(secret, "following", page[-1].created_at, page[-1].id)
    return PostPage(
        items=[post_out(post, current_user, flags) for post in page],
        next_cursor=next_cursor,
        has_more=has_more,
    )
