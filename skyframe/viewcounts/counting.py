"""Which reported views count: at least MIN_SECONDS on screen or played, of
a listed post, by someone who is neither its owner nor staff. Reading only:
the counting itself is the buffer's (no database write on the feed's path)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from skyframe import policy
from skyframe.models import Post, User
from skyframe.viewcounts.buffer import ViewBuffer

# An image on screen, or a clip played, this long (a clip shorter than this
# counts when played to its end: the client reports its length, rounded up).
MIN_SECONDS = 2.0
MAX_BATCH = 100


def countable_posts(session: Session, viewer: User | None, post_ids: Iterable[int]) -> list[int]:
    """Those of ``post_ids`` a view by ``viewer`` counts for, in id order:
    listed posts not of the viewer's own; none for staff. One indexed read
    (the listed posts' partial index by id)."""
    wanted = sorted(set(post_ids))[:MAX_BATCH]
    if not wanted or not policy.counts_views_of(viewer):
        return []
    query = select(Post.id).where(Post.id.in_(wanted), *policy.listed_posts())
    if viewer is not None:
        query = query.where(Post.owner_id != viewer.id)
    return list(session.scalars(query.order_by(Post.id)))


def record_views(
    session: Session,
    buffer: ViewBuffer,
    viewer_key: str,
    viewer: User | None,
    reports: Iterable[tuple[int, float]],
) -> int:
    """Count the reported (post id, seconds) views of one viewer; how many
    were newly counted (the rest: too short, not countable, or already
    counted for this viewer within the day)."""
    long_enough = {post_id for post_id, seconds in reports if seconds >= MIN_SECONDS}
    posts = countable_posts(session, viewer, long_enough)
    if not posts:
        return 0
    return len(buffer.record(viewer_key, posts))
