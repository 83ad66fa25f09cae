"""Collections over JSON: named, ordered lists of posts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX, TEXT_CAP, cursor_field
from skyframe.api.schemas.posts import UserRef

PostId = Annotated[int, Field(ge=1, le=ID_MAX, strict=True)]
# The rules (and their messages) are skyframe.social.collections'; these caps
# only keep payloads small.
_TITLE_CAP = 400
_DESCRIPTION_CAP = 5 * TEXT_CAP


class CollectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=_TITLE_CAP, description="Up to 80 characters.")
    description: str = Field(
        default="", max_length=_DESCRIPTION_CAP, description="Up to 1,000 characters."
    )
    public: bool = Field(default=True, description="Private collections are 404 to others.")


class CollectionEdit(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=_TITLE_CAP)
    description: str | None = Field(default=None, max_length=_DESCRIPTION_CAP)
    public: bool | None = None


class CollectionOut(BaseModel):
    id: int
    owner: UserRef
    title: str
    description: str
    public: bool
    item_count: int = Field(description="How many posts it lists (taken-down ones left out).")
    url: str = Field(description="Its page, to swipe through.")
    items_url: str
    can_edit: bool
    created_at: datetime
    updated_at: datetime


class CollectionPage(BaseModel):
    items: list[CollectionOut]
    next_cursor: str | None
    has_more: bool


class CollectionsQuery(BaseModel):
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=50)
    post_id: int | None = Field(
        default=None,
        ge=1,
        le=ID_MAX,
        description="Also tell, in `holds`, which collections hold this post.",
    )


class CollectionListPage(CollectionPage):
    holds: list[int] | None = Field(
        default=None, description="With ?post_id=: the ids of these collections that hold it."
    )


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: PostId
    before: PostId | None = Field(
        default=None, description="Insert just ahead of this post (absent or null: at the end)."
    )


class ItemMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    before: PostId | None = Field(
        default=None, description="Move just ahead of this post (absent or null: to the end)."
    )


class ItemOut(BaseModel):
    collection_id: int
    post_id: int
    added_at: datetime
