"""Messages of the day over JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class MotdItem(BaseModel):
    id: int
    title: str
    body: str
    published_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None


class MotdList(BaseModel):
    items: list[MotdItem]
