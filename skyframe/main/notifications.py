"""The notifications page, with a "mark all read" form that works without
JavaScript."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from skyframe.api.pages import notifications_page as notifications_listing
from skyframe.api.presenters import notification_out
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import utcnow
from skyframe.social import notifications

NOTIFICATIONS_PAGE = 30


@bp.get("/notifications")
@login_required
def notifications_page():
    page = notifications_listing(request.args.get("cursor"), NOTIFICATIONS_PAGE)
    return render_template(
        "people/notifications.html",
        items=[notification_out(n) for n in page.items],
        older=page.next_cursor,
        unread=notifications.unread_count(db.session, current_user),
        read_form=ConfirmForm(),
    )


@bp.post("/notifications/read")
@login_required
def notifications_read():
    """Mark every notification read (the page's button, without JavaScript)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notifications.mark_read(db.session, current_user, None, utcnow())
    db.session.commit()
    return redirect(url_for("main.notifications_page"))
