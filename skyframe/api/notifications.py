"""In-app notifications over JSON."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe import cursors, notifications
from skyframe.api import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import notification_out
from skyframe.api.schemas import NotificationPage, NotificationsRead, PageQuery, UnreadCount
from skyframe.extensions import db
from skyframe.models import utcnow

TAGS = ["notifications"]


@bp.get("/notifications")
@login_required
@operation(tags=TAGS, returns=NotificationPage, query=PageQuery, signed_in=True, errors=(400,))
def list_notifications(query: PageQuery):
    """The signed-in user's notifications, newest first (cursor-paginated),
    with the number still unread."""
    secret = current_app.config["SECRET_KEY"]
    before = cursors.decode(secret, "notifications", query.cursor)[1] if query.cursor else None
    rows = notifications.listing(db.session, current_user, limit=query.limit, before_id=before)
    page, has_more = rows[: query.limit], len(rows) > query.limit
    return NotificationPage(
        items=[notification_out(n) for n in page],
        next_cursor=cursors.encode(secret, "notifications", page[-1].created_at, page[-1].id)
        if has_more
        else None,
        has_more=has_more,
        unread_count=notifications.unread_count(db.session, current_user),
    )


@bp.post("/notifications/read")
@login_required
@operation(tags=TAGS, returns=UnreadCount, json=NotificationsRead, signed_in=True, writes=True)
def read_notifications(json: NotificationsRead):
    """Mark notifications read: those listed in ids, or all of them."""
    notifications.mark_read(db.session, current_user, json.ids, utcnow())
    db.session.commit()
    return UnreadCount(unread_count=notifications.unread_count(db.session, current_user))
