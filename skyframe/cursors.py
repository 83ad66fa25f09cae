"""Opaque, signed pagination cursors.

A cursor is the keyset position of the last item served (a timestamp and an
id), signed with the app's secret: clients cannot forge or edit one, and a
cursor from another listing (different salt) is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from skyframe.exceptions import DomainError


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    status = 400


def dumps(secret: str, listing: str, payload: Any) -> str:
    """Sign any JSON-able ``payload`` as a cursor of ``listing``."""
    return URLSafeSerializer(secret, salt=f"cursor:{listing}").dumps(payload)


def loads(secret: str, listing: str, cursor: str) -> Any:
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
