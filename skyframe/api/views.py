"""View reports over JSON: signed-in users and visitors alike."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.views import ViewsIn, ViewsOut
from skyframe.exceptions import Busy
from skyframe.extensions import db, limiter
from skyframe.services import view_buffer
from skyframe.viewcounts import counting, viewers
from skyframe.web import cookies
from skyframe.web.client import client_address
from skyframe.web.viewer import viewer

TAGS = ["views"]


def _reporter() -> str:
    """The rate limit's key: the signed-in user, else the client address."""
    return f"user:{current_user.id}" if current_user.is_authenticated else client_address()


@bp.post("/views")
@limiter.shared_limit(lambda: current_app.config["VIEW_LIMIT"], scope="views", key_func=_reporter)
@operation(tags=TAGS, returns=ViewsOut, json=ViewsIn, writes=True, errors=(429, 503))
def report_views(json: ViewsIn):
    """Report posts viewed: images on screen and clips played, with for how
    long, up to 100 at a time. A view counts once per viewer per post per 24
    hours, from 2 seconds; the owner's, staff's and non-browser requests'
    views do not count, and unknown or hidden posts are skipped. A visitor
    gets a signed random-id cookie on the first report (until then, its
    address stands for it). Counts show on posts within VIEW_FLUSH_SECONDS."""
    if not viewers.is_browser(request.headers):
        return ViewsOut(recorded=0)
    reader = viewer()
    visitor = None
    if reader is None:
        secret = current_app.config["SECRET_KEY"]
        visitor = viewers.visitor_id(request.cookies.get(viewers.COOKIE_NAME), secret)
        if visitor is None:
            cookie = viewers.new_visitor(secret)[1]
            cookies.set_on_response(viewers.COOKIE_NAME, cookie, viewers.LIFETIME)
    key = viewers.viewer_key(reader.id if reader else None, visitor, client_address())
    reports = [(view.post_id, view.seconds) for view in json.views]
    try:
        recorded = counting.record_views(db.session, view_buffer(), key, reader, reports)
    except _buffer_errors() as exc:
        raise Busy("Views cannot be counted right now; try again later.") from exc
    return ViewsOut(recorded=recorded)


def _buffer_errors() -> tuple[type[Exception], ...]:
    from redis.exceptions import RedisError

    return (RedisError,)
