"""Posts over JSON: upload, read, edit, delete."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import post_out
from skyframe.api.schemas.posts import PostEdit, PostOut, PostUpload
from skyframe.extensions import db
from skyframe.models import AuditSource, PostStatus, utcnow
from skyframe.posts import details as post_details
from skyframe.posts import lifecycle as post_lifecycle
from skyframe.posts import views as post_views
from skyframe.services import current_storage
from skyframe.web.requests import accepts_uploads, upload_rate_limit
from skyframe.web.uploads import receive_upload
from skyframe.web.viewer import viewer

TAGS = ["posts"]


@bp.post("/posts")
@accepts_uploads
@login_required
@upload_rate_limit
@operation(
    tags=TAGS,
    ok=201,
    returns=PostOut,
    form=PostUpload,
    signed_in=True,
    writes=True,
    errors=(413, 503, 507),
    also_returns={202: PostOut},
)
def create_post(form: PostUpload):
    """Upload a capture with its details (and any warning labels).

    Answers 201 with the ready post when processing runs in the request, or
    202 with a ``processing`` post when a worker will make the renditions
    (poll GET /posts/{post_id}). Refused files answer 422 with the reason
    under ``fields.file``; files over the size limit 413; a suspended
    account 403 ``suspended``; 503 ``unavailable`` when uploads cannot be
    processed (the job queue unreachable), 507 ``insufficient_storage`` when
    the server is out of space — both with ``Retry-After``, nothing kept.
    """
    fields = form.model_dump(exclude={"file"}, exclude_unset=True)
    post = receive_upload(request.files.get("file"), fields, current_user)
    status = 201 if post.status == PostStatus.READY else 202
    location = url_for("api.get_post", post_id=post.id)
    return post_out(post, current_user, with_original=True), status, {"Location": location}


@bp.get("/posts/<int:post_id>")
@operation(tags=TAGS, returns=PostOut, errors=(404,))
def get_post(post_id: int):
    """A post. Posts still processing (or failed) are visible to their owner only."""
    reader = viewer()
    return post_out(post_views.get_post(db.session, post_id, reader), reader, with_original=True)


@bp.patch("/posts/<int:post_id>")
@login_required
@operation(
    tags=TAGS, returns=PostOut, json=PostEdit, signed_in=True, writes=True, errors=(403, 404)
)
def edit_post(post_id: int, json: PostEdit):
    """Change a post's details (owner or moderator), its warning labels too."""
    post = post_views.get_post(db.session, post_id, current_user)
    details = post_details.validate_details(
        json.model_dump(exclude_unset=True), utcnow(), creating=False
    )
    post_lifecycle.update_post(
        db.session, post, current_user, details, utcnow(), source=AuditSource.API
    )
    db.session.commit()
    return post_out(post, current_user, with_original=True)


@bp.delete("/posts/<int:post_id>")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(403, 404))
def delete_post(post_id: int):
    """Delete a post and its files (owner or moderator)."""
    post = post_views.get_post(db.session, post_id, current_user)
    post_lifecycle.delete_post(db.session, current_storage(), post, editor=current_user)
    return "", 204
