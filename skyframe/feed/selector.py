"""One page of the feed, and where the next one starts.

A signed-in viewer's feed runs in passes. A pass snapshots the moment it
began (``as_of``): uploads, follows and likes after it wait for the next
pass, so pages never repeat a post while new ones arrive. Within a pass:

1. blend: the prioritised and global pools, unseen posts only, newest first,
   blended per page (skyframe.feed.blend);
2. recycle (seen history on): once nothing unseen is left, the posts the
   viewer has seen, least recently seen first; seeing one again refreshes
   its time, so the feed keeps rotating instead of repeating one page;
3. then a new pass begins. A pass that finds nothing at all falls back to a
   random batch: the feed is never empty while a visible post exists.

Anonymous visitors get every visible post, newest first, and an end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from skyframe import metrics
from skyframe.feed import ahead, pools, positions
from skyframe.feed.blend import Candidate, Caps, PoolWalk, advance, blend
from skyframe.feed.pools import Position, Window
from skyframe.feed.settings import FeedSettings

BLEND, RECYCLE, DONE = "blend", "recycle", "done"
# Each step fetches at most candidate_multiplier × page size rows per pool;
# a page needing more steps than this is served short and continues next time.
MAX_STEPS = 6


@dataclass(frozen=True)
class FeedState:
    """Where the viewer is in the feed: what the cursor carries."""

    as_of: datetime
    phase: str = BLEND
    prioritized: PoolWalk = field(default_factory=PoolWalk)
    global_: PoolWalk = field(default_factory=PoolWalk)
    recycle_after: Position | None = None  # (seen_at, post_id)
    served: bool = False  # has this pass shown anything yet?

    @classmethod
    def start(cls, now: datetime) -> FeedState:
        return cls(as_of=now)


@dataclass(frozen=True)
class FeedPage:
    post_ids: list[int]
    next_state: FeedState | None  # None: nothing more


def caps_of(settings: FeedSettings) -> Caps:
    return Caps(settings.max_per_uploader, settings.max_consecutive_per_uploader)


def window_for(viewer_id: int, state: FeedState, settings: FeedSettings, now: datetime) -> Window:
    return Window(
        viewer_id=viewer_id,
        as_of=state.as_of,
        fresh_from=settings.fresh_from(state.as_of),
        seen_from=settings.seen_from(now),
        exclude_seen=settings.seen_enabled,
        blocks_at=now,
    )


def anonymous_page(session: Session, after: Position | None, size: int) -> FeedPage:
    rows = pools.newest(session, after, size + 1)
    page = rows[:size]
    more = len(rows) > size
    state = (
        FeedState(as_of=page[-1].created_at, global_=PoolWalk(page[-1].position)) if more else None
    )
    return FeedPage([c.post_id for c in page], state)


def viewer_page(
    session: Session,
    viewer_id: int,
    settings: FeedSettings,
    state: FeedState | None,
    size: int,
    now: datetime,
    rng: random.Random | None = None,
    cache: ahead.Cache | None = None,
) -> FeedPage:
    """The viewer's next page after ``state``. With a ``cache``, the pools'
    candidates are fetched a few pages ahead and kept there (see
    skyframe.feed.ahead): the pages are the same, most of them without the
    pools query."""
    state = state or FeedState.start(now)
    page: list[Candidate] = []
    restarted = False
    for _ in range(MAX_STEPS):
        if len(page) >= size:
            break
        if state.phase == DONE:
            if not state.served and not page:
                return _random_page(session, viewer_id, settings, size, now, rng)
            if restarted:
                break
            state, restarted = FeedState.start(now), True
            continue
        if state.phase == BLEND:
            state, chosen, dry = _blend_step(
                session, viewer_id, settings, state, page, size, now, cache
            )
        else:
            state, chosen, dry = _recycle_step(session, viewer_id, settings, state, page, size, now)
        page += chosen
        if not chosen and not dry:
            break  # every candidate breaks a cap on this page: continue next page
    if not page:
        return FeedPage([], None)
    return FeedPage([c.post_id for c in page], state)


def _blend_step(session, viewer_id, settings, state, page, size, now, cache):
    prioritized, global_, hidden = _candidates(
        session, viewer_id, settings, state, size, now, cache
    )
    if not prioritized and not global_:
        # The pools are done with for this pass: their walks need not be
        # carried in the cursor any more.
        phase = RECYCLE if settings.seen_enabled else DONE
        return replace(state, phase=phase, prioritized=PoolWalk(), global_=PoolWalk()), [], True
    chosen = blend(
        _unblocked(prioritized, hidden),
        _unblocked(global_, hidden),
        size=size - len(page),
        prioritized_pct=settings.prioritized_pct,
        caps=caps_of(settings),
        page=page,
    )
    before = state
    state = replace(
        state,
        prioritized=advance(state.prioritized, prioritized, chosen, hidden),
        global_=advance(state.global_, global_, chosen, hidden),
        served=state.served or bool(chosen),
    )
    # Nothing chosen but blocked uploaders' candidates passed over: the next
    # step goes on from beyond them.
    return state, chosen, not chosen and state != before


def _unblocked(candidates: list[Candidate], hidden: frozenset[int]) -> list[Candidate]:
    """Candidates by uploaders no block stands between the viewer and (the
    common case, no blocks at all, costs one truth test)."""
    if not hidden:
        return candidates
    return [c for c in candidates if c.uploader_id not in hidden]


def _candidates(session, viewer_id, settings, state, size, now, cache):
    """Both pools' newest candidates after the state's walks (as many as the
    candidate multiplier asks), and the users a block stands between the
    viewer and: kept from an earlier page of the pass when they can be,
    else queried."""
    wanted = settings.candidate_multiplier * size
    key = ahead.key(viewer_id, state.as_of, settings)
    # A pass's first step always queries: a pass restarted within a request
    # has the same as_of as the one before it, whose fetch is not its own.
    under_way = state.prioritized != PoolWalk() or state.global_ != PoolWalk()
    if cache is not None and under_way:
        value, seen_value, blocks_value = cache.get_many(
            key, ahead.seen_key(viewer_id), ahead.blocks_key(viewer_id)
        )
        kept = ahead.unpack(value)
        if kept is not None and not kept.blocks_changed_since(blocks_value):
            seen = ahead.recently_seen(seen_value) if settings.seen_enabled else frozenset()
            prioritized = kept.prioritized.take(state.prioritized, wanted, seen)
            global_ = kept.global_.take(state.global_, wanted, seen)
            # Both dry: ask the database before the pass moves on (an
            # impression may have expired since the fetch).
            if prioritized is not None and global_ is not None and (prioritized or global_):
                metrics.feed_cache_lookup(hit=True)
                return prioritized, global_, kept.hidden
        metrics.feed_cache_lookup(hit=False)
    limit = wanted + (settings.prefetch_pages * size if cache is not None else 0)
    window = window_for(viewer_id, state, settings, now)
    prioritized, global_, hidden = pools.blend_pools(
        session, window, state.prioritized, state.global_, limit
    )
    if cache is not None and limit > wanted:
        fetched = ahead.Fetched(
            ahead.fetched_pool(
                state.prioritized,
                prioritized,
                complete=len(prioritized) < limit,
                prioritized=True,
            ),
            ahead.fetched_pool(
                state.global_, global_, complete=len(global_) < limit, prioritized=False
            ),
            hidden,
            positions.micros(now),
        )
        cache.set(key, ahead.pack(fetched), settings.prefetch_seconds)
    return prioritized[:wanted], global_[:wanted], hidden


def _recycle_step(session, viewer_id, settings, state, page, size, now):
    window = window_for(viewer_id, state, settings, now)
    rows, hidden = pools.recycled(
        session, window, state.recycle_after, settings.candidate_multiplier * size
    )
    if not rows:
        return replace(state, phase=DONE), [], True
    seen_position = {candidate.post_id: (seen_at, candidate.post_id) for candidate, seen_at in rows}
    shown = [candidate for candidate, _ in rows if candidate.uploader_id not in hidden]
    if not shown:  # all by blocked uploaders: go on past them
        return replace(state, recycle_after=seen_position[rows[-1][0].post_id]), [], True
    chosen = blend(
        [],
        shown,
        size=size - len(page),
        prioritized_pct=0,
        caps=caps_of(settings),
        page=page,
    )
    if chosen:
        state = replace(
            state,
            recycle_after=max(seen_position[c.post_id] for c in chosen),
            served=True,
        )
    return state, chosen, False


def _random_page(session, viewer_id, settings, size, now, rng) -> FeedPage:
    state = FeedState.start(now)
    window = window_for(viewer_id, state, settings, now)
    rng = rng or random.Random()  # noqa: S311 - picks posts, not secrets
    batch = pools.random_batch(session, window, size * settings.candidate_multiplier, rng.random())
    rng.shuffle(batch)
    chosen = blend([], batch, size=size, prioritized_pct=0, caps=caps_of(settings))
    if not chosen:
        return FeedPage([], None)
    return FeedPage([c.post_id for c in chosen], state)
