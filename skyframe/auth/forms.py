from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from skyframe.accounts.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from skyframe.accounts.users import HANDLE_PATTERN
from skyframe.exceptions import DomainError
from skyframe.models.user import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH, HANDLE_MAX_LENGTH


class LoginForm(FlaskForm):
    login = StringField(
        "E-mail or handle",
        validators=[InputRequired(), Length(max=EMAIL_MAX_LENGTH)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in")
    next = HiddenField()


class RegisterForm(FlaskForm):
    """Field rules live in skyframe.accounts; these validators only guard size."""

    email = EmailField(
        "E-mail",
        validators=[InputRequired(), Length(max=EMAIL_MAX_LENGTH)],
        render_kw={"autocomplete": "email"},
    )
    handle = StringField(
        "Handle",
        validators=[InputRequired(), Length(max=HANDLE_MAX_LENGTH)],
        description=f"1–{HANDLE_MAX_LENGTH} letters, digits or underscores. People find you by it.",
        render_kw={
            "autocomplete": "username",
            "autocapitalize": "none",
            "spellcheck": "false",
            "pattern": HANDLE_PATTERN.pattern,
        },
    )
    display_name = StringField(
        "Display name",
        validators=[InputRequired(), Length(max=DISPLAY_NAME_MAX_LENGTH)],
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        description=(
            f"At least {PASSWORD_MIN_LENGTH} characters with upper- and lower-case letters, "
            "a digit and a symbol."
        ),
        render_kw={"autocomplete": "new-password", "minlength": PASSWORD_MIN_LENGTH},
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only carries the CSRF token."""


_NEW_PASSWORD_HELP = (
    f"At least {PASSWORD_MIN_LENGTH} characters with upper- and lower-case letters, a digit "
    "and a symbol. Not a common password, and not your handle or e-mail name."
)


def _new_password_field(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        description=_NEW_PASSWORD_HELP,
        render_kw={"autocomplete": "new-password", "minlength": PASSWORD_MIN_LENGTH},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[InputRequired(), Length(max=EMAIL_MAX_LENGTH)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    new_password = _new_password_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field()


class SessionActionForm(FlaskForm):
    """Only carries the CSRF token (revoke one, revoke the others)."""


def attach_field_errors(form, exc: DomainError) -> None:
    """A domain refusal shown on the form: each field's message at its field,
    a refusal naming no field above the form."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
    if not exc.fields:
        form.form_errors.append(exc.message)
