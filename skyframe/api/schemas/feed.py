"""The feed over JSON: its query and the impressions a client reports."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX, PAGE_SIZE_MAX, cursor_field


class FeedQuery(BaseModel):
    cursor: str | None = cursor_field()
    limit: int | None = Field(
        default=None, ge=1, le=PAGE_SIZE_MAX, description="Page size (default FEED_PAGE_SIZE)."
    )


class SeenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_ids: list[Annotated[int, Field(ge=1, le=ID_MAX, strict=True)]] = Field(
        min_length=1,
        max_length=100,
        description="Posts that were at least half on screen for a second.",
    )


class SeenOut(BaseModel):
    recorded: int = Field(description="How many of them are visible posts now marked seen.")
