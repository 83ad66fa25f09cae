"""Comments over JSON: a post's conversation, replies, edits, deletions, likes."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_required

from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.pages import comments_page
from skyframe.api.presenters import comment_out
from skyframe.api.schemas.common import PageQuery
from skyframe.api.schemas.social import (
    CommentEdit,
    CommentIn,
    CommentLikeState,
    CommentOut,
    CommentPage,
)
from skyframe.extensions import db
from skyframe.models import Post, utcnow
from skyframe.posts import views as post_views
from skyframe.social import comments, interactions
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.viewer import viewer

TAGS = ["comments"]


@bp.get("/posts/<int:post_id>/comments")
@operation(tags=TAGS, returns=CommentPage, query=PageQuery, errors=(400, 404))
def list_comments(post_id: int, query: PageQuery):
    """A post's comments, oldest first (cursor-paginated)."""
    reader = viewer()
    post = post_views.get_post(db.session, post_id, reader)
    page = comments_page(post, reader, query.cursor, query.limit)
    liked = comments.liked_by(db.session, reader, page.items) if reader else None
    return CommentPage(
        items=[comment_out(c, reader, post.owner_id, liked) for c in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@bp.post("/posts/<int:post_id>/comments")
@login_required
@per_user_limit("COMMENT_LIMIT", scope="comments")
@operation(
    tags=TAGS,
    ok=201,
    returns=CommentOut,
    json=CommentIn,
    signed_in=True,
    writes=True,
    errors=(404, 429),
)
def add_comment(post_id: int, json: CommentIn):
    """Comment on a post, or reply to one of its comments (reply_to)."""
    post = post_views.get_post(db.session, post_id, current_user)
    comment = comments.add_comment(
        db.session, current_user, post, json.body, json.reply_to, utcnow()
    )
    db.session.commit()
    return comment_out(comment, current_user, post.owner_id, frozenset()), 201


@bp.patch("/comments/<int:comment_id>")
@login_required
@per_user_limit("COMMENT_LIMIT", scope="comments")
@operation(
    tags=TAGS,
    returns=CommentOut,
    json=CommentEdit,
    signed_in=True,
    writes=True,
    errors=(403, 404, 429),
)
def edit_comment(comment_id: int, json: CommentEdit):
    """Edit a comment (its author only)."""
    comment = comments.get_comment(db.session, comment_id, current_user)
    comments.edit_comment(db.session, current_user, comment, json.body, utcnow())
    db.session.commit()
    post_owner_id = db.session.get(Post, comment.post_id).owner_id
    liked = comments.liked_by(db.session, current_user, [comment])
    return comment_out(comment, current_user, post_owner_id, liked)


@bp.delete("/comments/<int:comment_id>")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(403, 404))
def delete_comment(comment_id: int):
    """Delete a comment (its author, the post's owner or a moderator); replies
    to it stay."""
    comment = comments.get_comment(db.session, comment_id, current_user)
    comments.delete_comment(db.session, current_user, comment)
    db.session.commit()
    return "", 204


@bp.route("/comments/<int:comment_id>/like", methods=["POST", "DELETE"])
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(tags=TAGS, returns=CommentLikeState, signed_in=True, writes=True, errors=(404, 429))
def like_comment(comment_id: int):
    """Like (POST) or unlike (DELETE) a comment; repeating either changes nothing."""
    comment = comments.get_comment(db.session, comment_id, current_user)
    liked = request.method == "POST"
    interactions.set_comment_like(db.session, current_user, comment, liked)
    db.session.commit()
    return CommentLikeState(liked=liked, like_count=comment.like_count)
