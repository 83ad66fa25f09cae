"""Blocks: one user keeping another away from them.

A block (``blocker`` blocks ``blocked``), optionally until a moment (a
*timeout*), counts until then; one whose ``until`` has passed counts as none.
While it counts, and whichever of the two made it:

- neither follows the other (blocking removes both follows, so follower and
  following counts stay exact: they are counted from the follows), and
  neither can follow the other again (403 ``blocked``);
- neither comments on the other's posts nor replies to the other's comments
  (403 ``blocked``);
- neither appears in the other's feed (both pools, the recycled posts and
  the random fallback; Following needs nothing, as there are no follows
  between them), handle suggestions or the people listings that use
  ``hidden_condition``.

One way only, for the blocker: the blocked user's comments are hidden from
the blocker's view of any conversation, and their notifications are not
shown to the blocker. A post's ``comment_count`` is the same for everyone
(the comments are there): the blocker's listing may show fewer, which is
the rule here, so a count never depends on who asks and stays one column.

Blocking is idempotent: blocking again replaces ``until`` (a timeout
becomes permanent with none, a permanent block becomes a timeout with one).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, literal, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from skyframe.database import insert_ignoring_duplicates
from skyframe.exceptions import PermissionDenied, ValidationFailed
from skyframe.models import Block, Follow, User


class Blocked(PermissionDenied):
    """A block between the two accounts refuses this."""

    code = "blocked"


BLOCKED_MESSAGE = "You cannot do that: one of you has blocked the other."


def counts(now, blocks=Block) -> ColumnElement[bool]:
    """The block is in force at ``now`` (no end, or an end still to come)."""
    columns = getattr(blocks, "c", blocks)
    return or_(columns.until.is_(None), columns.until > now)


def block(
    session: Session, blocker: User, blocked: User, *, until: datetime | None, now: datetime
) -> Block:
    """Block ``blocked`` (until ``until``, when given); remove the follows
    between the two. Blocking again replaces ``until``."""
    if blocker.id == blocked.id:
        raise ValidationFailed("You cannot block yourself.", fields={"handle": "That is you."})
    if until is not None and until <= now:
        raise ValidationFailed(
            "A timeout ends in the future.", fields={"until": "Choose a moment to come."}
        )
    key = {"blocker_id": blocker.id, "blocked_id": blocked.id}
    if not insert_ignoring_duplicates(session, Block, **key, created_at=now, until=until):
        row = session.get(Block, (blocker.id, blocked.id), populate_existing=True)
        if row.until is not None and row.until <= now:
            row.created_at = now  # an expired timeout: this is a new block
        row.until = until
    session.execute(
        delete(Follow).where(
            or_(
                (Follow.follower_id == blocker.id) & (Follow.followee_id == blocked.id),
                (Follow.follower_id == blocked.id) & (Follow.followee_id == blocker.id),
            )
        )
    )
    session.flush()
    return session.get(Block, (blocker.id, blocked.id))


def unblock(session: Session, blocker: User, blocked: User) -> None:
    """Lift ``blocker``'s block of ``blocked`` (none: nothing changes)."""
    session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked.id)
    )


def between(session: Session, user_id: int, others: set[int], now: datetime) -> bool:
    """Whether a block in force stands between ``user_id`` and any of
    ``others``, either way (one indexed query)."""
    others = others - {user_id}
    if not others:
        return False
    found = session.scalar(
        select(literal(1))
        .where(
            or_(
                (Block.blocker_id == user_id) & Block.blocked_id.in_(others),
                Block.blocker_id.in_(others) & (Block.blocked_id == user_id),
            ),
            counts(now),
        )
        .limit(1)
    )
    return found is not None


def refuse_if_blocked(session: Session, user: User, others: set[int], now: datetime) -> None:
    """Raise Blocked (403 ``blocked``) when a block stands between them."""
    if between(session, user.id, others, now):
        raise Blocked(BLOCKED_MESSAGE)


def other_parties(viewer_id, now) -> list[Select]:
    """Two SELECTs of (other user's id, block's created_at): the users
    ``viewer_id`` blocks and those who block them, in force at ``now``
    (values or bound parameters). Each is an index range: the primary key
    (blocker_id, …) and ix_blocks_blocked_id."""
    blocks = Block.__table__
    return [
        select(blocks.c.blocked_id.label("other_id"), blocks.c.created_at).where(
            blocks.c.blocker_id == viewer_id, counts(now, blocks)
        ),
        select(blocks.c.blocker_id.label("other_id"), blocks.c.created_at).where(
            blocks.c.blocked_id == viewer_id, counts(now, blocks)
        ),
    ]


def hidden_ids(session: Session, viewer_id: int | None, now: datetime) -> frozenset[int]:
    """Every user a block in force stands between ``viewer_id`` and (one
    query of two index ranges)."""
    if viewer_id is None:
        return frozenset()
    first, second = other_parties(viewer_id, now)
    rows = session.execute(first.union_all(second))
    return frozenset(row.other_id for row in rows)


def hidden_condition(user_id_column, viewer: User | None, now: datetime) -> list[ColumnElement]:
    """Conditions keeping out users a block stands between ``viewer`` and
    (none for visitors): a primary-key probe and an index probe per row."""
    if viewer is None:
        return []
    blocks = Block.__table__
    either = or_(
        (blocks.c.blocker_id == viewer.id) & (blocks.c.blocked_id == user_id_column),
        (blocks.c.blocker_id == user_id_column) & (blocks.c.blocked_id == viewer.id),
    )
    return [~exists().where(either, counts(now, blocks))]


def blocked_by(viewer: User | None, user_id_column, now) -> list[ColumnElement]:
    """Conditions keeping out what users ``viewer`` blocks did (their
    comments, their notifications): a primary-key probe per row."""
    if viewer is None:
        return []
    blocks = Block.__table__
    return [
        ~exists().where(
            blocks.c.blocker_id == viewer.id,
            blocks.c.blocked_id == user_id_column,
            counts(now, blocks),
        )
    ]


def blocks_of(
    session: Session,
    blocker: User,
    now: datetime,
    *,
    limit: int,
    after: tuple[datetime, int] | None,
) -> list[tuple[Block, User]]:
    """The blocks ``blocker`` has in force, newest first, keyset-paginated on
    (created_at, blocked_id); ``limit + 1`` rows tell whether more follow."""
    query = (
        select(Block, User)
        .join(User, User.id == Block.blocked_id)
        .where(Block.blocker_id == blocker.id, counts(now))
        .order_by(Block.created_at.desc(), Block.blocked_id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(Block.created_at, Block.blocked_id) < tuple_(*after))
    return [(row, user) for row, user in session.execute(query).all()]


def block_in_force(session: Session, blocker: User, blocked: User, now: datetime) -> Block | None:
    """``blocker``'s block of ``blocked``, if it counts at ``now``."""
    row = session.get(Block, (blocker.id, blocked.id))
    if row is None or (row.until is not None and row.until <= now):
        return None
    return row
