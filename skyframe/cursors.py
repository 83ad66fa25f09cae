"""Opaque, signed pagination cursors.

A cursor is the keyset position of the last item served (a timestamp and an
id), signed with the app's secret: clients cannot forge or edit one, and a
cursor from another listing (different salt) is refused.

MAX_LENGTH is both the longest cursor the API accepts (every listing's
``cursor`` parameter) and a bound every cursor the code writes stays under:
each listing's payload has a fixed shape, and tests pin its longest form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from skyframe.exceptions import DomainError

MAX_LENGTH = 500


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
