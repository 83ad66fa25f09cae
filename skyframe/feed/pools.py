"""Candidate pools: the feed's queries.

Each pool is at most ``limit`` candidates, newest upload first, strictly
after a keyset position; a blend step fetches both pools in one statement,
built once per shape (see _Shape). They are written for PostgreSQL at a million posts
(measured by benchmarks/feed_bench.py): keyset pagination over partial indexes of ready posts
(index-only scans), anti-joins against the viewer's follows, likes and seen
history as primary-key probes (see _absent), and on PostgreSQL one bounded
LATERAL scan per followed uploader. Nothing loads a user's followed or liked
ids into Python. SQLite, the embedded default, gets the same results from a
plain IN (subquery).

Blocks (skyframe.social.blocks) ride on the same statements: each also
returns the ids of the users a block stands between the viewer and (two
index ranges of the blocks table, empty for nearly everyone), and the
selector drops their candidates in Python. No extra round trip, and the
pools' index scans are untouched; a blocked uploader's posts only take
places in a fetch, which the walk then passes (skyframe.feed.blend.advance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from skyframe.feed.blend import Candidate, PoolWalk
from skyframe.models import FeedSeen, Follow, Post, PostLike
from skyframe.models.base import UTCDateTime
from skyframe.policy import listed_posts
from skyframe.social import blocks

# The pool tag of the rows naming users a block stands between the viewer and.
BLOCKED = 2

Position = tuple[datetime, int]


@dataclass(frozen=True)
class Window:
    """What a pass of the feed may show one viewer."""

    viewer_id: int | None
    as_of: datetime  # the pass's snapshot: later uploads, follows and likes wait
    fresh_from: datetime | None  # oldest upload considered
    seen_from: datetime | None  # oldest impression that still counts
    exclude_seen: bool
    blocks_at: datetime | None = None  # blocks in force then count (None: as_of)


class _Shape(NamedTuple):
    """What a blend step's statement looks like; its values are bound at
    execution. A handful of shapes covers every request, so each is built
    once per process (building one cost more CPU than running it)."""

    dialect: str
    fresh: bool  # a FEED_FRESH_DAYS window
    exclude_seen: bool
    seen_window: bool  # FEED_SEEN_RETENTION_DAYS
    prioritized_after: bool
    prioritized_served: bool
    global_after: bool
    global_served: bool


def _at(name: str):
    return bindparam(name, type_=UTCDateTime())


def _visible(posts, shape: _Shape, pool: str, *, unseen: bool = True) -> list[ColumnElement[bool]]:
    """Listed posts of the pass's window, after the pool's keyset position,
    not already served out of order, not seen (unless ``unseen`` is False)."""
    conditions = [*listed_posts(posts), posts.c.created_at <= _at("as_of")]
    if shape.fresh:
        conditions.append(posts.c.created_at >= _at("fresh_from"))
    if getattr(shape, f"{pool}_after"):
        conditions.append(
            tuple_(posts.c.created_at, posts.c.id)
            < tuple_(_at(f"{pool}_after_at"), bindparam(f"{pool}_after_id"))
        )
    if getattr(shape, f"{pool}_served"):
        conditions.append(posts.c.id.not_in(bindparam(f"{pool}_served", expanding=True)))
    if shape.exclude_seen and unseen:
        conditions.append(_absent(_seen(posts.c.id, shape.seen_window)))
    return conditions


def _absent(*conditions) -> ColumnElement[bool]:
    """No row matches ``conditions``, as a correlated scalar subquery.

    Written this way rather than NOT EXISTS on purpose: PostgreSQL turns NOT
    EXISTS into an anti-join, and a hash anti-join both reads every candidate
    (no early stop under LIMIT, a sort instead of the index order) and probes
    by post id alone; a subplan keeps the newest-first index scan streaming
    and probes the (user_id, post_id) primary key. Measured at 1M posts: the
    typical user's prioritised pool 13 ms → 3 ms.
    """
    return select(literal(1)).where(*conditions).limit(1).scalar_subquery().is_(None)


def _seen(post_id, seen_window: bool) -> ColumnElement[bool]:
    seen = FeedSeen.__table__
    condition = and_(seen.c.user_id == bindparam("viewer_id"), seen.c.post_id == post_id)
    if seen_window:
        condition = and_(condition, seen.c.seen_at >= _at("seen_from"))
    return condition


def _follows():
    follows = Follow.__table__
    return and_(
        follows.c.follower_id == bindparam("viewer_id"), follows.c.created_at <= _at("as_of")
    )


def _likes():
    likes = PostLike.__table__
    return and_(likes.c.user_id == bindparam("viewer_id"), likes.c.created_at <= _at("as_of"))


def _newest_first(query: Select, columns, limit) -> Select:
    return query.order_by(columns.created_at.desc(), columns.id.desc()).limit(limit)


def _candidates(session: Session, query: Select, params: dict | None = None) -> list[Candidate]:
    return [
        Candidate(post_id=row.id, uploader_id=row.owner_id, created_at=row.created_at)
        for row in session.execute(query, params)
    ]


def _post_columns(posts):
    return posts.c.id, posts.c.owner_id, posts.c.created_at


def _prioritized(shape: _Shape, limit) -> Select:
    """Posts by uploaders the viewer follows, and posts the viewer liked."""
    posts = Post.__table__
    follows = Follow.__table__
    likes = PostLike.__table__
    if shape.dialect == "postgresql":
        followed = _followed_on_postgresql(shape, limit)
    else:
        followed = select(*_post_columns(posts)).where(
            posts.c.owner_id.in_(select(follows.c.followee_id).where(_follows())),
            *_visible(posts, shape, "prioritized"),
        )
    liked_conditions = [_likes(), *_visible(posts, shape, "prioritized")]
    if shape.fresh:
        # A post is liked after it is uploaded: only likes within the window
        # can reach posts within it (index (user_id, created_at)).
        liked_conditions.append(likes.c.created_at >= _at("fresh_from"))
    liked = (
        select(*_post_columns(posts))
        .join(likes, likes.c.post_id == posts.c.id)
        .where(*liked_conditions)
    )
    pool = union(followed, liked).subquery("prioritized")
    return _newest_first(select(*pool.c), pool.c, limit)


# Viewers following at least this many uploaders first look for their
# followed posts among the newest SCAN_NEWEST posts of the window, newest
# first: at 1M posts the heavy user (500 follows) finds a page's worth there
# in ~1.5 ms, where one LATERAL scan per followee reads every followed post
# of the window (6,000 rows, ~30 ms). Fewer follows: the LATERAL scans are
# cheap (50 follows: ~1.5 ms) and the newest posts rarely hold enough.
MANY_FOLLOWS = 100
SCAN_NEWEST = 1000


def _followed_on_postgresql(shape: _Shape, limit):
    """Unseen posts by followed uploaders, at least the newest ``limit``.

    Two ways to the same rows, of which PostgreSQL runs one (the other sits
    under a one-time filter). For viewers with MANY_FOLLOWS, the newest
    SCAN_NEWEST visible posts probed against the viewer's follows: when that
    finds ``limit`` of them they are the newest ``limit`` followed posts, as
    the scan goes newest first. Otherwise (fewer follows, or not enough
    found) one bounded LATERAL scan per followed uploader.
    """
    posts = Post.__table__
    follows = Follow.__table__
    newest = _newest_first(
        select(*_post_columns(posts)).where(*_visible(posts, shape, "prioritized", unseen=False)),
        posts.c,
        SCAN_NEWEST,
    ).subquery("newest_posts")
    some_follows = select(literal(1)).where(_follows()).limit(MANY_FOLLOWS).subquery()
    many_follows = select(func.count()).select_from(some_follows).scalar_subquery()
    followed_first = [
        many_follows >= MANY_FOLLOWS,
        ~_absent(_follows(), follows.c.followee_id == newest.c.owner_id),
    ]
    if shape.exclude_seen:
        followed_first.append(_absent(_seen(newest.c.id, shape.seen_window)))
    recent = _newest_first(select(*newest.c).where(*followed_first), newest.c, limit).cte(
        "recent_followed"
    )
    per_followee = _newest_first(
        select(*_post_columns(posts)).where(
            posts.c.owner_id == follows.c.followee_id, *_visible(posts, shape, "prioritized")
        ),
        posts.c,
        limit,
    ).lateral("followed_posts")
    found = select(func.count()).select_from(recent).scalar_subquery()
    return union_all(
        select(*recent.c),
        select(*per_followee.c)
        .select_from(follows)
        .join(per_followee, true())
        .where(found < limit, _follows()),
    )


def _global(shape: _Shape, limit) -> Select:
    """The newest posts from everyone else: not followed, not liked."""
    posts = Post.__table__
    follows = Follow.__table__
    likes = PostLike.__table__
    conditions = [
        *_visible(posts, shape, "global"),
        _absent(_follows(), follows.c.followee_id == posts.c.owner_id),
        _absent(_likes(), likes.c.post_id == posts.c.id),
    ]
    return _newest_first(select(*_post_columns(posts)).where(*conditions), posts.c, limit)


@lru_cache(maxsize=256)
def _pools_statement(shape: _Shape):
    """Both pools in one statement (one round trip), each newest first and
    at most ``limit`` long, tagged with the pool they come from."""
    limit = bindparam("limit")
    parts = []
    for name, build, tag in (("prioritized", _prioritized, 1), ("global", _global, 0)):
        page = build(shape, limit).subquery(f"{name}_page")
        parts.append(select(*page.c, literal_column(str(tag)).label("pool")))
    return union_all(*parts, *_blocked_parts("id", "owner_id", "created_at"))


def _blocked_parts(*labels: str) -> list[Select]:
    """Rows tagged BLOCKED whose every column (``labels``) but the tag is the
    other user's id or the block's time: the users a block in force stands
    between the viewer and."""
    parts = []
    for part in blocks.other_parties(bindparam("viewer_id"), _at("blocks_at")):
        other, created = part.selected_columns
        columns = [created if "_at" in label else other for label in labels]
        parts.append(
            part.with_only_columns(
                *(c.label(label) for c, label in zip(columns, labels, strict=True)),
                literal_column(str(BLOCKED)).label("pool"),
            )
        )
    return parts


def _blocks_at(window: Window) -> datetime:
    return window.blocks_at or window.as_of


def _walk_params(pool: str, walk: PoolWalk) -> dict:
    params: dict = {}
    if walk.after is not None:
        params[f"{pool}_after_at"], params[f"{pool}_after_id"] = walk.after
    if walk.served:
        params[f"{pool}_served"] = walk.served_ids
    return params


def blend_pools(
    session: Session,
    window: Window,
    prioritized_walk: PoolWalk,
    global_walk: PoolWalk,
    limit: int,
) -> tuple[list[Candidate], list[Candidate], frozenset[int]]:
    """The prioritised pool (posts by uploaders the viewer follows, and posts
    the viewer liked) and the global pool (the newest posts from everyone
    else), each at most ``limit`` long, newest first, after its walk; and
    the users a block stands between the viewer and (their candidates are
    in the pools: the caller drops them)."""
    exclude_seen = window.exclude_seen
    shape = _Shape(
        dialect=session.get_bind().dialect.name,
        fresh=window.fresh_from is not None,
        exclude_seen=exclude_seen,
        seen_window=exclude_seen and window.seen_from is not None,
        prioritized_after=prioritized_walk.after is not None,
        prioritized_served=bool(prioritized_walk.served),
        global_after=global_walk.after is not None,
        global_served=bool(global_walk.served),
    )
    params = {
        "viewer_id": window.viewer_id,
        "as_of": window.as_of,
        "limit": limit,
        "blocks_at": _blocks_at(window),
    }
    if shape.fresh:
        params["fresh_from"] = window.fresh_from
    if shape.seen_window:
        params["seen_from"] = window.seen_from
    params |= _walk_params("prioritized", prioritized_walk)
    params |= _walk_params("global", global_walk)
    pools: tuple[list[Candidate], list[Candidate]] = ([], [])
    hidden: set[int] = set()
    for row in session.execute(_pools_statement(shape), params):
        if row.pool == BLOCKED:
            hidden.add(row.id)
            continue
        prioritized = row.pool == 1
        pools[not prioritized].append(
            Candidate(row.id, row.owner_id, row.created_at, prioritized=prioritized)
        )
    for pool in pools:  # UNION ALL keeps no order
        pool.sort(key=lambda c: c.position, reverse=True)
    return pools[0], pools[1], frozenset(hidden)


def recycled(
    session: Session, window: Window, after: Position | None, limit: int
) -> tuple[list[tuple[Candidate, datetime]], frozenset[int]]:
    """Posts the viewer has seen, least recently seen first, for when nothing
    unseen is left: the feed starts over instead of going empty. Seeing one
    again moves it to the back, so the feed keeps rotating. With them, in
    the same statement, the users a block stands between the viewer and."""
    posts = Post.__table__
    seen = FeedSeen.__table__
    conditions = [
        seen.c.user_id == window.viewer_id,
        seen.c.seen_at < window.as_of,  # seen during this pass: not again in it
        *listed_posts(posts),
    ]
    if window.seen_from is not None:
        conditions.append(seen.c.seen_at >= window.seen_from)
    if window.fresh_from is not None:
        conditions.append(posts.c.created_at >= window.fresh_from)
    if after is not None:
        conditions.append(tuple_(seen.c.seen_at, seen.c.post_id) > tuple_(*after))
    page = (
        select(*_post_columns(posts), seen.c.seen_at)
        .join(posts, posts.c.id == seen.c.post_id)
        .where(*conditions)
        .order_by(seen.c.seen_at, seen.c.post_id)
        .limit(limit)
        .subquery("recycled")
    )
    query = union_all(
        select(*page.c, literal_column("0").label("pool")),
        *_blocked_parts("id", "owner_id", "created_at", "seen_at"),
    )
    params = {"viewer_id": window.viewer_id, "blocks_at": _blocks_at(window)}
    rows, hidden = [], set()
    for row in session.execute(query, params):
        if row.pool == BLOCKED:
            hidden.add(row.id)
            continue
        candidate = Candidate(post_id=row.id, uploader_id=row.owner_id, created_at=row.created_at)
        rows.append((candidate, row.seen_at))
    rows.sort(key=lambda pair: (pair[1], pair[0].post_id))  # UNION ALL keeps no order
    return rows, frozenset(hidden)


def random_batch(session: Session, window: Window, limit: int, pivot: float) -> list[Candidate]:
    """Any visible posts, from a random point of the id range: the fallback
    when nothing qualifies. Unseen posts first when the viewer has any.

    Walking the primary key from a random pivot costs ``limit`` index rows,
    where ORDER BY random() would read the whole table. Users a block stands
    between the viewer and are left out in SQL (this fallback is rare: one
    more indexed query for them).
    """
    posts = Post.__table__
    low, high = session.execute(select(func.min(posts.c.id), func.max(posts.c.id))).one()
    if low is None:
        return []
    hidden = blocks.hidden_ids(session, window.viewer_id, _blocks_at(window))
    start = low + int((high - low) * pivot)
    found: dict[int, Candidate] = {}
    passes = [True, False] if window.exclude_seen and window.viewer_id is not None else [False]
    seen_window = window.seen_from is not None
    params = {"viewer_id": window.viewer_id, "seen_from": window.seen_from}
    for unseen_only in passes:
        for span in (posts.c.id >= start, posts.c.id < start):
            if len(found) >= limit:
                break
            conditions = [span, *listed_posts(posts)]
            if hidden:
                conditions.append(posts.c.owner_id.not_in(hidden))
            if unseen_only:
                conditions.append(_absent(_seen(posts.c.id, seen_window)))
            if found:
                conditions.append(posts.c.id.not_in(list(found)))
            query = (
                select(*_post_columns(posts))
                .where(*conditions)
                .order_by(posts.c.id)
                .limit(limit - len(found))
            )
            for candidate in _candidates(session, query, params if unseen_only else None):
                found[candidate.post_id] = candidate
    return list(found.values())


def newest(session: Session, after: Position | None, limit: int) -> list[Candidate]:
    """Anonymous visitors: every visible post, newest upload first."""
    posts = Post.__table__
    conditions = listed_posts(posts)
    if after is not None:
        conditions.append(tuple_(posts.c.created_at, posts.c.id) < tuple_(*after))
    query = _newest_first(select(*_post_columns(posts)).where(*conditions), posts.c, limit)
    return _candidates(session, query)
