"""The hosting settings page (/settings/hosting, seed 004): "Other observers
may host my channel", and the hosting list with its add field and remove
buttons. Forms that work without JavaScript; static/js/hosting-settings.js
saves the switch on change (PATCH /api/v1/me/hosting) and adds a typeahead."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from skyframe.exceptions import DomainError
from skyframe.extensions import db
from skyframe.live.hosting import rules, targets
from skyframe.live.hosting.rules import HostingSettings
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm
from skyframe.models import utcnow
from skyframe.models.user import HANDLE_MAX_LENGTH
from skyframe.web.ratelimit import per_user_limit


@bp.get("/settings/hosting")
@login_required
def hosting_settings():
    """The switch, and the hosting list with each target's status."""
    settings = HostingSettings.from_config(current_app.config)
    failure = rules.failed_host_rule(db.session, current_user.id, utcnow(), settings)
    return render_template(
        "main/hosting.html",
        form=ConfirmForm(),
        cannot_host=failure.message if failure else None,
        items=targets.targets_of(db.session, current_user),
        handle_max=HANDLE_MAX_LENGTH + 1,
        min_live_hours=settings.min_live_seconds // 3600,
        min_account_days=settings.min_account_days,
    )


@bp.post("/settings/hosting")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
def hosting_settings_form():
    """The page's forms: ``action`` is allow, add or remove."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = request.form.get("action")
    handle = (request.form.get("handle") or "").strip()[: HANDLE_MAX_LENGTH + 1]
    try:
        if action == "allow":
            allow = request.form.get("allow_hosting") == "on"
            targets.set_allow_hosting(db.session, current_user, allow)
            message = "Others may host your channel." if allow else "Nobody may host your channel."
        elif action == "add" and handle:
            settings = HostingSettings.from_config(current_app.config)
            _, created = targets.add_target(db.session, current_user, handle, utcnow(), settings)
            message = f"{'Added' if created else 'Already on your list:'} @{handle.lstrip('@')}."
        elif action == "remove" and handle:
            targets.remove_target(db.session, current_user, handle)
            message = f"Removed @{handle.lstrip('@')}."
        else:
            abort(400)
    except DomainError as exc:
        db.session.rollback()
        details = [text for text in exc.fields.values() if text != exc.message]
        flash(" ".join([exc.message, *details]), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("main.hosting_settings"))
