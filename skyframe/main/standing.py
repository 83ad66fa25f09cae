"""/settings/standing: the signed-in user's strikes, take-downs and reasons,
whether the account is suspended (until when, why), and an appeal form for
each decision that stands (skyframe.support.appeals) — or the appeal's
state once filed. Works without JavaScript: the form opens in a
``<details>`` and posts back here (PRG; a refusal is drawn again on its
form)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.models import AppealTarget, utcnow
from skyframe.models.appeal import APPEAL_TEXT_MAX_LENGTH
from skyframe.moderation import strikes, suspensions, takedowns
from skyframe.support import appeals


class AppealForm(FlaskForm):
    text = TextAreaField(
        "Why should this change?",
        description=f"A manager reads it and decides; up to {APPEAL_TEXT_MAX_LENGTH} "
        "characters. Each decision is appealed once.",
        render_kw={"maxlength": APPEAL_TEXT_MAX_LENGTH, "rows": 4, "required": True},
    )


def _prefix(target_type: str, target_id: int) -> str:
    return f"appeal-{target_type}-{target_id}"


def _page(status: int = 200, refused: tuple[str, int, AppealForm] | None = None):
    user = current_user._get_current_object()
    rules = strikes.StrikeRules.from_config(current_app.config)
    filed = appeals.by_target(appeals.of_user(db.session, user.id))
    forms: dict[tuple[str, int], AppealForm] = {}
    if refused is not None:
        forms[refused[:2]] = refused[2]

    def appeal_form(target_type: str, target_id: int) -> AppealForm:
        key = (target_type, target_id)
        if key not in forms:
            forms[key] = AppealForm(formdata=None, prefix=_prefix(*key))
        return forms[key]

    body = render_template(
        "main/standing.html",
        standing=suspensions.standing(db.session, user, rules, utcnow()),
        strikes=strikes.of_user(db.session, user.id),
        take_downs=takedowns.of_user(db.session, user.id),
        appeals=filed,
        appeal_form=appeal_form,
        appealable=appeals.stands,
        refused=refused[:2] if refused else None,
    )
    return body, status


@bp.get("/settings/standing")
@login_required
def standing():
    return _page()


@bp.post("/settings/standing/appeal/<target_type>/<int:target_id>")
@login_required
def appeal(target_type: str, target_id: int):
    """Appeal one's own take-down or strike from the standing page."""
    if target_type not in {target.value for target in AppealTarget}:
        abort(404)
    form = AppealForm(prefix=_prefix(target_type, target_id))
    if not form.validate():
        return _page(422, (target_type, target_id, form))
    try:
        appeals.appeal(
            db.session, current_user, target_type, target_id, form.text.data or "", utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        if exc.status == 409:  # appealed already, or no longer standing: the page says so
            flash(exc.message, "error")
            return redirect(url_for("main.standing"))
        form.text.errors = [exc.fields.get("text", exc.message)]
        return _page(exc.status, (target_type, target_id, form))
    db.session.commit()
    flash("Your appeal is sent: a manager will decide, and you will be told.", "success")
    return redirect(url_for("main.standing"))
