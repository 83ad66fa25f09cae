"""Moving buffered views into the database: ``posts.view_count`` and the
owners' ``users.view_count``, in one transaction, in batches of
FLUSH_BATCH rows per statement.

Exact: the buffer hands over its counts atomically and starts a new tally
(views reported meanwhile wait for the next flush); the counts are added
(``view_count = view_count + n``), never set, so concurrent flushes of
other buffers and edits of the row compose; only one flush of a buffer runs
at a time (its lock). The buffer forgets the counts only after the commit;
a failed flush leaves them for the next. (On Redis, a process killed
between the commit and that forgetting would add the batch again: one
flush's worth, at most once.) Running it again with nothing new changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from skyframe.models import Post, User
from skyframe.viewcounts.buffer import ViewBuffer

FLUSH_BATCH = 500


@dataclass(frozen=True)
class Flushed:
    views: int
    posts: int
    busy: bool = False  # another flush held the buffer

    def line(self) -> str:
        if self.busy:
            return "another flush is running; nothing done."
        return f"{self.views} view(s) of {self.posts} post(s) flushed."


def flush(session: Session, buffer: ViewBuffer) -> Flushed:
    """Add every pending view to the database and commit."""
    with buffer.flushing() as mine:
        if not mine:
            return Flushed(0, 0, busy=True)
        counts = buffer.take()
        if not counts:
            return Flushed(0, 0)
        try:
            _store(session, counts)
            session.commit()
        except BaseException:
            session.rollback()
            buffer.give_back(counts)
            raise
        buffer.done()
        return Flushed(sum(counts.values()), len(counts))


def _store(session: Session, counts: dict[int, int]) -> None:
    post_ids = sorted(counts)
    owners: dict[int, int] = {}
    for start in range(0, len(post_ids), FLUSH_BATCH):
        batch = post_ids[start : start + FLUSH_BATCH]
        # Deleted posts' views are dropped; their owners' totals still grow.
        rows = session.execute(select(Post.id, Post.owner_id).where(Post.id.in_(batch)))
        found = []
        for post_id, owner_id in rows:
            found.append({"row_id": post_id, "views": counts[post_id]})
            owners[owner_id] = owners.get(owner_id, 0) + counts[post_id]
        if found:
            session.execute(_add(Post), found)
    owner_rows = [
        {"row_id": owner_id, "views": views} for owner_id, views in sorted(owners.items())
    ]
    for start in range(0, len(owner_rows), FLUSH_BATCH):
        session.execute(_add(User), owner_rows[start : start + FLUSH_BATCH])


def _add(model):
    table = model.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(view_count=table.c.view_count + bindparam("views"))
        .execution_options(synchronize_session=False)
    )
