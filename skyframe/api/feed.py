"""The feed over JSON: pages of posts and the impressions the client reports."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe import cursors, feed, following
from skyframe.api import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import post_out
from skyframe.api.schemas import FeedQuery, PageQuery, PostPage, SeenIn, SeenOut
from skyframe.database import reading_only
from skyframe.extensions import db
from skyframe.feed import ahead, seen
from skyframe.main.media import viewer
from skyframe.models import utcnow
from skyframe.ratelimit import per_user_limit
from skyframe.wiring import feed_cache, feed_settings

TAGS = ["feed"]


@bp.get("/feed")
@operation(tags=TAGS, returns=PostPage, query=FeedQuery, errors=(400,))
def feed_page(query: FeedQuery):
    """The next page of the feed: for a signed-in viewer followed uploaders and
    liked posts blended with everyone's newest, unseen first; for anonymous
    visitors the newest posts. Pass next_cursor back as ?cursor=."""
    reading_only(db.session)
    return for_you_page(query.cursor, query.limit)


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


@bp.post("/feed/seen")
@login_required
@per_user_limit("FEED_SEEN_LIMIT", scope="feed-seen")
@operation(tags=TAGS, returns=SeenOut, json=SeenIn, signed_in=True, writes=True, errors=(429,))
def feed_seen(json: SeenIn):
    """Report posts the viewer has seen (at least half on screen for a second),
    up to 100 at a time; the feed skips them until it runs out of unseen ones.
    Unknown ids are ignored."""
    settings, cache = feed_settings(), feed_cache()
    recorded = seen.record_seen(db.session, current_user.id, json.post_ids, settings, utcnow())
    db.session.commit()
    if cache is not None and settings.seen_enabled:
        ahead.remember_seen(cache, current_user.id, json.post_ids, settings.prefetch_seconds)
    return SeenOut(recorded=recorded)


@bp.get("/feed/following")
@login_required
@operation(tags=TAGS, returns=PostPage, query=PageQuery, signed_in=True, errors=(400,))
def following_feed(query: PageQuery):
    """Posts by the people the signed-in user follows, newest upload first
    (cursor-paginated)."""
    return following_page(query.cursor, query.limit)


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
