"""Live sessions and their frames over JSON (issue #21's contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from skyframe.api.schemas.posts import UserRef


class LiveFrameOut(BaseModel):
    id: int
    session_id: int
    created_at: datetime
    width: int
    height: int
    placeholder_color: str | None
    url: str = Field(description="The display rendition (JPEG, long edge up to 1600 px).")
    webp_url: str
    thumb_url: str = Field(description="The strip's thumbnail (JPEG, long edge up to 320 px).")
    thumb_webp_url: str


class LiveSessionOut(BaseModel):
    id: int
    owner: UserRef
    title: str
    object: str | None = Field(description="The target as the catalogue names it, if any.")
    status: Literal["live", "ended"]
    started_at: datetime
    ended_at: datetime | None
    frame_count: int
    viewer_count: int
    latest_frame: LiveFrameOut | None


class LiveSessionEnvelope(BaseModel):
    session: LiveSessionOut
