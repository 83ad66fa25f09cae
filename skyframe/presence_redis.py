"""Who is watching a topic, shared by every app server, in Redis.

One sorted set per topic: its members are the keys of open streams, each
scored by the moment it stops counting (now + ``ttl_seconds``, by Redis's
own clock so that servers whose clocks drift agree). A stream enters when
it opens and leaves when it closes; in between, the process keeps its streams counted: every
``refresh_seconds`` (a quarter of the ttl: 15 s) its subscriber thread
calls :meth:`refresh`, which pushes every open key's expiry on in one round
trip per topic (a stream calling :meth:`enter` again on its heartbeat does
the same for its own key). A server that crashed refreshes nothing, so its
viewers drop out of the count within ``ttl_seconds``. The set itself
expires with its newest key, so a topic nobody watches any more leaves
nothing behind.
"""

from __future__ import annotations

import threading
from typing import Any

# A stream not refreshed for this long no longer counts (three heartbeats).
PRESENCE_SECONDS = 60.0

# KEYS: the topic's set. ARGV: member ('' for none), ttl in ms, 'enter' |
# 'leave' | 'count'. Drops the expired keys, then adds or removes one,
# and answers how many are left.
_PRESENCE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if ARGV[3] == 'count' then
  return redis.call('ZCOUNT', KEYS[1], '(' .. ms, '+inf')
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if ARGV[3] == 'enter' then
  redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return redis.call('ZCARD', KEYS[1])
"""

# KEYS: the topic's set. ARGV: ttl in ms, then the members to keep counted.
_REFRESH = """
local now = redis.call('TIME')
local expires = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], expires, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #ARGV - 1
"""


class RedisPresence:
    """Viewer counts per topic under ``{prefix}:presence:``."""

    def __init__(self, client: Any, *, prefix: str, ttl_seconds: float = PRESENCE_SECONDS) -> None:
        self.client = client
        self.key_prefix = f"{prefix}:presence:"
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self.refresh_seconds = ttl_seconds / 4
        self._script = client.register_script(_PRESENCE)
        self._refresh = client.register_script(_REFRESH)
        self._lock = threading.Lock()
        self._open: dict[str, set[str]] = {}  # this process's streams, per topic

    def _call(self, topic: str, key: str, action: str) -> int:
        return int(self._script(keys=[self.key_prefix + topic], args=[key, self.ttl_ms, action]))

    def enter(self, topic: str, key: str) -> int:
        """Count ``key`` for ``ttl_seconds``, and keep it counted (refresh)."""
        with self._lock:
            self._open.setdefault(topic, set()).add(key)
        return self._call(topic, key, "enter")

    def leave(self, topic: str, key: str) -> int:
        with self._lock:
            keys = self._open.get(topic, set())
            keys.discard(key)
            if not keys:
                self._open.pop(topic, None)
        return self._call(topic, key, "leave")

    def watching(self) -> int:
        """How many streams of this process are counted."""
        with self._lock:
            return sum(len(keys) for keys in self._open.values())

    def refresh(self) -> None:
        """Push on the expiry of every key this process entered and has not
        left (one script per topic, in one round trip)."""
        with self._lock:
            opened = {topic: sorted(keys) for topic, keys in self._open.items()}
        if not opened:
            return
        pipeline = self.client.pipeline(transaction=False)
        for topic, keys in opened.items():
            self._refresh(
                keys=[self.key_prefix + topic], args=[self.ttl_ms, *keys], client=pipeline
            )
        pipeline.execute()

    def present(self, topic: str) -> int:
        return self._call(topic, "", "count")
