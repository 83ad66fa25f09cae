"""Opaque, signed pagination cursors.

A cursor is the keyset position of the last item served (a timestamp and an
id), signed with the app's secret: clients cannot forge or edit one, and a
cursor from another listing (different salt) is refused.
"""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from skyframe.exceptions import DomainError


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    status = 400


def encode(secret: str, listing: str, moment: datetime, item_id: int) -> str:
    return URLSafeSerializer(secret, salt=f"cursor:{listing}").dumps([moment.isoformat(), item_id])


def decode(secret: str, listing: str, cursor: str) -> tuple[datetime, int]:
    try:
        moment, item_id = URLSafeSerializer(secret, salt=f"cursor:{listing}").loads(cursor)
        return datetime.fromisoformat(moment), int(item_id)
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor(
            "That page cursor is not valid; start again from the first page."
        ) from exc
