"""Avatars and the settings page."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField

from skyframe import policy
from skyframe.accounts import avatars, users
from skyframe.api.profile import remove_avatar, replace_avatar
from skyframe.exceptions import DomainError
from skyframe.extensions import db, limiter
from skyframe.main.blueprint import bp
from skyframe.main.media import IMMUTABLE, send_stored
from skyframe.media.formats import JPEG, PNG, WEBP
from skyframe.web.requests import accepts_uploads, upload_rate_limit
from skyframe.web.viewer import viewer


class SettingsForm(FlaskForm):
    display_name = StringField("Display name", render_kw={"maxlength": 50})
    bio = TextAreaField("Bio", render_kw={"maxlength": 300, "rows": 3})
    avatar = FileField(
        "New avatar",
        description="JPEG, PNG or WebP. It is cropped to a square.",
        render_kw={"accept": ",".join(sorted(JPEG.extensions | PNG.extensions | WEBP.extensions))},
    )
    remove_avatar = BooleanField("Remove my uploaded avatar")
    gravatar = BooleanField("Use my Gravatar when I have not uploaded an avatar")


@bp.get("/u/<handle>/avatar")
@limiter.exempt
def avatar(handle: str):
    user = users.user_by_handle(db.session, handle)
    if user is None or not policy.can_see_account(user, viewer()):
        abort(404)
    if user.avatar_key:
        # The URL carries a version (?v=) that changes with the avatar. A
        # disabled account's (staff only) is not cached.
        return send_stored(
            user.avatar_key, "image/jpeg", cache_seconds=0 if user.disabled else IMMUTABLE
        )
    if user.gravatar:
        return redirect(avatars.gravatar_url(user.email))
    response = Response(avatars.default_avatar_png(user.id), mimetype="image/png")
    response.headers["Cache-Control"] = f"public, max-age={IMMUTABLE}, immutable"
    return response


@bp.route("/settings", methods=["GET", "POST"])
@accepts_uploads
@login_required
@upload_rate_limit
def settings():
    form = SettingsForm()
    status = 200
    if form.is_submitted() and form.validate():
        try:
            users.update_profile(
                current_user,
                display_name=form.display_name.data,
                bio=form.bio.data,
                gravatar=form.gravatar.data,
            )
            # Nothing is saved unless everything is valid, the avatar included:
            # replace_avatar and remove_avatar commit the profile with it.
            upload = request.files.get("avatar")
            if upload is not None and upload.filename:
                replace_avatar(upload)
            elif form.remove_avatar.data:
                remove_avatar()
            else:
                db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            for name, message in exc.fields.items():
                field = getattr(form, "avatar" if name == "file" else name, None)
                if field is not None:
                    field.errors = [*field.errors, message]
            status = exc.status
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("main.settings"))
    elif not form.is_submitted():
        form.display_name.data = current_user.display_name
        form.bio.data = current_user.bio
        form.gravatar.data = current_user.gravatar
    else:
        status = 422
    return render_template("main/settings.html", form=form), status
