"""Live observing sessions over JSON: sessions, their frames, their events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from spectree.model_adapter.pydantic_adapter import BaseFile

from skyframe.api.schemas.common import ID_MAX, Payload, documented
from skyframe.api.schemas.posts import CATEGORY_NAMES, CatalogueRef, PostFields, UserRef
from skyframe.models.live import LIVE_OBJECT_MAX_LENGTH, LIVE_TITLE_MAX_LENGTH


class LiveStart(Payload):
    """Go live: the rules (and messages) are skyframe.live.sessions'."""

    model_config = ConfigDict(extra="forbid", str_max_length=1000)

    title: str = Field(**documented(minLength=1, maxLength=LIVE_TITLE_MAX_LENGTH))
    object: str | None = Field(
        default=None,
        description='The target, e.g. "M42", "Jupiter": catalogue names are resolved (OpenNGC).',
        **documented(maxLength=LIVE_OBJECT_MAX_LENGTH),
    )


class FrameRendition(BaseModel):
    url: str
    content_type: str


class FrameOut(BaseModel):
    id: int
    session_id: int
    created_at: datetime
    width: int = Field(description="The frame's full size in pixels.")
    height: int
    placeholder_color: str | None
    display: list[FrameRendition] = Field(description="Up to 1600 px: WebP, then JPEG.")
    thumb: list[FrameRendition] = Field(description="Up to 320 px: WebP, then JPEG.")
    taken_down: bool = Field(description="Only its owner and staff see a taken-down frame.")


class SessionOut(BaseModel):
    id: int
    owner: UserRef
    title: str
    object: CatalogueRef | None = Field(description="The target, as the catalogue resolved it.")
    status: str = Field(json_schema_extra={"enum": ["live", "ended"]})
    started_at: datetime
    ended_at: datetime | None
    frame_count: int = Field(description="Frames pushed to the session (kept or not).")
    viewer_count: int = Field(description="Pages watching it now (roughly, across servers).")
    latest_frame: FrameOut | None


class SessionEnvelope(BaseModel):
    session: SessionOut


class FrameQuery(BaseModel):
    after: int | None = Field(
        default=None,
        ge=0,
        le=ID_MAX,
        description="A frame id: the frames after it, oldest first. Without it: the newest.",
    )
    limit: int = Field(default=20, ge=1, le=100)


class FramePage(BaseModel):
    items: list[FrameOut] = Field(description="Oldest first.")
    status: str = Field(
        description="The session's status, so a polling page sees it end.",
        json_schema_extra={"enum": ["live", "ended"]},
    )
    viewer_count: int


class FrameUpload(Payload):
    file: BaseFile = Field(
        description="JPEG, PNG, WebP, TIFF (8 or 16 bit) or FITS, up to UPLOAD_MAX_BYTES; "
        "checked and stripped of embedded metadata as post uploads are."
    )


class FramePublish(PostFields):
    """The post fields (as an upload takes them); title and object default
    to the session's."""

    category: str = Field(**documented(enum=CATEGORY_NAMES))
