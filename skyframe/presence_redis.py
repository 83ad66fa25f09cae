"""Who is watching a topic, shared by every app server, in Redis.

One sorted set per topic: its members are the keys of open streams, each
scored by the moment it stops counting (now + ``ttl_seconds``, by Redis's
own clock so that servers whose clocks drift agree). A stream that is still
open calls :meth:`RedisPresence.enter` again with its key on every
heartbeat (every 15 s, well within the default 60 s), which pushes its
expiry on; a closed stream :meth:`leave`\\ s. A stream whose server crashed
never leaves, so its key simply stops being refreshed and drops out of the
count within ``ttl_seconds``. The set itself expires with its newest key,
so a topic nobody watches any more leaves nothing behind.
"""

from __future__ import annotations

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


class RedisPresence:
    """Viewer counts per topic under ``{prefix}:presence:``."""

    def __init__(self, client: Any, *, prefix: str, ttl_seconds: float = PRESENCE_SECONDS) -> None:
        self.client = client
        self.key_prefix = f"{prefix}:presence:"
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self._script = client.register_script(_PRESENCE)

    def _call(self, topic: str, key: str, action: str) -> int:
        return int(self._script(keys=[self.key_prefix + topic], args=[key, self.ttl_ms, action]))

    def enter(self, topic: str, key: str) -> int:
        """Count ``key`` for another ``ttl_seconds`` (call again to refresh)."""
        return self._call(topic, key, "enter")

    def leave(self, topic: str, key: str) -> int:
        return self._call(topic, key, "leave")

    def present(self, topic: str) -> int:
        return self._call(topic, "", "count")
