"""Blocks over JSON: blocking, unblocking, the list of blocked accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field, field_validator

from skyframe.api.schemas.common import Payload
from skyframe.api.schemas.posts import UserRef


class BlockIn(Payload):
    until: datetime | None = Field(
        default=None,
        description=(
            "ISO 8601 moment the block ends (a timeout); in the future. Without a time "
            "zone it is UTC. Leave it out for a block without end."
        ),
    )

    @field_validator("until", mode="after")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class BlockState(BaseModel):
    blocked: bool
    until: datetime | None = Field(description="When the block ends; null: no end (or none).")


class BlockOut(BaseModel):
    user: UserRef
    created_at: datetime
    until: datetime | None


class BlockPage(BaseModel):
    items: list[BlockOut]
    next_cursor: str | None
    has_more: bool
