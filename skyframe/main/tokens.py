"""The settings page for personal access tokens (capture software).

The new secret is shown in the answer to the form that made it, once: it
is not put in the session or a flash message to survive a redirect, and
signed-in pages are never cached (web/security.py). Revoking is a plain
form (works without JavaScript); copying the secret is static/js/tokens.js.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice

from skyframe.accounts import tokens
from skyframe.auth.forms import attach_field_errors
from skyframe.exceptions import DomainError, NotFound
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.models import utcnow
from skyframe.models.access_token import TOKEN_NAME_MAX_LENGTH

SCOPE_LABELS = {tokens.LIVE: "Live sessions: start and end them, and send their frames"}


class TokenForm(FlaskForm):
    name = StringField(
        "Name",
        description="The software or computer that will use it, e.g. “SharpCap, dome PC”.",
        render_kw={"maxlength": TOKEN_NAME_MAX_LENGTH, "autocomplete": "off"},
    )
    scopes = SelectMultipleField(
        "What it may do",
        choices=[SelectChoice(name, label) for name, label in sorted(SCOPE_LABELS.items())],
        default=[tokens.LIVE],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,  # the domain names the unknown ones
    )


class RevokeTokenForm(FlaskForm):
    """Only carries the CSRF token."""


def _page(form: TokenForm, status: int = 200, secret: str | None = None):
    return (
        render_template(
            "main/tokens.html",
            form=form,
            revoke_form=RevokeTokenForm(),
            tokens=tokens.list_tokens(db.session, current_user),
            scopes_of=tokens.scopes_of,
            scope_labels=SCOPE_LABELS,
            secret=secret,
            limit=current_app.config["ACCESS_TOKENS_PER_USER"],
        ),
        status,
    )


@bp.get("/settings/tokens")
@login_required
def tokens_page():
    return _page(TokenForm())


@bp.post("/settings/tokens")
@login_required
def create_token_page():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        made = tokens.create_token(
            db.session,
            current_user,
            name=form.name.data or "",
            scopes=form.scopes.data or [],
            limit=current_app.config["ACCESS_TOKENS_PER_USER"],
            now=utcnow(),
        )
    except DomainError as exc:
        db.session.rollback()
        attach_field_errors(form, exc)
        return _page(form, exc.status)
    db.session.commit()
    return _page(TokenForm(formdata=None), secret=made.secret)


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke_token_page(token_id: int):
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    try:
        tokens.revoke_token(db.session, current_user, token_id, utcnow())
    except NotFound:
        abort(404)
    db.session.commit()
    flash("The token is revoked: software using it can no longer go live as you.", "info")
    return redirect(url_for("main.tokens_page"))
