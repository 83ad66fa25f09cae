"""The signed-in user's own profile: details and avatar."""

from __future__ import annotations

from pathlib import Path

from flask import request
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from skyframe.accounts import avatars, users
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.schemas.accounts import AvatarUpload, Me, ProfileEdit, me_payload
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db
from skyframe.media.errors import MediaError
from skyframe.services import current_storage, media_settings
from skyframe.web.requests import accepts_uploads, upload_rate_limit

TAGS = ["profile"]


@bp.patch("/me")
@login_required
@operation(tags=TAGS, returns=Me, json=ProfileEdit, signed_in=True, writes=True)
def edit_profile(json: ProfileEdit):
    """Change the display name, bio or Gravatar choice."""
    users.update_profile(current_user, **json.model_dump(exclude_unset=True))
    db.session.commit()
    return me_payload(current_user)


def replace_avatar(upload: object) -> None:
    """Store a new avatar for the current user, commit (with any other pending
    change of the user), and remove the old file."""
    if not isinstance(upload, FileStorage) or not upload.filename:
        raise ValidationFailed("Choose a picture.", fields={"file": "Choose a picture."})
    upload.stream.flush()
    storage = current_storage()
    try:
        key = avatars.store_avatar(
            storage,
            Path(upload.stream.name),
            upload.filename,
            upload.mimetype,
            media_settings().decode_budget_bytes,
        )
    except MediaError as exc:
        raise ValidationFailed(str(exc), fields={"file": str(exc)}) from exc
    previous, current_user.avatar_key = current_user.avatar_key, key
    try:
        db.session.commit()
    except Exception:
        storage.delete(key)
        raise
    if previous:
        storage.delete(previous)


def remove_avatar() -> None:
    previous, current_user.avatar_key = current_user.avatar_key, None
    db.session.commit()
    if previous:
        current_storage().delete(previous)


@bp.post("/me/avatar")
@accepts_uploads
@login_required
@upload_rate_limit
@operation(tags=TAGS, returns=Me, form=AvatarUpload, signed_in=True, writes=True, errors=(413, 429))
def upload_avatar(form: AvatarUpload):
    """Upload an avatar (cropped to a centred 256 px square, metadata removed)."""
    replace_avatar(request.files.get("file"))
    return me_payload(current_user)


@bp.delete("/me/avatar")
@login_required
@operation(tags=TAGS, returns=Me, signed_in=True, writes=True)
def delete_avatar():
    """Go back to Gravatar (if chosen) or the generated avatar."""
    remove_avatar()
    return me_payload(current_user)
