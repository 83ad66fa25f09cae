"""People pages: profiles (with follow), Saved, notifications.

Each is server-rendered and works without JavaScript (follow and "mark all
read" are plain forms); static/js/people.js only enhances them.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from skyframe import cursors, policy
from skyframe.accounts import users
from skyframe.api.pages import notifications_page as notifications_listing
from skyframe.api.pages import saved_page
from skyframe.api.presenters import notification_out
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import User, utcnow
from skyframe.social import interactions, notifications, profiles
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.safe_redirect import safe_next_path
from skyframe.web.viewer import viewer

GRID_PAGE = 24
NOTIFICATIONS_PAGE = 30


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
    page = cursors.keyset_page(
        current_app.config["SECRET_KEY"],
        f"profile:{user.id}",
        request.args.get("cursor"),
        GRID_PAGE,
        lambda after: profiles.profile_posts(
            db.session, user, reader, limit=GRID_PAGE + 1, before=after
        ),
    )
    return render_template(
        "people/profile.html",
        user=user,
        posts=page.items,
        older=page.next_cursor,
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
    page = saved_page(request.args.get("cursor"), GRID_PAGE)
    posts = [post for post, _ in page.items]
    return render_template("people/saved.html", posts=posts, older=page.next_cursor)


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
