"""Values every page template may use."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.social import notifications


def unread_notifications() -> int:
    """The signed-in user's unread notifications (0 when signed out); one
    indexed count, made only by templates that show the badge."""
    if not current_user.is_authenticated:
        return 0
    try:
        return notifications.unread_count(db.session, current_user)
    except SQLAlchemyError:  # the badge never takes a page down with it
        db.session.rollback()
        return 0


@bp.app_context_processor
def page_helpers() -> dict[str, object]:
    return {"unread_notifications": unread_notifications}
