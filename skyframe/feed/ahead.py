"""Candidates fetched ahead: the pools' rows kept between pages of a pass.

A blend step asks each pool for the newest ``wanted`` candidates after its
walk. When a cache is configured, the step fetches ``prefetch_pages`` pages'
worth more and keeps them (per viewer and pass), and the next pages take
their candidates from there instead of querying again: a page uses at most
``size`` candidates of a pool, so a fetch of ``wanted + k × size`` serves the
next ``k`` pages.

What ``take`` returns is what the pools query would: the fetch is a
newest-first prefix of the pool, so its members after a later walk position
are the pool's members there, as long as at least ``wanted`` of them are
left or the fetch reached the end of the pool. Within a pass the pools are a
snapshot (``as_of``): uploads, follows and likes made since wait for the
next pass either way. What can still change under a kept fetch:

- impressions reported since (this pass's own posts, which the walk has
  passed, or posts seen in another tab or on another device): the feed's
  seen endpoint also notes them in the cache (``remember_seen``), and the
  selector takes them out of the kept candidates, as the query would;
- posts deleted since: the page drops them when it loads them;
- blocks: the fetch keeps the users a block stood between the viewer and
  when it was made (the pools statement returns them), and the selector
  drops their candidates; blocking or unblocking notes the moment for both
  users (``note_blocks_changed``), read with the kept fetch in the same
  ``get_many``, and a fetch older than that is queried afresh;
- follows and likes removed since: the query would move those posts out of
  the prioritised pool; the kept fetch does so from the next query, at most
  ``prefetch_pages`` pages later;
- impressions dropped since (retention, FEED_SEEN_MAX_IDS): those posts count
  as unseen again from the next query. One the walk passes before then comes
  back in a later pass; the selector queries before it calls both pools dry.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from skyframe.feed import positions
from skyframe.feed.blend import Candidate, PoolWalk
from skyframe.feed.settings import FeedSettings

FORMAT = 2
# Impressions noted per viewer for the kept candidates: the latest this many.
SEEN_REMEMBERED = 1000


class Cache(Protocol):
    """What the feed needs of a cache (a cachelib backend fits)."""

    def get(self, key: str) -> object: ...

    def get_many(self, *keys: str) -> list[object]: ...

    def set(self, key: str, value: object, timeout: int | None = None) -> object: ...


@dataclass(frozen=True)
class FetchedPool:
    """One pool's candidates from one query: the newest first after ``walk``.

    Kept flat, as (post id, uploader id, upload time in µs) triples: a page
    turns only the few it takes into Candidates.
    """

    walk: PoolWalk  # the walk the query was made for
    flat: tuple[int, ...]
    complete: bool  # the query found fewer than it asked for: the pool ends here
    prioritized: bool

    @property
    def candidates(self) -> list[Candidate]:
        return list(self._candidates())

    def covers(self, walk: PoolWalk) -> bool:
        """Whether the candidates ``walk`` allows start here: ``walk`` is at
        or past where the query started, and excludes everything the query
        excluded."""
        start = self.walk.after
        if start is not None and (walk.after is None or walk.after > start):
            return False
        served = set(walk.served)
        return all(
            position in served or (walk.after is not None and position >= walk.after)
            for position in self.walk.served
        )

    def take(
        self, walk: PoolWalk, wanted: int, seen: frozenset[int] = frozenset()
    ) -> list[Candidate] | None:
        """The newest ``wanted`` candidates after ``walk`` that are not in
        ``seen`` (impressions reported since the fetch), as the pools query
        would give them, or None when this fetch cannot tell (it does not
        cover ``walk``, or too few of it are left before its end)."""
        if not self.covers(walk):
            return None
        found = (c for c in self._after(walk) if c.post_id not in seen)
        taken = list(itertools.islice(found, wanted))
        if len(taken) >= wanted or self.complete:
            return taken
        return None

    def _after(self, walk: PoolWalk) -> Iterator[Candidate]:
        after = walk.after and (positions.micros(walk.after[0]), walk.after[1])
        return self._candidates(after, frozenset(walk.served_ids))

    def _candidates(self, after=None, served=frozenset()) -> Iterator[Candidate]:
        flat = self.flat
        for i in range(0, len(flat), 3):
            post_id, uploader_id, micros = flat[i : i + 3]
            if (after is None or (micros, post_id) < after) and post_id not in served:
                yield Candidate(post_id, uploader_id, positions.moment(micros), self.prioritized)


@dataclass(frozen=True)
class Fetched:
    prioritized: FetchedPool
    global_: FetchedPool
    hidden: frozenset[int] = frozenset()  # users a block stood between then
    fetched_at: int = 0  # µs since the epoch

    def blocks_changed_since(self, noted: object) -> bool:
        """Whether a block of the viewer's changed after this fetch (``noted``:
        the cached value of ``blocks_key``)."""
        return type(noted) is int and noted >= self.fetched_at


def fetched_pool(
    walk: PoolWalk, candidates: list[Candidate], *, complete: bool, prioritized: bool
) -> FetchedPool:
    flat: list[int] = []
    for candidate in candidates:
        flat += (candidate.post_id, candidate.uploader_id, positions.micros(candidate.created_at))
    return FetchedPool(walk, tuple(flat), complete, prioritized)


def key(viewer_id: int, as_of: datetime, settings: FeedSettings) -> str:
    """One viewer's pass under one set of feed settings."""
    return f"feed-ahead:{FORMAT}:{_tuning(settings)}:{viewer_id}:{positions.micros(as_of)}"


@lru_cache(maxsize=8)
def _tuning(settings: FeedSettings) -> str:
    return hashlib.blake2b(repr(settings).encode(), digest_size=6).hexdigest()


def seen_key(viewer_id: int) -> str:
    return f"feed-seen:{FORMAT}:{viewer_id}"


def blocks_key(viewer_id: int) -> str:
    return f"feed-blocks:{FORMAT}:{viewer_id}"


def note_blocks_changed(cache: Cache, user_ids: list[int], now: datetime, seconds: int) -> None:
    """A block between these users changed at ``now``: their kept fetches
    from before are not used again (kept ones live ``seconds`` at most)."""
    for user_id in user_ids:
        cache.set(blocks_key(user_id), positions.micros(now), seconds)


def remember_seen(cache: Cache, viewer_id: int, post_ids: list[int], seconds: int) -> None:
    """Note impressions the viewer reported, for their kept candidates. (Two
    reports at once may lose one of them here: the post then waits for the
    next query to be skipped, as it is in the database.)"""
    noted = _seen_list(cache.get(seen_key(viewer_id)))
    already = set(noted)
    fresh = [post_id for post_id in dict.fromkeys(post_ids) if post_id not in already]
    if fresh:
        cache.set(seen_key(viewer_id), [*noted, *fresh][-SEEN_REMEMBERED:], seconds)


def recently_seen(value: object) -> frozenset[int]:
    """The noted impressions in a cached value (none if it is not one)."""
    return frozenset(_seen_list(value))


def _seen_list(value: object) -> list[int]:
    if isinstance(value, list) and all(type(i) is int for i in value):
        return value
    return []


def pack(fetched: Fetched) -> list:
    """Plain lists and integers, small whatever the cache's serializer."""
    return [
        _pack_pool(fetched.prioritized),
        _pack_pool(fetched.global_),
        sorted(fetched.hidden),
        fetched.fetched_at,
    ]


def unpack(value: object) -> Fetched | None:
    """A packed Fetched, or None for anything else (an older format, a miss)."""
    try:
        prioritized, global_, hidden, fetched_at = value  # type: ignore[misc]
        if type(fetched_at) is not int or not all(type(i) is int for i in hidden):
            return None
        return Fetched(
            _unpack_pool(prioritized, True),
            _unpack_pool(global_, False),
            frozenset(hidden),
            fetched_at,
        )
    except (TypeError, ValueError, OverflowError):
        return None


def _pack_pool(pool: FetchedPool) -> list:
    walk = pool.walk
    return [
        positions.pack(walk.after),
        [positions.pack(position) for position in walk.served],
        pool.complete,
        list(pool.flat),
    ]


def _unpack_pool(value, prioritized: bool) -> FetchedPool:
    after, served, complete, flat = value
    if len(flat) % 3 or type(complete) is not bool or not all(type(i) is int for i in flat):
        raise ValueError("not a packed pool")
    walk = PoolWalk(positions.unpack(after), tuple(positions.unpack(p) for p in served))
    return FetchedPool(walk, tuple(flat), complete, prioritized)
