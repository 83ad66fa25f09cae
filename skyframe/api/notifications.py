"""In-app notifications over JSON."""

from __future__ import annotations

from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.pages import notifications_page
from skyframe.api.presenters import notification_out
from skyframe.api.schemas.common import PageQuery
from skyframe.api.schemas.social import NotificationPage, NotificationsRead, UnreadCount
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.social import notifications

TAGS = ["notifications"]


@bp.get("/notifications")
@login_required
@operation(tags=TAGS, returns=NotificationPage, query=PageQuery, signed_in=True, errors=(400,))
def list_notifications(query: PageQuery):
    """The signed-in user's notifications, newest first (cursor-paginated),
    with the number still unread."""
    page = notifications_page(query.cursor, query.limit)
    return NotificationPage(
        items=[notification_out(n) for n in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
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
