from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from skyframe.accounts import password_reset
from skyframe.auth.blueprint import bp
from skyframe.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    attach_field_errors,
)
from skyframe.exceptions import AuthenticationFailed, DomainError
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.web.account_security import confirm_password_reset, request_password_reset
from skyframe.web.safe_redirect import safe_next_path
from skyframe.web.sign_in import (
    end_session,
    login_limit_per_account,
    login_limit_per_device,
    login_limit_per_ip,
    password_reset_limit_per_email,
    password_reset_limit_per_ip,
    register_limit_per_email,
    register_limit_per_ip,
    sign_in,
    sign_up,
)


def _next_target(form) -> str:
    return safe_next_path(form.next.data or request.args.get("next"))


@bp.route("/register", methods=["GET", "POST"])
@register_limit_per_ip
@register_limit_per_email
def register():
    if current_user.is_authenticated:
        return redirect("/")
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = sign_up(
                form.email.data, form.handle.data, form.display_name.data, form.password.data
            )
        except DomainError as exc:
            attach_field_errors(form, exc)
            status = exc.status
        else:
            flash(f"Welcome to SkyFrame, {user.display_name}!", "success")
            return redirect(_next_target(form))
    elif form.is_submitted():
        status = 422
    form.next.data = _next_target(form)
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@login_limit_per_ip
@login_limit_per_account
@login_limit_per_device
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_path(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            sign_in(form.login.data, form.password.data, remember=form.remember.data)
        except AuthenticationFailed as exc:
            form.password.errors = [exc.message]
            status = 401
        else:
            return redirect(_next_target(form))
    elif form.is_submitted():
        status = 422
    form.next.data = _next_target(form)
    form.password.data = ""
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    end_session()
    flash("You are logged out. Clear skies!", "info")
    return redirect("/")


RESET_SENT_MESSAGE = (
    "If an account uses that address, a link to reset its password is on its way. "
    "It works once, within an hour."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
@password_reset_limit_per_ip
@password_reset_limit_per_email
def forgot_password():
    form = ForgotPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            request_password_reset(form.email.data)
        except DomainError as exc:
            attach_field_errors(form, exc)
            status = exc.status
        else:
            flash(RESET_SENT_MESSAGE, "info")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@password_reset_limit_per_ip
def reset_password(token: str):
    form = ResetPasswordForm()
    status = 200
    if password_reset.user_for_token(db.session, token, utcnow()) is None:
        return render_template("auth/reset_password.html", form=None), 404
    if form.validate_on_submit():
        try:
            confirm_password_reset(token, form.new_password.data)
        except DomainError as exc:
            attach_field_errors(form, exc)
            status = exc.status
        else:
            end_session()  # this browser too, if it was signed in
            flash("Your password is changed and every session ended. Log in with it.", "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/reset_password.html", form=form), status
