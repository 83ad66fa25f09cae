"""Shared caches from a URL: per process (``memory://``) or Redis.

A cache here only ever saves work. Values are JSON (never pickle: whoever
can write to the Redis must not be able to run code in the app). When Redis
fails, reads miss and writes are dropped, and for OUTAGE_SECONDS the app
does not ask it again, so a hung server costs one timeout, not one per call.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from cachelib import BaseCache, RedisCache, SimpleCache
from cachelib.serializers import RedisSerializer

log = logging.getLogger(__name__)

MEMORY = "memory://"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Redis answers in well under a millisecond; a cache that takes longer than
# this is worse than none.
REDIS_TIMEOUT_SECONDS = 0.25
OUTAGE_SECONDS = 30


def is_cache_url(url: str) -> bool:
    return url in ("", MEMORY) or url.startswith(REDIS_SCHEMES)


def cache_from_url(
    url: str, *, key_prefix: str, default_timeout: int, max_entries: int
) -> BaseCache | _Tolerant | None:
    """The cache ``url`` names ("" for none); ``max_entries`` bounds the
    per-process one (Redis bounds itself with its own eviction policy)."""
    if not url:
        return None
    if url == MEMORY:
        return SimpleCache(threshold=max_entries, default_timeout=default_timeout)
    if url.startswith(REDIS_SCHEMES):
        from redis import Redis

        client = Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        return _Tolerant(
            _JsonRedisCache(client, key_prefix=key_prefix, default_timeout=default_timeout)
        )
    raise ValueError(f"not a cache URL: {url!r} (use memory://, redis:// or nothing)")


class _JsonSerializer(RedisSerializer):
    def dumps(self, value: Any, protocol: int = 0) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()

    def loads(self, value: bytes | None) -> Any:
        return None if value is None else json.loads(value)


class _JsonRedisCache(RedisCache):
    serializer = _JsonSerializer()


class _Tolerant:
    """A Redis cache whose failures are misses, and that rests after one."""

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache
        self.resting_until = 0.0

    def get(self, key: str) -> Any:
        return self._call("read", self.cache.get, key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._call("read", self.cache.get_many, *keys) or [None] * len(keys)

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        return bool(self._call("write", self.cache.set, key, value, timeout))

    def _call(self, what: str, method, *args) -> Any:
        from redis.exceptions import RedisError

        if time.monotonic() < self.resting_until:
            return None
        try:
            return method(*args)
        except RedisError as exc:
            self.resting_until = time.monotonic() + OUTAGE_SECONDS
            log.warning(
                "cache %s failed (%s); going without it for %d s", what, exc, OUTAGE_SECONDS
            )
        except ValueError:
            log.warning("cache %s: a value that is not ours (not JSON); ignored", what)
        return None
