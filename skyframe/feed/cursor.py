"""The feed's cursors: a FeedState, signed, bound to one viewer.

Anything a client did not get from us — edited, forged, from another viewer
or from an older cursor format — is an InvalidCursor (400).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skyframe import cursors
from skyframe.feed.blend import MAX_SERVED_AHEAD, PoolWalk
from skyframe.feed.selector import BLEND, DONE, RECYCLE, FeedState

VERSION = 1
PHASES = (BLEND, RECYCLE, DONE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(micros) -> datetime:
    if type(micros) is not int:
        raise TypeError("a time is an integer")
    return EPOCH + timedelta(microseconds=micros)


def _position(value: tuple[datetime, int] | None) -> list[int] | None:
    """A keyset position as two integers: microseconds since the epoch, id."""
    return None if value is None else [_micros(value[0]), value[1]]


def _read_position(value) -> tuple[datetime, int] | None:
    if value is None:
        return None
    micros, item_id = value
    if type(item_id) is not int:
        raise TypeError("an id is an integer")
    return _moment(micros), item_id


def _walk(walk: PoolWalk) -> list:
    return [_position(walk.after), [_position(p) for p in walk.served]]


def _read_walk(value) -> PoolWalk:
    after, served = value
    if len(served) > MAX_SERVED_AHEAD:
        raise ValueError("too many served positions")
    return PoolWalk(_read_position(after), tuple(_read_position(p) for p in served))


def encode(secret: str, viewer_id: int | None, state: FeedState) -> str:
    return cursors.dumps(
        secret,
        "feed",
        [
            VERSION,
            viewer_id,
            state.phase,
            _micros(state.as_of),
            _walk(state.prioritized),
            _walk(state.global_),
            _position(state.recycle_after),
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
            as_of=_moment(as_of),
            phase=phase,
            prioritized=_read_walk(prioritized),
            global_=_read_walk(global_),
            recycle_after=_read_position(recycle),
            served=served is True,
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise cursors.invalid() from exc
    if state.as_of > now:
        raise cursors.invalid()
    return state
