"""The feed over JSON: pages of posts and the impressions the client reports."""

from __future__ import annotations

from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.pages import following_page, for_you_page
from skyframe.api.schemas.common import PageQuery
from skyframe.api.schemas.feed import FeedQuery, SeenIn, SeenOut
from skyframe.api.schemas.posts import PostPage
from skyframe.database import reading_only
from skyframe.extensions import db
from skyframe.feed import ahead, seen
from skyframe.models import utcnow
from skyframe.services import feed_cache, feed_settings
from skyframe.web.ratelimit import per_user_limit

TAGS = ["feed"]


@bp.get("/feed")
@operation(tags=TAGS, returns=PostPage, query=FeedQuery, errors=(400,))
def feed_page(query: FeedQuery):
    """The next page of the feed: for a signed-in viewer followed uploaders and
    liked posts blended with everyone's newest, unseen first; for anonymous
    visitors the newest posts. Pass next_cursor back as ?cursor=."""
    reading_only(db.session)
    return for_you_page(query.cursor, query.limit)


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
