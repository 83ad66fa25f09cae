"""Search over JSON: the query, results and suggestions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import PAGE_SIZE_MAX, cursor_field
from skyframe.api.schemas.posts import CatalogueItem, PostOut, PostPage, UserRef
from skyframe.models.user import HANDLE_MAX_LENGTH


class SearchQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    q: str | None = Field(
        default=None,
        max_length=1000,
        description=(
            "Free text over title, object, tags and notes: all words must match; "
            '"quoted words" match as a phrase, -word excludes, and `or` accepts either '
            "part (it binds loosest: `a b or c` is a b, or c)."
        ),
    )
    observer: str | None = Field(
        default=None, max_length=1000, description="A handle (@ optional) or an observer name."
    )
    object: str | None = Field(
        default=None,
        max_length=1000,
        description="Any name the catalogue knows (M31, NGC 224, Andromeda Galaxy) or a name.",
    )
    category: str | None = Field(default=None, max_length=40, examples=["deep-sky"])
    tag: str | None = Field(default=None, max_length=100)
    observed_from: str | None = Field(
        default=None,
        alias="from",
        max_length=40,
        description="Observed on or after: YYYY-MM-DD (UTC day) or an ISO 8601 date and time.",
    )
    observed_to: str | None = Field(
        default=None,
        alias="to",
        max_length=40,
        description="Observed on or before: YYYY-MM-DD (the whole day) or a date and time.",
    )
    sort: str | None = Field(
        default=None,
        max_length=20,
        description=(
            "relevance (the default with q), observed (latest observation first: the "
            "default with from/to) or newest (upload time: the default otherwise)."
        ),
    )
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)


class SearchResults(PostPage):
    sort: str = Field(description="The order the results are in: relevance or newest.")
    object: CatalogueItem | None = Field(
        description="The catalogue object the object filter resolved to, if any."
    )


class PostList(BaseModel):
    items: list[PostOut]


class UserSuggestions(BaseModel):
    items: list[UserRef]


class HandleQuery(BaseModel):
    q: str = Field(
        default="",
        max_length=200,
        description=(
            "The start of a handle, any case (@ optional). Wildcards are literal; "
            f"more than {HANDLE_MAX_LENGTH} characters matches nothing."
        ),
    )
