"""Appeals over JSON: an owner's appeal of a take-down or a strike, and a
manager's decision."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX, PAGE_SIZE_MAX, cursor_field
from skyframe.api.schemas.posts import UserRef
from skyframe.models.appeal import APPEAL_TEXT_MAX_LENGTH
from skyframe.models.moderation import REASON_MAX_LENGTH

AppealTargetName = Literal["take_down", "strike"]
AppealStatusName = Literal["pending", "upheld", "overturned"]

# Strings are capped well above the rule (skyframe.support.appeals says the
# rule, and its message, counting characters the way people do).


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: AppealTargetName
    target_id: Annotated[
        int,
        Field(
            ge=1,
            le=ID_MAX,
            strict=True,
            description="The take-down's or strike's id (GET /api/v1/me/strikes lists both).",
        ),
    ]
    text: str = Field(
        max_length=4 * APPEAL_TEXT_MAX_LENGTH,
        description=f"Why the decision should change; up to {APPEAL_TEXT_MAX_LENGTH} characters.",
    )


class AppealOut(BaseModel):
    """An appeal as its appellant sees it."""

    id: int
    target_type: AppealTargetName
    target_id: int
    about: str = Field(description="What was appealed, in a line.")
    text: str
    status: AppealStatusName
    created_at: datetime
    decided_at: datetime | None
    decision_note: str = Field(description="The manager's note ('' while pending).")
    ticket_id: int | None = Field(description="The conversation with the managers it opened.")


class AppealFiled(BaseModel):
    appeal: AppealOut


class AppealList(BaseModel):
    items: list[AppealOut] = Field(description="Newest first.")


class AppealTargetOut(BaseModel):
    """The decision appealed, as staff see it."""

    exists: bool = Field(description="False once the take-down's or strike's row is gone.")
    stands: bool = Field(description="Whether the decision is still in force.")
    reason: str = Field(description="The take-down's reason, or the take-downs a strike counts.")
    post_id: int | None = Field(description="A take-down's post (null once deleted).")
    created_at: datetime | None


class StaffAppealOut(AppealOut):
    appellant: UserRef
    decided_by: UserRef | None
    target: AppealTargetOut


class AppealQueue(BaseModel):
    items: list[StaffAppealOut]
    next_cursor: str | None
    has_more: bool


class AppealQueueQuery(BaseModel):
    status: AppealStatusName = Field(
        default="pending", description="pending (oldest first), upheld or overturned (newest first)"
    )
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["uphold", "overturn"]
    note: str = Field(
        default="",
        max_length=4 * REASON_MAX_LENGTH,
        description=f"What the appellant reads (up to {REASON_MAX_LENGTH} characters).",
    )


class AppealDecision(BaseModel):
    appeal: StaffAppealOut
