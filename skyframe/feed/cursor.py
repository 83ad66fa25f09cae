"""The feed's cursors: a FeedState, signed, bound to one viewer.

Anything a client did not get from us — edited, forged, from another viewer
or from an older cursor format — is an InvalidCursor (400).
"""

from __future__ import annotations

from datetime import datetime

from skyframe import cursors
from skyframe.feed.blend import MAX_SERVED_AHEAD, PoolWalk
from skyframe.feed.positions import micros, moment, pack, unpack
from skyframe.feed.selector import BLEND, DONE, RECYCLE, FeedState

VERSION = 1
PHASES = (BLEND, RECYCLE, DONE)


def _walk(walk: PoolWalk) -> list:
    return [pack(walk.after), [pack(p) for p in walk.served]]


def _read_walk(value) -> PoolWalk:
    after, served = value
    if len(served) > MAX_SERVED_AHEAD:
        raise ValueError("too many served positions")
    return PoolWalk(unpack(after), tuple(unpack(p) for p in served))


def encode(secret: str, viewer_id: int | None, state: FeedState) -> str:
    return cursors.dumps(
        secret,
        "feed",
        [
            VERSION,
            viewer_id,
            state.phase,
            micros(state.as_of),
            _walk(state.prioritized),
            _walk(state.global_),
            pack(state.recycle_after),
            state.served,
        ],
    )


def decode(secret: str, viewer_id: int | None, cursor: str, now: datetime) -> FeedState:
    payload = cursors.loads(secret, "feed", cursor)
    try:
        version, owner, phase, as_of, prioritized, global_, recycle, served = payload
        if version != VERSION or owner != viewer_id or phase not in PHASES:
            raise ValueError("not this viewer's current cursor")
        state = FeedState(
            as_of=moment(as_of),
            phase=phase,
            prioritized=_read_walk(prioritized),
            global_=_read_walk(global_),
            recycle_after=unpack(recycle),
            served=served is True,
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise cursors.invalid() from exc
    if state.as_of > now:
        raise cursors.invalid()
    return state
