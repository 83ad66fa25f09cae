"""Opaque, signed pagination cursors.

A cursor is the keyset position of the last item served (a timestamp and an
id), signed with the app's secret: clients cannot forge or edit one, and a
cursor from another listing (different salt) is refused.

MAX_LENGTH is both the longest cursor the API accepts (every listing's
``cursor`` parameter) and a bound every cursor the code writes stays under:
each listing's payload has a fixed shape, and tests pin its longest form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer

from skyframe.exceptions import DomainError

MAX_LENGTH = 500

Row = TypeVar("Row")
Position = tuple[datetime, int]


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    status = 400


def dumps(secret: str, listing: str, payload: Any) -> str:
    """Sign any JSON-able ``payload`` as a cursor of ``listing``."""
    cursor = URLSafeSerializer(secret, salt=f"cursor:{listing}").dumps(payload)
    if len(cursor) > MAX_LENGTH:
        raise ValueError(f"a {listing} cursor of {len(cursor)} characters")
    return cursor


def loads(secret: str, listing: str, cursor: str) -> Any:
    if len(cursor) > MAX_LENGTH:
        raise invalid()
    try:
        return URLSafeSerializer(secret, salt=f"cursor:{listing}").loads(cursor)
    except BadSignature as exc:
        raise invalid() from exc


def invalid() -> InvalidCursor:
    return InvalidCursor("That page cursor is not valid; start again from the first page.")


def encode(secret: str, listing: str, moment: datetime, item_id: int) -> str:
    return dumps(secret, listing, [moment.isoformat(), item_id])


def decode(secret: str, listing: str, cursor: str) -> tuple[datetime, int]:
    try:
        moment, item_id = loads(secret, listing, cursor)
        return datetime.fromisoformat(moment), int(item_id)
    except (ValueError, TypeError) as exc:
        raise invalid() from exc


@dataclass(frozen=True)
class KeysetPage(Generic[Row]):
    items: list[Row]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def _created(row: Any) -> Position:
    return row.created_at, row.id


def keyset_page(
    secret: str,
    listing: str,
    cursor: str | None,
    limit: int,
    fetch: Callable[[Position | None], Sequence[Row]],
    position: Callable[[Row], Position] = _created,
) -> KeysetPage[Row]:
    """One page of a listing in keyset order, the same way for every listing.

    ``fetch(after)`` returns up to ``limit + 1`` rows following the position
    in ``cursor`` (``after`` is None on the first page); the extra row says
    whether more follow, and the last row shown is the next cursor's
    position (``position(row)``, by default its created_at and id). A cursor
    that is forged, from another listing or too long is InvalidCursor (400).
    """
    after = decode(secret, listing, cursor) if cursor else None
    rows = list(fetch(after))
    items = rows[:limit]
    next_cursor = encode(secret, listing, *position(items[-1])) if len(rows) > limit else None
    return KeysetPage(items, next_cursor)
