"""Where counted views wait for the flush: Redis, or this process's memory.

Both backends do the same two things atomically:

- :meth:`record` claims (viewer, post) for 24 hours and adds one to the
  post's pending count only when the claim is new: one Lua script on Redis
  (``SET key 1 NX EX ttl`` then ``HINCRBY``, so a view is never claimed
  without being counted), one lock in memory;
- :meth:`take` hands over every pending count and starts a new tally, so
  views reported while a flush runs land in the next one. Redis renames the
  hash to a ``flushing`` key in the same script that reads it; the flush
  deletes that key (:meth:`done`) only after its database transaction
  commits, and a flush that failed finds it again next time (:meth:`take`
  returns it before anything newer). In memory a failed flush gives its
  counts back (:meth:`give_back`).

The memory backend is bounded: at most ``max_claims`` (viewer, post) claims
are remembered (the oldest go first, and could then count once more) and
at most ``max_posts`` posts have pending counts (further new posts are
dropped until the next flush). It is per process: with several serving
processes use Redis, or the same viewer counts once per process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

DAY_SECONDS = 24 * 3600
# A flush holds the buffer's lock at most this long (then another may start).
FLUSH_LOCK_SECONDS = 300
# Per process: ~200 bytes a claim, so ~40 MB at the cap.
MEMORY_MAX_CLAIMS = 200_000
MEMORY_MAX_POSTS = 100_000


class ViewBuffer(Protocol):
    def record(self, viewer: str, post_ids: Iterable[int]) -> list[int]:
        """Claim each (viewer, post) for a day; the posts whose claim is new
        (each of them counted once more)."""

    def take(self) -> dict[int, int]:
        """Every pending count (post id → views), handed over to a flush."""

    def done(self) -> None:
        """The counts last taken are in the database: forget them."""

    def give_back(self, counts: dict[int, int]) -> None:
        """A flush could not store ``counts``: keep them for the next one."""

    def flushing(self):
        """A context held by one flush at a time: True, or False while
        another flush holds it."""


class MemoryBuffer:
    """This process's buffer (the embedded default): thread-safe, bounded."""

    def __init__(
        self,
        *,
        ttl_seconds: int = DAY_SECONDS,
        max_claims: int = MEMORY_MAX_CLAIMS,
        max_posts: int = MEMORY_MAX_POSTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_claims = max_claims
        self.max_posts = max_posts
        self.clock = clock
        self._claims: OrderedDict[tuple[str, int], float] = OrderedDict()  # → expiry
        self._counts: dict[int, int] = {}
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()

    @contextmanager
    def flushing(self) -> Iterator[bool]:
        got = self._flush_lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                self._flush_lock.release()

    def record(self, viewer: str, post_ids: Iterable[int]) -> list[int]:
        now = self.clock()
        counted = []
        with self._lock:
            self._expire(now)
            for post_id in post_ids:
                key = (viewer, post_id)
                if key in self._claims:
                    continue
                if post_id not in self._counts and len(self._counts) >= self.max_posts:
                    continue  # full until the next flush: not claimed, not counted
                self._claims[key] = now + self.ttl
                if len(self._claims) > self.max_claims:
                    self._claims.popitem(last=False)
                self._counts[post_id] = self._counts.get(post_id, 0) + 1
                counted.append(post_id)
        return counted

    def _expire(self, now: float) -> None:
        # Claims are added in expiry order (one ttl for all): the oldest first.
        while self._claims:
            key, expires = next(iter(self._claims.items()))
            if expires > now:
                break
            del self._claims[key]

    def take(self) -> dict[int, int]:
        with self._lock:
            counts, self._counts = self._counts, {}
        return counts

    def done(self) -> None:
        pass

    def give_back(self, counts: dict[int, int]) -> None:
        with self._lock:
            for post_id, views in counts.items():
                self._counts[post_id] = self._counts.get(post_id, 0) + views

    def pending(self) -> dict[int, int]:
        with self._lock:
            return dict(self._counts)


# KEYS: claim prefix, counts hash. ARGV: ttl, post ids. Returns the new ones.
_RECORD = """
local counted = {}
for i = 2, #ARGV do
  if redis.call('SET', KEYS[1] .. ARGV[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
    counted[#counted + 1] = ARGV[i]
  end
end
return counted
"""

# KEYS: counts hash, flushing hash. What an earlier flush left comes first;
# otherwise the live tally becomes the flushing one (new views start a new
# hash). Returns the flushing hash's fields and values.
_TAKE = """
if redis.call('EXISTS', KEYS[2]) == 0 then
  if redis.call('EXISTS', KEYS[1]) == 0 then
    return {}
  end
  redis.call('RENAME', KEYS[1], KEYS[2])
end
return redis.call('HGETALL', KEYS[2])
"""


class RedisBuffer:
    """The buffer shared by every process, in Redis (keys under ``prefix``)."""

    def __init__(self, client, *, prefix: str, ttl_seconds: int = DAY_SECONDS) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self.claim_prefix = f"{prefix}:views:seen:"
        self.counts_key = f"{prefix}:views:counts"
        self.flushing_key = f"{prefix}:views:flushing"
        self.lock_key = f"{prefix}:views:flush-lock"
        self._record = client.register_script(_RECORD)
        self._take = client.register_script(_TAKE)

    @classmethod
    def from_url(cls, url: str, *, prefix: str, ttl_seconds: int = DAY_SECONDS) -> RedisBuffer:
        from redis import Redis

        client = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return cls(client, prefix=prefix, ttl_seconds=ttl_seconds)

    @contextmanager
    def flushing(self) -> Iterator[bool]:
        token = uuid.uuid4().hex
        got = bool(self.client.set(self.lock_key, token, nx=True, ex=FLUSH_LOCK_SECONDS))
        try:
            yield got
        finally:
            if got and self.client.get(self.lock_key) == token.encode():
                self.client.delete(self.lock_key)

    def record(self, viewer: str, post_ids: Iterable[int]) -> list[int]:
        ids = [str(int(post_id)) for post_id in post_ids]
        if not ids:
            return []
        found = self._record(
            keys=[f"{self.claim_prefix}{viewer}:", self.counts_key], args=[self.ttl, *ids]
        )
        return [int(post_id) for post_id in found]

    def take(self) -> dict[int, int]:
        flat = self._take(keys=[self.counts_key, self.flushing_key])
        return {int(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}

    def done(self) -> None:
        self.client.delete(self.flushing_key)

    def give_back(self, counts: dict[int, int]) -> None:
        pass  # still under the flushing key: the next take returns it

    def pending(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for key in (self.counts_key, self.flushing_key):
            for post_id, views in self.client.hgetall(key).items():
                counts[int(post_id)] = counts.get(int(post_id), 0) + int(views)
        return counts


def buffer_from_url(url: str, *, prefix: str) -> MemoryBuffer | RedisBuffer:
    """The buffer ``url`` names: ``memory://`` or a Redis URL."""
    if url == "memory://":
        return MemoryBuffer()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBuffer.from_url(url, prefix=prefix)
    raise ValueError(f"not a view buffer URL: {url!r} (use memory:// or redis://)")
