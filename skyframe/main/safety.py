"""Blocking from the profile page, the "Blocked accounts" list in settings,
and deleting one's account: forms that work without JavaScript."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField

from skyframe import cursors
from skyframe.api.account import delete_me
from skyframe.api.blocks import blocks_page, note_change
from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.main.people import _profile_user
from skyframe.models import utcnow
from skyframe.social import blocks
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.safe_redirect import safe_next_path

BLOCKS_PAGE = 30
# The profile menu's choices: a block without end, or a timeout.
TIMEOUTS = {"": None, "1d": timedelta(days=1), "7d": timedelta(days=7)}


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        description="Deleting cannot be undone: your posts, comments, likes and follows go.",
        render_kw={"autocomplete": "current-password", "required": True},
    )


@bp.post("/u/<handle>/block")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
def block_form(handle: str):
    """Block, time out or unblock from the profile page or the blocked list."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = _profile_user(handle)
    unblocking = request.form.get("action") == "unblock"
    timeout = TIMEOUTS.get(request.form.get("for", ""))
    now = utcnow()
    try:
        if unblocking:
            blocks.unblock(db.session, current_user, user)
        else:
            until = now + timeout if timeout else None
            blocks.block(db.session, current_user, user, until=until, now=now)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        note_change(current_user, user, now)
        done = "unblocked" if unblocking else ("timed out" if timeout else "blocked")
        flash(f"You {done} @{user.handle}.", "info")
    fallback = url_for("main.profile", handle=user.handle)
    return redirect(safe_next_path(request.form.get("next"), fallback))


@bp.get("/settings/blocks")
@login_required
def blocked_accounts():
    """The accounts the user blocks, with an unblock button each."""
    try:
        page = blocks_page(request.args.get("cursor"), BLOCKS_PAGE)
    except cursors.InvalidCursor:
        return redirect(url_for("main.blocked_accounts"))
    return render_template(
        "people/blocks.html", items=page.items, older=page.next_cursor, form=ConfirmForm()
    )


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
@per_user_limit("PASSWORD_CHANGE_LIMIT", scope="password-change", methods=["POST"])
def delete_account_page():
    """Delete the account, confirming with the password; signs out."""
    form = DeleteAccountForm()
    status = 200
    if form.validate_on_submit():
        try:
            deleted = delete_me(form.password.data or "")
        except DomainError as exc:
            db.session.rollback()
            form.password.errors = [exc.fields.get("password", exc.message)]
            status = exc.status
        else:
            flash(f"@{deleted.handle} is deleted. Thank you for the skies you shared.", "info")
            return redirect(url_for("main.index"))
    elif form.is_submitted():
        status = 400
    return render_template("main/delete_account.html", form=form), status
