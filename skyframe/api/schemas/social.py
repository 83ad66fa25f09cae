"""Likes, saves, follows, comments and notifications over JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX
from skyframe.api.schemas.posts import UserRef


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


class NotificationOut(BaseModel):
    id: int
    kind: str = Field(
        description="follow, like, comment, reply, live (a followed user went live); "
        "or a notice of moderation: "
        "report_handled, take_down, restored, strike, strike_resolved, suspended, "
        "unsuspended, warning, appeal_decided; or of support: ticket_reply, "
        "ticket_assigned, ticket_escalated, ticket_closed"
    )
    actor: UserRef | None = Field(description="Who did it; null for moderation notices.")
    post_id: int | None
    comment_id: int | None
    message: str
    reason: str | None = Field(
        default=None,
        description="A moderation notice's words: a take-down's reason, a strike's "
        "take-downs or its resolution note, a suspension's reason, a warning's text, "
        "an appeal's decision note.",
    )
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
