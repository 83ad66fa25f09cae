"""Posts over JSON: uploads, edits, renditions, catalogue objects."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from spectree.model_adapter.pydantic_adapter import BaseFile

from skyframe.api.schemas.common import Payload, documented
from skyframe.models.post import Category

_POST_TEXT_CAP = 6000  # notes may be 5000 characters

# The categories an upload names, in the order the upload form lists them.
CATEGORY_NAMES = [category.value for category in Category]


class PostFields(Payload):
    """The metadata fields of a post, as strings (multipart form or JSON)."""

    model_config = ConfigDict(extra="ignore", str_max_length=_POST_TEXT_CAP)

    title: str | None = Field(default=None, **documented(maxLength=120))
    object: str | None = Field(
        default=None,
        description='What was photographed, e.g. "M31", "NGC 7000", "Jupiter". '
        "Catalogue names are resolved (OpenNGC); others are kept as typed.",
        **documented(maxLength=120),
    )
    category: str | None = Field(
        default=None,
        description="One of deep-sky, planetary, lunar, solar, nightscape, comet, meteor,"
        " aurora, other.",
    )
    observer: str | None = Field(
        default=None,
        description="Defaults to the uploader's display name.",
        **documented(maxLength=80),
    )
    observed_at: str | None = Field(
        default=None,
        description="ISO 8601; defaults to the file's capture time. Not in the future.",
        **documented(format="date-time"),
    )
    telescope: str | None = Field(default=None, **documented(maxLength=120))
    camera: str | None = Field(default=None, **documented(maxLength=120))
    mount: str | None = Field(default=None, **documented(maxLength=120))
    filters: str | None = Field(default=None, **documented(maxLength=120))
    exposure_seconds: str | None = Field(
        default=None, description="Length of one sub-exposure in seconds."
    )
    exposure_count: str | None = Field(default=None, description="Number of sub-exposures.")
    integration_seconds: str | None = Field(
        default=None, description="Total integration; defaults to length × count."
    )
    gain: str | None = Field(default=None, description='e.g. "ISO 800" or "Gain 120".')
    bortle: str | None = Field(default=None, description="Sky darkness, 1 to 9.")
    notes: str | None = Field(default=None, **documented(maxLength=5000))
    tags: str | None = Field(
        default=None, description='Comma-separated, e.g. "nebula, ha, narrowband".'
    )
    labels: str | list[str] | None = Field(
        default=None,
        description="Warning labels (flashing, processed, sensitive, ai_generated): the field "
        'repeated, or comma-separated ("flashing, processed").',
    )


class PostUpload(PostFields):
    file: BaseFile = Field(
        description="JPEG, PNG, WebP, TIFF (8 or 16 bit) or FITS, up to UPLOAD_MAX_BYTES; "
        "or a clip: MP4, MOV, WebM or Matroska, up to VIDEO_MAX_BYTES and "
        "VIDEO_MAX_SECONDS (202: transcoded by a job, status processing)."
    )
    title: str = Field(**documented(minLength=1, maxLength=120))
    category: str = Field(**documented(enum=CATEGORY_NAMES))


class PostEdit(PostFields):
    """Fields to change; an empty string clears an optional field."""

    tags: str | list[str] | None = Field(
        default=None, description="A list, or one comma-separated string. [] clears the tags."
    )
    labels: str | list[str] | None = Field(
        default=None,
        description="Warning labels (flashing, processed, sensitive, ai_generated) as a list, "
        "or one comma-separated string. [] clears them.",
    )


class Rendition(BaseModel):
    url: str
    content_type: str
    width: int
    height: int
    bytes: int


class PostImage(BaseModel):
    width: int | None
    height: int | None
    placeholder: dict[str, str | None]
    display: list[Rendition] = Field(description="WebP first, then the JPEG fallback.")
    thumb: list[Rendition]
    original: Rendition | None = Field(
        default=None,
        description="The full-size original: only in a post's own answer (GET, POST and "
        "PATCH /posts/{post_id}); null in every listing (use download_url there).",
    )


class PostVideo(BaseModel):
    """A clip: the transcoded MP4 (H.264/AAC, served with byte ranges) and its poster."""

    url: str = Field(description="The MP4 (video/mp4); answers Range requests.")
    poster_url: str | None = Field(description="The poster frame at display size (JPEG).")
    duration_s: float
    width: int
    height: int
    has_audio: bool


class CatalogueRef(BaseModel):
    id: str | None = Field(description="OpenNGC designation, or null when not in the catalogue.")
    name: str | None = Field(description="The object as the uploader typed it.")
    common_name: str | None
    type: str | None
    constellation: str | None


class UserRef(BaseModel):
    handle: str
    display_name: str
    avatar_url: str | None


class Equipment(BaseModel):
    telescope: str | None
    camera: str | None
    mount: str | None
    filters: str | None


class Exposure(BaseModel):
    sub_seconds: float | None
    count: int | None
    integration_seconds: float | None
    gain: str | None
    bortle: int | None


class TakeDownNotice(BaseModel):
    reason: str
    at: datetime


class PostOut(BaseModel):
    id: int
    kind: str = Field(
        default="image",
        description="image or video. A clip's media are its poster frame's renditions.",
    )
    status: str = Field(description="processing, ready or failed")
    failure_reason: str | None = Field(description="Why processing failed (owner and staff).")
    title: str
    object: CatalogueRef | None
    category: str
    observer: str
    observed_at: datetime | None
    equipment: Equipment
    exposure: Exposure
    notes: str
    tags: list[str]
    labels: list[str] = Field(
        description="Warning labels (flashing, processed, sensitive, ai_generated): "
        "shown behind a cover naming them."
    )
    take_down: TakeDownNotice | None = Field(
        description="Why a moderator removed it, while it is taken down (owner and staff; "
        "null for everyone else)."
    )
    owner: UserRef
    created_at: datetime
    updated_at: datetime
    media: PostImage | None = Field(description="null until the post is processed.")
    video: PostVideo | None = Field(
        default=None, description="A clip's video, once processed (null for images)."
    )
    like_count: int
    favorite_count: int
    comment_count: int
    view_count: int = Field(
        description="Views, once per viewer per 24 hours (updated every VIEW_FLUSH_SECONDS)."
    )
    liked: bool | None = Field(description="Whether the viewer likes it (null when signed out).")
    favorited: bool | None = Field(
        description="Whether the viewer saved it (null when signed out)."
    )
    following: bool | None = Field(
        description="Whether the viewer follows its uploader (null when signed out)."
    )
    url: str
    download_url: str | None


class CatalogueItem(BaseModel):
    id: str
    name: str
    common_name: str | None
    type: str
    constellation: str | None
    aliases: list[str]


class CatalogueSuggestions(BaseModel):
    items: list[CatalogueItem]


class SuggestQuery(BaseModel):
    q: str = Field(default="", max_length=200)


class PostPage(BaseModel):
    """One page of a cursor-paginated listing."""

    items: list[PostOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
    has_more: bool
