"""People pages: profiles (with follow), Saved, notifications.

Each is server-rendered and works without JavaScript (follow and "mark all
read" are plain forms); static/js/people.js only enhances them.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from skyframe import cursors, interactions, notifications, policy, profiles
from skyframe.accounts import users
from skyframe.api.presenters import notification_out
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import User, utcnow
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.safe_redirect import safe_next_path
from skyframe.web.viewer import viewer

GRID_PAGE = 24
NOTIFICATIONS_PAGE = 30


def _cursor(listing: str) -> tuple | None:
    """The keyset position in ?before= (a signed cursor), or None."""
    raw = request.args.get("before")
    if not raw:
        return None
    return cursors.decode(current_app.config["SECRET_KEY"], listing, raw)


def _next_cursor(listing: str, moment, item_id: int) -> str:
    return cursors.encode(current_app.config["SECRET_KEY"], listing, moment, item_id)


def _profile_user(handle: str, reader: User | None = None) -> User:
    """The account behind a handle, if ``reader`` may see it (a disabled one:
    staff only); without a reader, active accounts only."""
    user = users.user_by_handle(db.session, handle)
    if user is None or not policy.can_see_account(user, reader):
        abort(404)
    return user


@bp.get("/u/<handle>")
def profile(handle: str):
    reader = viewer()
    user = _profile_user(handle, reader)
    listing = f"profile:{user.id}"
    rows = profiles.profile_posts(
        db.session, user, reader, limit=GRID_PAGE + 1, before=_cursor(listing)
    )
    page = rows[:GRID_PAGE]
    older = (
        _next_cursor(listing, page[-1].created_at, page[-1].id) if len(rows) > GRID_PAGE else None
    )
    return render_template(
        "people/profile.html",
        user=user,
        posts=page,
        older=older,
        counts=profiles.profile_counts(db.session, user),
        following=profiles.is_following(db.session, reader, user),
        is_owner=reader is not None and reader.id == user.id,
        follow_form=ConfirmForm(),
    )


@bp.post("/u/<handle>/follow")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
def follow_form(handle: str):
    """Follow or unfollow from the profile page without JavaScript."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = _profile_user(handle)
    following = request.form.get("action") != "unfollow"
    try:
        interactions.set_follow(db.session, current_user, user, following)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(
            f"You follow @{user.handle}." if following else f"You unfollowed @{user.handle}.",
            "info",
        )
    fallback = url_for("main.profile", handle=user.handle)
    return redirect(safe_next_path(request.form.get("next"), fallback))


@bp.get("/saved")
@login_required
def saved():
    rows = interactions.saved_posts(
        db.session, current_user, limit=GRID_PAGE, after=_cursor("saved")
    )
    page = rows[:GRID_PAGE]
    older = None
    if len(rows) > GRID_PAGE:
        last_post, saved_at = page[-1]
        older = _next_cursor("saved", saved_at, last_post.id)
    return render_template("people/saved.html", posts=[post for post, _ in page], older=older)


@bp.get("/notifications")
@login_required
def notifications_page():
    before = _cursor("notifications")
    rows = notifications.listing(
        db.session,
        current_user,
        limit=NOTIFICATIONS_PAGE,
        before_id=before[1] if before else None,
    )
    page = rows[:NOTIFICATIONS_PAGE]
    older = None
    if len(rows) > NOTIFICATIONS_PAGE:
        older = _next_cursor("notifications", page[-1].created_at, page[-1].id)
    return render_template(
        "people/notifications.html",
        items=[notification_out(n) for n in page],
        older=older,
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
