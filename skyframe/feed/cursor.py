"""The feed's cursors: a FeedState, signed, bound to one viewer, and small.

A cursor never grows with the viewer's history. It carries the pass's moment,
its phase and each pool's walk position as varints (times relative to the
pass's moment), signed; the one part that can grow — each walk's candidates
served out of order (PoolWalk.served, up to MAX_SERVED_AHEAD per pool) — is
written inline while the cursor stays within MAX_LENGTH. Beyond that it is
kept in the feed cache, under the viewer's pass, and the cursor carries only
its digest and the deepest served position. Where it cannot be kept (no
cache) or is gone when the next page comes (expired, evicted, another
process's memory), the walk jumps to that deepest position: the posts it
skips without having shown them wait for the next pass, and nothing shown in
this pass is shown again.

Anything a client did not get from us — edited, forged, from another viewer
or from an older cursor format — is an InvalidCursor (400).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from itsdangerous import BadSignature, Signer

from skyframe import cursors
from skyframe.feed.ahead import Cache
from skyframe.feed.blend import MAX_SERVED_AHEAD, PoolWalk
from skyframe.feed.positions import Position, micros, moment
from skyframe.feed.selector import BLEND, DONE, RECYCLE, FeedState

VERSION = 2
PHASES = (BLEND, RECYCLE, DONE)
# The longest feed cursor encode() writes: well under what the API accepts,
# so a cursor fits in a URL a phone sends on a weak signal.
MAX_LENGTH = 300
assert MAX_LENGTH <= cursors.MAX_LENGTH
# How long served positions spilled to the cache are kept for the next page.
SPILL_SECONDS = 6 * 3600
DIGEST_BYTES = 8

INLINE, SPILLED = 0, 1


def _signer(secret: str) -> Signer:
    return Signer(secret, salt="cursor:feed")


# Varints -----------------------------------------------------------------------


def _varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varints are not negative")
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _zigzag(value: int) -> int:
    return value * 2 if value >= 0 else -value * 2 - 1


def _unzigzag(value: int) -> int:
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def varint(self) -> int:
        value = shift = 0
        while True:
            if self.at >= len(self.data) or shift > 63:
                raise ValueError("truncated varint")
            byte = self.data[self.at]
            self.at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    def signed(self) -> int:
        return _unzigzag(self.varint())

    def take(self, count: int) -> bytes:
        chunk = self.data[self.at : self.at + count]
        if len(chunk) != count:
            raise ValueError("truncated")
        self.at += count
        return chunk


# Positions are written relative to the pass's moment (a few bytes, not 16 digits).


def _position(base: int, position: Position | None) -> bytes:
    """None as 0; else the id + 1, then the time's offset from ``base``."""
    if position is None:
        return b"\x00"
    return _varint(position[1] + 1) + _varint(_zigzag(micros(position[0]) - base))


def _read_position(reader: _Reader, base: int) -> Position | None:
    item = reader.varint()
    if item == 0:
        return None
    return moment(base + reader.signed()), item - 1


def _served_bytes(walk: PoolWalk) -> bytes:
    """Newest first; each time relative to the one before it."""
    base = micros(walk.after[0]) if walk.after else 0
    out = bytearray(_varint(len(walk.served)))
    for at, post_id in walk.served:
        offset = micros(at)
        out += _varint(post_id) + _varint(_zigzag(base - offset))
        base = offset
    return bytes(out)


def _read_served(reader: _Reader, after: Position | None) -> tuple[Position, ...]:
    count = reader.varint()
    if count > MAX_SERVED_AHEAD:
        raise ValueError("too many served positions")
    base = micros(after[0]) if after else 0
    served = []
    for _ in range(count):
        post_id = reader.varint()
        base -= reader.signed()
        served.append((moment(base), post_id))
    return tuple(served)


# Walks ---------------------------------------------------------------------------


def _walk_bytes(base: int, walk: PoolWalk, digest: bytes | None) -> bytes:
    out = _position(base, walk.after)
    if digest is None:
        return out + _varint(INLINE) + _served_bytes(walk)
    return out + _varint(SPILLED) + _position(base, walk.served[-1]) + digest


def _read_walk(reader: _Reader, base: int) -> PoolWalk | _Spilled:
    after = _read_position(reader, base)
    mode = reader.varint()
    if mode == INLINE:
        served = _read_served(reader, after)
        _check_walk(after, served)
        return PoolWalk(after, served)
    if mode != SPILLED:
        raise ValueError("unknown walk mode")
    deepest = _read_position(reader, base)
    if deepest is None or (after is not None and deepest >= after):
        raise ValueError("a deepest position before the walk")
    return _Spilled(after, deepest, reader.take(DIGEST_BYTES))


@dataclass(frozen=True)
class _Spilled:
    """A walk whose served positions are in the cache."""

    after: Position | None
    deepest: Position
    digest: bytes

    def restore(self, viewer_id: int | None, packed: object) -> PoolWalk:
        """The walk from its spilled positions when they are the ones the
        cursor was written with; else the walk moved on to the deepest."""
        if not isinstance(packed, str):
            return PoolWalk(self.deepest)
        try:
            served = _read_served(_Reader(base64.b64decode(packed, validate=True)), self.after)
            _check_walk(self.after, served)
        except (ValueError, binascii.Error, OverflowError):
            return PoolWalk(self.deepest)
        walk = PoolWalk(self.after, served)
        if not served or served[-1] != self.deepest or _digest(viewer_id, walk) != self.digest:
            return PoolWalk(self.deepest)
        return walk


def _check_walk(after: Position | None, served: tuple[Position, ...]) -> None:
    if list(served) != sorted(set(served), reverse=True):
        raise ValueError("served positions out of order")
    if served and after is not None and served[0] >= after:
        raise ValueError("served positions at or before the walk")


def _digest(viewer_id: int | None, walk: PoolWalk) -> bytes:
    packed = _varint(viewer_id or 0) + _position(0, walk.after) + _served_bytes(walk)
    return hashlib.blake2b(packed, digest_size=DIGEST_BYTES).digest()


def spill_key(viewer_id: int | None, as_of: datetime) -> str:
    return f"feed-served:{VERSION}:{viewer_id or 0}:{micros(as_of)}"


# The cursor ----------------------------------------------------------------------


def _body(viewer_id: int | None, state: FeedState, digests: tuple) -> bytes:
    base = micros(state.as_of)
    flags = PHASES.index(state.phase) | (4 if state.served else 0)
    return b"".join(
        [
            _varint(VERSION),
            _varint(0 if viewer_id is None else viewer_id + 1),
            _varint(flags),
            _varint(base),
            _position(base, state.recycle_after),
            _walk_bytes(base, state.prioritized, digests[0]),
            _walk_bytes(base, state.global_, digests[1]),
        ]
    )


def _sign(secret: str, body: bytes) -> str:
    token = base64.urlsafe_b64encode(body).rstrip(b"=")
    return _signer(secret).sign(token).decode("ascii")


def _fits(cursor: str) -> bool:
    return len(cursor) <= MAX_LENGTH


def encode(secret: str, viewer_id: int | None, state: FeedState, cache: Cache | None = None) -> str:
    """The cursor for ``state``: at most MAX_LENGTH characters, whatever the
    state. Served positions that do not fit go to ``cache``; without one
    (or if it fails) the walks are shortened (see the module's docstring)."""
    cursor = _sign(secret, _body(viewer_id, state, (None, None)))
    if _fits(cursor):
        return cursor
    if cache is not None:
        spilled = _spill(cache, viewer_id, state)
        if spilled is not None:
            cursor = _sign(secret, _body(viewer_id, state, spilled))
            if _fits(cursor):
                return cursor
    for shorter in _shortened(state):
        cursor = _sign(secret, _body(viewer_id, shorter, (None, None)))
        if _fits(cursor):
            return cursor
    raise AssertionError("a feed state without served positions always fits")


def _spill(cache: Cache, viewer_id: int | None, state: FeedState) -> tuple | None:
    walks = (state.prioritized, state.global_)
    digests = tuple(_digest(viewer_id, walk) if walk.served else None for walk in walks)
    kept = [
        [digest.hex(), base64.b64encode(_served_bytes(walk)).decode("ascii")]
        for digest, walk in zip(digests, walks, strict=True)
        if digest is not None
    ]
    if not cache.set(spill_key(viewer_id, state.as_of), kept, SPILL_SECONDS):
        return None
    return digests


def _shortened(state: FeedState) -> Iterator[FeedState]:
    """The state with ever fewer served positions: each step moves the walk
    with more of them on to its newest served position (the candidates it
    passes without having shown them wait for the next pass)."""
    while state.prioritized.served or state.global_.served:
        if len(state.prioritized.served) >= len(state.global_.served):
            state = replace(state, prioritized=_jump_one(state.prioritized))
        else:
            state = replace(state, global_=_jump_one(state.global_))
        yield state


def _jump_one(walk: PoolWalk) -> PoolWalk:
    newest, *older = walk.served
    return PoolWalk(newest, tuple(older))


def decode(
    secret: str,
    viewer_id: int | None,
    cursor: str,
    now: datetime,
    cache: Cache | None = None,
) -> FeedState:
    if len(cursor) > cursors.MAX_LENGTH:
        raise cursors.invalid()
    try:
        token = _signer(secret).unsign(cursor)
        body = base64.urlsafe_b64decode(token + b"=" * (-len(token) % 4))
    except (BadSignature, binascii.Error, ValueError) as exc:
        raise cursors.invalid() from exc
    try:
        reader = _Reader(body)
        version, owner, flags, base = (reader.varint() for _ in range(4))
        owner_id = owner - 1 if owner else None
        if version != VERSION or owner_id != viewer_id or flags & 3 > 2 or flags > 7:
            raise ValueError("not this viewer's current cursor")
        as_of = moment(base)
        recycle_after = _read_position(reader, base)
        walks = [_read_walk(reader, base) for _ in range(2)]
        if reader.at != len(body):
            raise ValueError("trailing bytes")
    except (ValueError, TypeError, OverflowError) as exc:
        raise cursors.invalid() from exc
    if as_of > now:
        raise cursors.invalid()
    if any(isinstance(walk, _Spilled) for walk in walks):
        walks = _unspill(cache, viewer_id, as_of, walks)
    return FeedState(
        as_of=as_of,
        phase=PHASES[flags & 3],
        prioritized=walks[0],
        global_=walks[1],
        recycle_after=recycle_after,
        served=bool(flags & 4),
    )


def _unspill(cache: Cache | None, viewer_id: int | None, as_of: datetime, walks: list):
    value = cache.get(spill_key(viewer_id, as_of)) if cache is not None else None
    kept = {}
    if isinstance(value, list):
        kept = {
            entry[0]: entry[1]
            for entry in value
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
        }
    return [
        walk.restore(viewer_id, kept.get(walk.digest.hex())) if isinstance(walk, _Spilled) else walk
        for walk in walks
    ]
