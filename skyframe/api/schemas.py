"""Payloads of the JSON API, declared once: they validate requests and
responses and describe both in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from spectree.model_adapter.pydantic_adapter import BaseFile

from skyframe import cursors
from skyframe.accounts.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from skyframe.accounts.users import HANDLE_PATTERN
from skyframe.models.user import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH, HANDLE_MAX_LENGTH
from skyframe.validation import ErrorResponse
from skyframe.web.urls import avatar_url

__all__ = ["ErrorResponse"]

# Every string is capped here against abuse; the precise rules (and their
# messages) live in skyframe.accounts so that forms, API and CLI share them.
_TEXT_CAP = 1000


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=_TEXT_CAP)

    @field_validator("*", mode="after")
    @classmethod
    def no_nul_characters(cls, value):
        # Databases refuse NUL in text (PostgreSQL raises); no field needs one.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


def _documented(**constraints) -> dict:
    """Constraints shown in the OpenAPI document; skyframe.accounts enforces
    them with messages written for people."""
    return {"json_schema_extra": constraints}


class RegisterRequest(Payload):
    email: str = Field(
        examples=["vega@example.org"],
        **_documented(format="email", maxLength=EMAIL_MAX_LENGTH),
    )
    handle: str = Field(
        description="Letters A–Z, digits or underscores; unique whatever the case.",
        **_documented(pattern=f"^{HANDLE_PATTERN.pattern}$", maxLength=HANDLE_MAX_LENGTH),
    )
    display_name: str = Field(
        description="Spaces at the ends are trimmed.",
        **_documented(minLength=1, maxLength=DISPLAY_NAME_MAX_LENGTH),
    )
    password: str = Field(
        description=("Needs an upper-case letter, a lower-case letter, a digit and a symbol."),
        **_documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class LoginRequest(Payload):
    login: str = Field(
        description="E-mail address or handle.", **_documented(maxLength=EMAIL_MAX_LENGTH)
    )
    password: str = Field(**_documented(maxLength=PASSWORD_MAX_LENGTH))
    remember: bool = Field(default=False, description="Keep the session for 30 days.")


class PublicUser(BaseModel):
    id: int
    handle: str
    display_name: str
    bio: str
    role: str
    created_at: datetime


class Me(PublicUser):
    email: str
    last_login: datetime | None
    avatar_url: str
    gravatar: bool = Field(
        description="Show the Gravatar of the e-mail address when no avatar is uploaded."
    )


class ProfileEdit(Payload):
    display_name: str | None = Field(default=None, **_documented(minLength=1, maxLength=50))
    bio: str | None = Field(default=None, **_documented(maxLength=300))
    gravatar: StrictBool | None = None


class AvatarUpload(BaseModel):
    file: BaseFile = Field(description="JPEG, PNG or WebP; cropped to a 256 px square.")


class AuthResult(BaseModel):
    user: Me
    csrf_token: str = Field(description="The new session's CSRF token for X-CSRFToken.")


class CsrfToken(BaseModel):
    csrf_token: str


class MotdItem(BaseModel):
    id: int
    title: str
    body: str
    published_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None


class MotdList(BaseModel):
    items: list[MotdItem]


def me_payload(user) -> Me:
    return Me(
        id=user.id,
        handle=user.handle,
        display_name=user.display_name,
        bio=user.bio,
        role=user.role,
        created_at=user.created_at,
        email=user.email,
        last_login=user.last_login,
        avatar_url=avatar_url(user),
        gravatar=user.gravatar,
    )


# Posts -----------------------------------------------------------------------

_POST_TEXT_CAP = 6000  # notes may be 5000 characters


class PostFields(Payload):
    """The metadata fields of a post, as strings (multipart form or JSON)."""

    model_config = ConfigDict(extra="ignore", str_max_length=_POST_TEXT_CAP)

    title: str | None = Field(default=None, **_documented(maxLength=120))
    object: str | None = Field(
        default=None,
        description='What was photographed, e.g. "M31", "NGC 7000", "Jupiter". '
        "Catalogue names are resolved (OpenNGC); others are kept as typed.",
        **_documented(maxLength=120),
    )
    category: str | None = Field(
        default=None,
        description="One of deep-sky, planetary, lunar, solar, nightscape, comet, meteor,"
        " aurora, other.",
    )
    observer: str | None = Field(
        default=None,
        description="Defaults to the uploader's display name.",
        **_documented(maxLength=80),
    )
    observed_at: str | None = Field(
        default=None,
        description="ISO 8601; defaults to the file's capture time. Not in the future.",
        **_documented(format="date-time"),
    )
    telescope: str | None = Field(default=None, **_documented(maxLength=120))
    camera: str | None = Field(default=None, **_documented(maxLength=120))
    mount: str | None = Field(default=None, **_documented(maxLength=120))
    filters: str | None = Field(default=None, **_documented(maxLength=120))
    exposure_seconds: str | None = Field(
        default=None, description="Length of one sub-exposure in seconds."
    )
    exposure_count: str | None = Field(default=None, description="Number of sub-exposures.")
    integration_seconds: str | None = Field(
        default=None, description="Total integration; defaults to length × count."
    )
    gain: str | None = Field(default=None, description='e.g. "ISO 800" or "Gain 120".')
    bortle: str | None = Field(default=None, description="Sky darkness, 1 to 9.")
    notes: str | None = Field(default=None, **_documented(maxLength=5000))
    tags: str | None = Field(
        default=None, description='Comma-separated, e.g. "nebula, ha, narrowband".'
    )


class PostUpload(PostFields):
    file: BaseFile = Field(
        description="JPEG, PNG, WebP, TIFF (8 or 16 bit) or FITS, up to UPLOAD_MAX_BYTES."
    )
    title: str = Field(**_documented(minLength=1, maxLength=120))
    category: str = Field(
        **_documented(
            enum=[
                "deep-sky",
                "planetary",
                "lunar",
                "solar",
                "nightscape",
                "comet",
                "meteor",
                "aurora",
                "other",
            ]
        ),
    )


class PostEdit(PostFields):
    """Fields to change; an empty string clears an optional field."""

    tags: str | list[str] | None = Field(
        default=None, description="A list, or one comma-separated string. [] clears the tags."
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


class PostOut(BaseModel):
    id: int
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
    owner: UserRef
    created_at: datetime
    updated_at: datetime
    media: PostImage | None = Field(description="null until the post is processed.")
    like_count: int
    favorite_count: int
    comment_count: int
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


# Interactions -----------------------------------------------------------------


class LikeState(BaseModel):
    liked: bool
    like_count: int


class FavoriteState(BaseModel):
    favorited: bool
    favorite_count: int


class FollowState(BaseModel):
    following: bool
    follower_count: int
    following_count: int = Field(description="How many people the followed user follows.")


PAGE_SIZE_MAX = 50


def cursor_field():
    """Every listing's ?cursor=: one length limit, the one cursors stay under.

    The limit is documented here and enforced by cursors.loads, so a cursor
    too long and a forged one get the same answer: 400 invalid_cursor."""
    return Field(
        default=None,
        description="next_cursor from the previous page.",
        json_schema_extra={"maxLength": cursors.MAX_LENGTH},
    )


class PageQuery(BaseModel):
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)


class PostPage(BaseModel):
    """One page of a cursor-paginated listing."""

    items: list[PostOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
    has_more: bool


# Feed -------------------------------------------------------------------------

ID_MAX = 2**31 - 1


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


# Comments -----------------------------------------------------------------------

_COMMENT_CAP = 10_000  # the 2,000-character rule (and its message) is skyframe.comments'


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=_COMMENT_CAP, description="Up to 2,000 characters.")
    reply_to: Annotated[int, Field(ge=1, le=ID_MAX, strict=True)] | None = Field(
        default=None, description="The id of the comment (on the same post) this answers."
    )


class CommentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=_COMMENT_CAP)


class CommentRef(BaseModel):
    id: int
    author: UserRef


class CommentOut(BaseModel):
    id: int
    post_id: int
    author: UserRef
    body: str
    reply_to: CommentRef | None
    like_count: int
    liked: bool | None = Field(description="Whether the viewer likes it (null when signed out).")
    created_at: datetime
    edited_at: datetime | None
    can_edit: bool
    can_delete: bool


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None
    has_more: bool


class CommentLikeState(BaseModel):
    liked: bool
    like_count: int


# Notifications ------------------------------------------------------------------


class NotificationOut(BaseModel):
    id: int
    kind: str = Field(description="follow, like, comment or reply")
    actor: UserRef | None
    post_id: int | None
    comment_id: int | None
    message: str
    url: str | None = Field(description="Where the notification leads.")
    created_at: datetime
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    has_more: bool
    unread_count: int


class NotificationsRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[int, Field(ge=1, le=ID_MAX, strict=True)]] | None = Field(
        default=None, max_length=100, description="Which to mark read; omit for all."
    )


class UnreadCount(BaseModel):
    unread_count: int


# Search -----------------------------------------------------------------------


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


# Passwords and login sessions ---------------------------------------------------

_POLICY_DESCRIPTION = (
    "At least 10 characters with upper- and lower-case letters, a digit and a symbol; "
    "not a common password, and not containing the handle or the e-mail's name part."
)


class PasswordChange(Payload):
    current_password: str = Field(**_documented(maxLength=PASSWORD_MAX_LENGTH))
    new_password: str = Field(
        description=_POLICY_DESCRIPTION,
        **_documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class PasswordResetRequest(Payload):
    email: str = Field(
        examples=["vega@example.org"],
        **_documented(format="email", maxLength=EMAIL_MAX_LENGTH),
    )


class PasswordResetConfirm(Payload):
    token: str = Field(
        description="The token from the e-mailed link (…/reset-password/<token>).",
        **_documented(maxLength=128),
    )
    new_password: str = Field(
        description=_POLICY_DESCRIPTION,
        **_documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class LoginSessionOut(BaseModel):
    id: str = Field(description="Revoke it with DELETE /api/v1/me/sessions/{id}.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="To within five minutes.")
    client_address: str | None = Field(
        description="The address it signed in from (IPv6: its /64): an approximate place."
    )
    user_agent: str | None
    remember: bool = Field(description='Signed in with "keep me signed in".')
    current: bool = Field(description="The session this request was made with.")


class LoginSessionList(BaseModel):
    items: list[LoginSessionOut]


class SessionsRevoked(BaseModel):
    revoked: int = Field(description="How many sessions were ended.")
