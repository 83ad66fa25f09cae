"""Settings pages for the account's password and its login sessions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from skyframe.auth.blueprint import bp
from skyframe.auth.forms import ChangePasswordForm, SessionActionForm, attach_field_errors
from skyframe.exceptions import DomainError, NotFound
from skyframe.web.account_security import (
    change_password,
    is_current,
    my_sessions,
    revoke_other_sessions,
    revoke_session,
)
from skyframe.web.ratelimit import per_user_limit


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@per_user_limit("PASSWORD_CHANGE_LIMIT", scope="password-change", methods=["POST"])
def change_password_page():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(form.current_password.data, form.new_password.data)
        except DomainError as exc:
            attach_field_errors(form, exc)
            status = exc.status
        else:
            flash("Password changed. Every other session is signed out.", "success")
            return redirect(url_for("main.settings"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/change_password.html", form=form), status


@bp.get("/settings/sessions")
@login_required
def sessions_page():
    listed = [(row, is_current(row)) for row in my_sessions()]
    listed.sort(key=lambda pair: not pair[1])  # this device first, then by last use
    return render_template(
        "auth/sessions.html",
        sessions=listed,
        form=SessionActionForm(),
    )


@bp.post("/settings/sessions/<session_id>/revoke")
@login_required
def revoke_session_page(session_id: str):
    if not SessionActionForm().validate_on_submit():
        abort(400)
    try:
        revoke_session(session_id)
    except NotFound:
        abort(404)
    flash("That session is signed out.", "info")
    return redirect(url_for("auth.sessions_page"))


@bp.post("/settings/sessions/revoke-others")
@login_required
def revoke_other_sessions_page():
    if not SessionActionForm().validate_on_submit():
        abort(400)
    count = revoke_other_sessions()
    flash(f"Signed out {count} other session{'s' if count != 1 else ''}.", "info")
    return redirect(url_for("auth.sessions_page"))
