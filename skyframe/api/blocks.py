"""Blocks over JSON: block (or time out) a user, unblock, list my blocks."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user, login_required

from skyframe import cursors, policy
from skyframe.accounts import users
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import user_ref
from skyframe.api.schemas.blocks import BlockIn, BlockOut, BlockPage, BlockState
from skyframe.api.schemas.common import PageQuery
from skyframe.exceptions import NotFound
from skyframe.extensions import db
from skyframe.feed import ahead
from skyframe.models import User, utcnow
from skyframe.services import feed_cache, feed_settings
from skyframe.social import blocks
from skyframe.web.ratelimit import per_user_limit

TAGS = ["blocks"]


def visible_user(handle: str) -> User:
    """The account with this handle, if the signed-in user may see it (404 otherwise)."""
    user = users.user_by_handle(db.session, handle)
    if user is None or not policy.can_see_account(user, current_user):
        raise NotFound("No such user.")
    return user


def note_change(blocker: User, other: User, now) -> None:
    """After the commit: the two users' feeds stop using candidates kept
    from before (skyframe.feed.ahead)."""
    cache = feed_cache()
    if cache is not None:
        ahead.note_blocks_changed(
            cache, [blocker.id, other.id], now, feed_settings().prefetch_seconds
        )


@bp.post("/users/<handle>/block")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(
    tags=TAGS, returns=BlockState, json=BlockIn, signed_in=True, writes=True, errors=(404, 429)
)
def block_user(handle: str, json: BlockIn):
    """Block a user, until ``until`` if given (a timeout); blocking again
    replaces ``until``. Follows between you end; they cannot follow you or
    comment on your posts, and neither of you sees the other in feeds or
    suggestions. Yourself: 422."""
    other, now = visible_user(handle), utcnow()
    row = blocks.block(db.session, current_user, other, until=json.until, now=now)
    until = row.until
    db.session.commit()
    note_change(current_user, other, now)
    return BlockState(blocked=True, until=until)


@bp.delete("/users/<handle>/block")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="interactions")
@operation(tags=TAGS, returns=BlockState, signed_in=True, writes=True, errors=(404, 429))
def unblock_user(handle: str):
    """Lift your block of a user (none: nothing changes)."""
    other = visible_user(handle)
    blocks.unblock(db.session, current_user, other)
    db.session.commit()
    note_change(current_user, other, utcnow())
    return BlockState(blocked=False, until=None)


def blocks_page(cursor: str | None, limit: int):
    """A page of (block, blocked user) of the signed-in user, newest first."""
    now = utcnow()
    return cursors.keyset_page(
        current_app.config["SECRET_KEY"],
        "blocks",
        cursor,
        limit,
        lambda after: blocks.blocks_of(db.session, current_user, now, limit=limit, after=after),
        position=lambda row: (row[0].created_at, row[0].blocked_id),
    )


@bp.get("/me/blocks")
@login_required
@operation(tags=TAGS, returns=BlockPage, query=PageQuery, signed_in=True, errors=(400,))
def my_blocks(query: PageQuery):
    """The accounts you block (timeouts until they end), newest first (cursor-paginated)."""
    page = blocks_page(query.cursor, query.limit)
    return BlockPage(
        items=[
            BlockOut(user=user_ref(user), created_at=row.created_at, until=row.until)
            for row, user in page.items
        ],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )
