"""The swipe feeds: For you (``/``) and Following (``/following``).

The first page is rendered into the HTML, so the first image paints without
waiting for scripts and the API; static/js/feed.js then loads the next pages
from the API and takes over.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import login_required

from skyframe.api.pages import following_page, for_you_page
from skyframe.api.schemas.posts import PostPage
from skyframe.main.blueprint import bp
from skyframe.services import feed_settings
from skyframe.web.viewer import viewer


def render_feed(
    page: PostPage,
    *,
    source_url: str,
    report_seen: bool,
    kind: str,
    template: str = "feed/feed.html",
    **context,
) -> str:
    """A swipe page of ``page``'s posts that loads the next pages from
    ``source_url`` (a collection's page extends the feed's template)."""
    return render_template(
        template,
        items=[item.model_dump(mode="json") for item in page.items],
        next_cursor=page.next_cursor,
        source_url=source_url,
        seen_url=url_for("api.feed_seen") if report_seen else "",
        feed_kind=kind,
        **context,
    )


@bp.get("/")
def index():
    """For you: the viewer's feed (anonymous visitors: the newest posts)."""
    return render_feed(
        for_you_page(None, None),
        source_url=url_for("api.feed_page"),
        report_seen=viewer() is not None,
        kind="for-you",
    )


@bp.get("/following")
@login_required
def following():
    """Posts by the people the viewer follows, newest first."""
    page = following_page(None, feed_settings().page_size)
    return render_feed(
        page, source_url=url_for("api.following_feed"), report_seen=False, kind="following"
    )
