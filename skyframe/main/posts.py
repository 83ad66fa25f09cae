"""HTML pages for posts: upload, view, edit, delete."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from skyframe import policy
from skyframe.api.pages import comments_page
from skyframe.exceptions import DomainError, PermissionDenied
from skyframe.extensions import db
from skyframe.main.blueprint import bp
from skyframe.main.forms import ConfirmForm, PostDetailsForm, UploadForm, show_errors
from skyframe.models import AuditSource, Category, utcnow
from skyframe.moderation import labels, takedowns
from skyframe.posts import details as post_details
from skyframe.posts import lifecycle as post_lifecycle
from skyframe.posts import views as post_views
from skyframe.services import current_storage
from skyframe.social import comments, interactions
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.requests import accepts_uploads, upload_rate_limit
from skyframe.web.uploads import receive_upload
from skyframe.web.viewer import viewer


@bp.route("/upload", methods=["GET", "POST"])
@accepts_uploads
@login_required
@upload_rate_limit
def upload():
    form = UploadForm()
    status = 200
    suspended = policy.is_suspended(current_user, utcnow())
    if form.is_submitted() and form.validate():
        try:
            post = receive_upload(request.files.get("file"), form.details(), current_user)
        except DomainError as exc:
            show_errors(form, exc)
            status = exc.status
        else:
            if post.is_ready:
                flash("Your capture is live.", "success")
            else:
                flash("Uploaded. Your capture is being processed.", "info")
            return redirect(url_for("main.post_page", post_id=post.id))
    elif form.is_submitted():
        status = 422
    return render_template("posts/upload.html", form=form, suspended=suspended), status


COMMENTS_PAGE = 50


@bp.get("/p/<int:post_id>")
def post_page(post_id: int):
    reader = viewer()
    post = post_views.get_post(db.session, post_id, reader)
    flags = post_views.viewer_flags(db.session, reader, [post]) if reader else None
    page = comments_page(post, reader, request.args.get("cursor"), COMMENTS_PAGE)
    can_edit = policy.can_edit_post(post, reader)
    return render_template(
        "posts/post.html",
        post=post,
        take_down=takedowns.current(db.session, post.id) if post.taken_down and can_edit else None,
        shareable=policy.is_listed(post),
        can_edit=can_edit,
        delete_form=ConfirmForm(),
        category_label=Category(post.category).label,
        liked=bool(flags and post.id in flags.liked),
        saved=bool(flags and post.id in flags.saved),
        following=bool(flags and post.owner_id in flags.following),
        comments=page.items,
        more_comments=page.next_cursor,
        can_delete_comment=lambda comment: policy.can_delete_comment(
            comment, post.owner_id, reader
        ),
        shown_parent=lambda comment: comments.shown_parent(comment, reader),
    )


def _back_to(post_id: int, anchor: str) -> Response:
    return redirect(url_for("main.post_page", post_id=post_id) + f"#{anchor}")


@bp.post("/p/<int:post_id>/like")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
def like_form(post_id: int):
    """Like or unlike from the post page without JavaScript."""
    post = post_views.get_post(db.session, post_id, current_user)
    try:
        interactions.set_like(db.session, current_user, post, request.form.get("action") != "undo")
    except DomainError as exc:  # a block between them
        db.session.rollback()
        flash(exc.message, "error")
        return _back_to(post.id, "actions")
    db.session.commit()
    return _back_to(post.id, "actions")


@bp.post("/p/<int:post_id>/save")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
def save_form(post_id: int):
    """Save or unsave from the post page without JavaScript."""
    post = post_views.get_post(db.session, post_id, current_user)
    interactions.set_saved(db.session, current_user, post, request.form.get("action") != "undo")
    db.session.commit()
    return _back_to(post.id, "actions")


@bp.post("/p/<int:post_id>/comments")
@login_required
@per_user_limit("COMMENT_LIMIT", scope="comments")
def comment_form(post_id: int):
    """Add a comment from the post page without JavaScript."""
    post = post_views.get_post(db.session, post_id, current_user)
    try:
        comment = comments.add_comment(
            db.session, current_user, post, request.form.get("body", ""), None, utcnow()
        )
    except DomainError as exc:
        db.session.rollback()
        flash(exc.fields.get("body") or exc.message, "error")
        return _back_to(post.id, "comments")
    db.session.commit()
    return _back_to(post.id, f"comment-{comment.id}")


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment_form(comment_id: int):
    """Delete a comment (its author, the post's owner or a moderator) without JavaScript."""
    comment = comments.get_comment(db.session, comment_id, current_user)
    post_id = comment.post_id
    comments.delete_comment(db.session, current_user, comment)
    db.session.commit()
    flash("The comment was deleted.", "info")
    return _back_to(post_id, "comments")


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = post_views.get_post(db.session, post_id, current_user)
    if not policy.can_edit_post(post, current_user):
        raise PermissionDenied("Only the owner or a moderator can edit this post.")
    form = PostDetailsForm(obj=None)
    status = 200
    if form.is_submitted() and form.validate():
        try:
            details = post_details.validate_details(form.details(), utcnow(), creating=False)
            post_lifecycle.update_post(
                db.session, post, current_user, details, utcnow(), source=AuditSource.WEB
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            show_errors(form, exc)
            status = exc.status
        else:
            flash("Saved.", "success")
            return redirect(url_for("main.post_page", post_id=post.id))
    elif not form.is_submitted():
        _fill(form, post)
    else:
        status = 422
    return render_template("posts/edit.html", form=form, post=post), status


def _fill(form: PostDetailsForm, post) -> None:
    values = {
        "title": post.title,
        "object": post.object_name,
        "category": post.category,
        "observer": post.observer,
        "observed_at": post.observed_at.strftime("%Y-%m-%dT%H:%M:%S") if post.observed_at else "",
        "telescope": post.telescope,
        "camera": post.camera,
        "mount": post.mount,
        "filters": post.filters,
        "exposure_seconds": post.exposure_seconds,
        "exposure_count": post.exposure_count,
        "integration_seconds": post.integration_seconds,
        "gain": post.gain,
        "bortle": post.bortle,
        "notes": post.notes,
        "tags": ", ".join(post.tags),
    }
    form.labels.data = labels.of(post.labels)
    for name, value in values.items():
        getattr(form, name).data = (
            "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        )


@bp.post("/p/<int:post_id>/delete")
@login_required
def delete_post(post_id: int):
    post = post_views.get_post(db.session, post_id, current_user)
    post_lifecycle.delete_post(db.session, current_storage(), post, editor=current_user)
    flash("The post was deleted.", "info")
    return redirect(url_for("main.index"))
