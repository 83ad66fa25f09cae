"""Support tickets over JSON: the owner's side and staff's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import ID_MAX, PAGE_SIZE_MAX, cursor_field
from skyframe.api.schemas.posts import UserRef
from skyframe.models.ticket import (
    ESCALATION_NOTE_MAX_LENGTH,
    TICKET_TEXT_MAX_LENGTH,
    TICKET_TITLE_MAX_LENGTH,
)

StatusName = Literal["open", "pending", "solved", "closed"]
ViewName = Literal["unassigned", "mine", "all"]

# Strings are capped well above the rule (skyframe.support.tickets says the
# rule, and its message, counting characters the way people do).
_TITLE_CAP = 4 * TICKET_TITLE_MAX_LENGTH
_TEXT_CAP = 4 * TICKET_TEXT_MAX_LENGTH


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(
        max_length=_TITLE_CAP, description=f"Up to {TICKET_TITLE_MAX_LENGTH} characters."
    )
    text: str = Field(
        max_length=_TEXT_CAP,
        description=f"The first message; up to {TICKET_TEXT_MAX_LENGTH} characters.",
    )
    report_id: Annotated[int, Field(ge=1, le=ID_MAX, strict=True)] | None = Field(
        default=None, description="One of your reports, to follow it up with staff."
    )


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        max_length=_TEXT_CAP, description=f"Up to {TICKET_TEXT_MAX_LENGTH} characters."
    )


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        max_length=4 * ESCALATION_NOTE_MAX_LENGTH,
        description=(
            f"Why managers should take it (up to {ESCALATION_NOTE_MAX_LENGTH} characters); "
            "staff read it, the owner does not."
        ),
    )


class MessageOut(BaseModel):
    id: int
    text: str
    from_staff: bool
    author: UserRef | None = Field(
        description="Who wrote it; on the owner's side null for staff's messages "
        "(staff answer as SkyFrame's staff)."
    )
    created_at: datetime


class TicketOut(BaseModel):
    """A ticket as its owner sees it."""

    id: int
    title: str
    status: StatusName
    assigned: bool = Field(description="Whether someone on staff has taken it.")
    with_managers: bool = Field(description="Whether it is for managers only.")
    report_id: int | None = Field(description="The report it follows up, if any.")
    created_at: datetime
    updated_at: datetime = Field(description="Its last message or change.")
    closed_at: datetime | None
    can_reply: bool
    can_close: bool


class StaffTicketOut(TicketOut):
    """A ticket as staff see it: whose, whose to answer, and its escalation."""

    owner: UserRef
    assignee: UserRef | None
    escalated_at: datetime | None
    escalated_by: UserRef | None
    escalation_note: str = Field(description="Why it went to the managers ('' if it did not).")
    can_assign: bool
    can_escalate: bool


class TicketThread(BaseModel):
    ticket: TicketOut
    messages: list[MessageOut] = Field(description="Oldest first.")


class StaffTicketThread(BaseModel):
    ticket: StaffTicketOut
    messages: list[MessageOut] = Field(description="Oldest first.")


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None
    has_more: bool


class StaffTicketPage(BaseModel):
    items: list[StaffTicketOut]
    next_cursor: str | None
    has_more: bool


class MyTicketsQuery(BaseModel):
    status: StatusName | None = None
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)


class StaffTicketsQuery(BaseModel):
    view: ViewName = Field(
        default="unassigned",
        description="unassigned (waiting longest first), mine (assigned to you) or all "
        "(both most recently active first).",
    )
    status: StatusName | None = None
    cursor: str | None = cursor_field()
    limit: int = Field(default=20, ge=1, le=PAGE_SIZE_MAX)
