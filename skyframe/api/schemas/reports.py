"""Reports and the moderation queue over JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX, PAGE_SIZE_MAX, cursor_field
from skyframe.api.schemas.posts import UserRef
from skyframe.models.moderation import REASON_MAX_LENGTH, REPORT_DETAILS_MAX_LENGTH

TargetType = Literal["post", "comment", "user"]
ReasonName = Literal[
    "spam", "harassment", "off_topic", "stolen", "sensitive", "misleading", "other"
]
DecisionName = Literal["dismiss", "label", "take_down", "warn"]
LabelName = Literal["flashing", "processed", "sensitive", "ai_generated"]

# Strings are capped well above the rule (skyframe.moderation.reports says
# the rule, and its message, counting characters the way people do).
_CAP = 4 * REPORT_DETAILS_MAX_LENGTH


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: TargetType
    target_id: Annotated[int, Field(ge=1, le=ID_MAX, strict=True)]
    reason: ReasonName
    details: str | None = Field(
        default=None,
        max_length=_CAP,
        description=f"What staff should know; up to {REPORT_DETAILS_MAX_LENGTH} characters.",
    )


class ReportOut(BaseModel):
    """A report as its reporter sees it (never the decision)."""

    id: int
    target_type: TargetType
    target_id: int
    reason: ReasonName
    details: str
    status: Literal["open", "resolved"]
    created_at: datetime
    resolved_at: datetime | None


class ReportFiled(BaseModel):
    report: ReportOut


class StaffReportOut(ReportOut):
    """A report as staff see it: who filed it, and what was decided."""

    reporter: UserRef | None
    decision: DecisionName | None
    note: str = Field(description="The decision's note ('' while open).")
    resolved_by: UserRef | None


class TargetOut(BaseModel):
    """What a group of reports is about."""

    type: TargetType
    id: int
    exists: bool = Field(description="False once the post, comment or account is gone.")
    owner: UserRef | None = Field(description="The post's owner, comment's author, or account.")
    title: str | None = Field(description="A post's title.")
    excerpt: str | None = Field(description="The start of a comment.")
    post_id: int | None = Field(description="The post itself, or the comment's post.")
    url: str | None = Field(description="Where to look at it.")
    labels: list[LabelName]
    taken_down: bool


class QueueItem(BaseModel):
    report: StaffReportOut = Field(description="The group's oldest report.")
    count: int = Field(description="How many reports the group has.")
    reasons: dict[str, int] = Field(description="The group's reports by reason.")
    target: TargetOut


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None
    has_more: bool


class QueueQuery(BaseModel):
    status: Literal["open", "resolved"] = "open"
    target_type: TargetType | None = None
    reason: ReasonName | None = None
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: DecisionName
    note: str = Field(
        default="",
        max_length=4 * REASON_MAX_LENGTH,
        description=(
            f"Why (up to {REASON_MAX_LENGTH} characters); required for take_down (the "
            "take-down's reason) and warn (the warning the owner reads)."
        ),
    )
    labels: list[LabelName] = Field(
        default_factory=list,
        max_length=8,
        description="For label: the labels to add to the post.",
    )


class Resolved(BaseModel):
    resolved: QueueItem = Field(description="The group the decision resolved.")
