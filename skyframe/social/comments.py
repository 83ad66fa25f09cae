"""Comments: a post's conversation, with replies, edits and deletions.

Authors edit their own comments; the author, the post's owner or a moderator
may delete one. The post's comment counter moves in the same transaction.
A disabled account's comments are hidden from everyone but staff, and left
out of the counter (skyframe.policy). A block between the author and the
post's owner, or the author of the comment answered, refuses the comment
(403 ``blocked``), and the comments of users the viewer blocks are left out
of the viewer's listing, though not of the counter (skyframe.social.blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session, contains_eager

from skyframe import policy
from skyframe.exceptions import NotFound, PermissionDenied, ValidationFailed
from skyframe.models import Comment, CommentLike, Post, User, utcnow
from skyframe.models.comment import COMMENT_MAX_LENGTH
from skyframe.posts import views as post_views
from skyframe.social import blocks, notifications
from skyframe.text import paragraphs, text_problem, too_long


def clean_body(raw: str) -> str:
    body = paragraphs(raw)
    if problem := text_problem(raw, allowed_controls="\n\t\r"):
        pass
    elif not body:
        problem = "Write something first."
    elif too_long(raw, body, COMMENT_MAX_LENGTH):
        problem = f"Keep it under {COMMENT_MAX_LENGTH} characters."
    else:
        return body
    raise ValidationFailed("The comment could not be saved.", fields={"body": problem})


def get_comment(session: Session, comment_id: int, viewer: User | None) -> Comment:
    """A comment the viewer may see, on a post the viewer may see."""
    comment = session.get(Comment, comment_id)
    if comment is None or not policy.can_see_comment(comment, viewer):
        raise NotFound("No such comment.")
    post_views.get_post(session, comment.post_id, viewer)  # hidden post: NotFound
    return comment


def _move_count(session: Session, post_id: int, step: int) -> None:
    session.execute(
        update(Post).where(Post.id == post_id).values(comment_count=Post.comment_count + step)
    )


def add_comment(
    session: Session, author: User, post: Post, raw_body: str, reply_to: int | None, now: datetime
) -> Comment:
    """Comment on a post or reply to one of its comments; a suspended author
    cannot (Suspended, 403)."""
    policy.require_in_good_standing(author, now)
    body = clean_body(raw_body)
    parent = None
    if reply_to is not None:
        parent = session.get(Comment, reply_to)
        if (
            parent is None
            or parent.post_id != post.id
            or not policy.can_see_comment(parent, author)
        ):
            raise ValidationFailed(
                "The comment could not be saved.",
                fields={"reply_to": "That comment is not on this post."},
            )
    others = {post.owner_id} | ({parent.author_id} if parent is not None else set())
    blocks.refuse_if_blocked(session, author, others, now)
    comment = Comment(
        post_id=post.id,
        author_id=author.id,
        parent_id=parent.id if parent else None,
        body=body,
        created_at=now,
    )
    session.add(comment)
    session.flush()
    _move_count(session, post.id, 1)
    if parent is not None and parent.author_id != author.id:
        notifications.notify(
            session,
            recipient_id=parent.author_id,
            actor=author,
            kind=notifications.Kind.REPLY,
            post_id=post.id,
            comment_id=comment.id,
        )
    if parent is None or parent.author_id != post.owner_id:
        notifications.notify(
            session,
            recipient_id=post.owner_id,
            actor=author,
            kind=notifications.Kind.COMMENT,
            post_id=post.id,
            comment_id=comment.id,
        )
    return comment


def edit_comment(
    session: Session, editor: User, comment: Comment, raw_body: str, now: datetime
) -> Comment:
    if not policy.can_edit_comment(comment, editor):
        raise PermissionDenied("Only its author can edit a comment.")
    body = clean_body(raw_body)
    if body != comment.body:
        comment.body = body
        comment.edited_at = now
    return comment


def delete_comment(session: Session, actor: User, comment: Comment) -> None:
    post = session.get(Post, comment.post_id)
    if not policy.can_delete_comment(comment, post.owner_id, actor):
        raise PermissionDenied("You cannot delete this comment.")
    counted = not comment.author.disabled  # else hidden, and already uncounted
    session.delete(comment)
    session.flush()
    if counted:
        _move_count(session, post.id, -1)


def conversation(
    session: Session,
    post: Post,
    viewer: User | None,
    *,
    limit: int,
    after: tuple[datetime, int] | None,
    now: datetime | None = None,
) -> list[Comment]:
    """A post's comments that ``viewer`` may see (not those of users they
    block), oldest first, keyset-paginated on (created_at, id); ``limit + 1``
    rows tell whether more follow."""
    unblocked = blocks.blocked_by(viewer, Comment.author_id, now or utcnow())
    query = (
        select(Comment)
        .join(Comment.author)
        .options(contains_eager(Comment.author))
        .where(Comment.post_id == post.id, *policy.shown_comments(viewer), *unblocked)
        .order_by(Comment.created_at, Comment.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(Comment.created_at, Comment.id) > tuple_(*after))
    return list(session.scalars(query))


def shown_parent(comment: Comment, viewer: User | None) -> Comment | None:
    """The comment this one answers, unless it is hidden from ``viewer``."""
    parent = comment.parent
    if parent is None or not policy.can_see_comment(parent, viewer):
        return None
    return parent


def liked_by(session: Session, user: User, comments: Sequence[Comment]) -> frozenset[int]:
    """Which of ``comments`` the user likes (one query for a page)."""
    if not comments:
        return frozenset()
    return frozenset(
        session.scalars(
            select(CommentLike.comment_id).where(
                CommentLike.user_id == user.id,
                CommentLike.comment_id.in_([c.id for c in comments]),
            )
        )
    )
