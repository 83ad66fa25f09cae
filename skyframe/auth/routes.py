from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user

from skyframe.auth import bp
from skyframe.auth.forms import LoginForm, RegisterForm
from skyframe.auth.sessions import (
    end_session,
    login_limit_per_account,
    login_limit_per_device,
    login_limit_per_ip,
    register_limit_per_email,
    register_limit_per_ip,
    sign_in,
    sign_up,
)
from skyframe.exceptions import AuthenticationFailed, DomainError
from skyframe.safe_redirect import safe_next_path


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
            _attach_field_errors(form, exc)
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


def _attach_field_errors(form, exc: DomainError) -> None:
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    if not exc.fields:
        form.form_errors.append(exc.message)
