"""Profile pages, with a follow button that works without JavaScript
(static/js/people.js only enhances it)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from skyframe import cursors, policy
from skyframe.accounts import users
from skyframe.api.collections import collections_page, profile_covers
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import User, utcnow
from skyframe.moderation import takedowns
from skyframe.social import blocks, interactions, profiles
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.safe_redirect import safe_next_path
from skyframe.web.viewer import viewer

GRID_PAGE = 24


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
    is_owner = reader is not None and reader.id == user.id
    taken_down = [post.id for post in page.items if post.taken_down] if is_owner else []
    return render_template(
        "people/profile.html",
        **_profile_context(user, reader),
        tab="posts",
        posts=page.items,
        removed=takedowns.current_reasons(db.session, taken_down),
        older=page.next_cursor,
    )


@bp.get("/u/<handle>/collections")
def profile_collections(handle: str):
    """The profile's Collections tab (private ones for their owner alone)."""
    reader = viewer()
    user = _profile_user(handle, reader)
    page, counts = collections_page(user, reader, request.args.get("cursor"), GRID_PAGE)
    return render_template(
        "people/profile.html",
        **_profile_context(user, reader),
        tab="collections",
        collections=page.items,
        collection_counts=counts,
        collection_covers=profile_covers(page.items),
        older=page.next_cursor,
    )


def _profile_context(user: User, reader: User | None) -> dict:
    """What the profile's header shows, whichever tab is open."""
    return dict(
        user=user,
        counts=profiles.profile_counts(db.session, user),
        following=profiles.is_following(db.session, reader, user),
        is_owner=reader is not None and reader.id == user.id,
        follow_form=ConfirmForm(),
        blocking=blocks.block_in_force(db.session, reader, user, utcnow()) if reader else None,
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
