"""Following live over JSON: the live strip of the Following page."""

from __future__ import annotations

from pydantic import BaseModel, Field

from skyframe.api.schemas.live import SessionOut


class LiveFollowingItem(BaseModel):
    session: SessionOut
    channel: str = Field(description="The live channel's handle.")
    hosted_by: str | None = Field(
        description="The followed host promoting this channel; null: followed directly."
    )


class LiveFollowingPage(BaseModel):
    items: list[LiveFollowingItem] = Field(
        description=(
            "Followed channels live now, then channels followed hosts host "
            "(at most 50; the counts are exact)."
        )
    )
    live_count: int = Field(description="Followed channels live now (the red badge).")
    hosted_count: int = Field(
        description="Channels hosted by followed hosts, not followed directly (the blue badge)."
    )
