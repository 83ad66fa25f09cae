"""/settings/standing: the signed-in user's strikes, take-downs and reasons,
and whether the account is suspended (until when, why)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user, login_required

from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.models import utcnow
from skyframe.moderation import strikes, suspensions, takedowns


@bp.get("/settings/standing")
@login_required
def standing():
    user = current_user._get_current_object()
    rules = strikes.StrikeRules.from_config(current_app.config)
    return render_template(
        "main/standing.html",
        standing=suspensions.standing(db.session, user, rules, utcnow()),
        strikes=strikes.of_user(db.session, user.id),
        take_downs=takedowns.of_user(db.session, user.id),
    )
