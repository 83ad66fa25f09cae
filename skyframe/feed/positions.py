"""Keyset positions as plain integers, for cursors and kept candidates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

Position = tuple[datetime, int]  # (upload time, post id), or (seen time, post id)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def moment(value: int) -> datetime:
    if type(value) is not int:
        raise TypeError("a time is an integer")
    return EPOCH + timedelta(microseconds=value)


def pack(position: Position | None) -> list[int] | None:
    """A position as two integers: microseconds since the epoch, id."""
    return None if position is None else [micros(position[0]), position[1]]


def unpack(value) -> Position | None:
    if value is None:
        return None
    at, item_id = value
    if type(item_id) is not int:
        raise TypeError("an id is an integer")
    return moment(at), item_id
