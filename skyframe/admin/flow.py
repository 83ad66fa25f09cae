"""The one flow of every staff form: check the form, run one moderation
action, commit and redirect back with a message (PRG); a form the rules
refuse (a 422 or 409 of the domain) is drawn again with why, on its own
fields or at its top. A refusal by a rule (403, 404) is the error page:
the form was not offered to whoever sent it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm

from skyframe.exceptions import DomainError
from skyframe.extensions import db

# Draws the form's page again: (status, form) -> response.
Draw = Callable[[int, FlaskForm], Any]


def refused(form: FlaskForm, exc: DomainError) -> int:
    """Show a refusal on its form; one by a rule (403, 404) is the error page."""
    db.session.rollback()
    if exc.status in (403, 404):
        raise exc
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        (field.errors if field is not None else form.form_errors).append(message)
    if not exc.fields:
        form.form_errors.append(exc.message)
    return exc.status


def act(
    form: FlaskForm,
    draw: Draw,
    action: Callable[[FlaskForm], Any],
    back: str | Callable[[], str],
    done: str,
    after: Callable[[Any], object] | None = None,
):
    """Run ``action(form)`` if the form is valid; commit, then ``after`` its
    result (work that must wait for the commit), and redirect to ``back``."""
    if not form.validate():
        return draw(422, form)
    try:
        result = action(form)
    except DomainError as exc:
        return draw(refused(form, exc), form)
    db.session.commit()
    if after is not None:
        after(result)
    flash(done, "success")
    return redirect(back() if callable(back) else back)
