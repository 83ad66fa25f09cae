"""Moderation over JSON: take-downs, labels, strikes, suspensions and a
user's own standing."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from skyframe.api.schemas.common import Payload, documented

_REASON = documented(minLength=1, maxLength=1000)
_NOTE = documented(maxLength=1000)
_LABELS = "flashing, processed, sensitive, ai_generated"


class TakeDownIn(Payload):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)

    reason: str = Field(description="Why: the post's owner reads it.", **_REASON)


class NoteIn(Payload):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)

    note: str = Field(default="", **_NOTE)


class LabelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: list[str] = Field(max_length=10, description=f"Any of {_LABELS}; [] clears them.")


class SuspendIn(Payload):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)

    until: datetime | None = Field(
        default=None, description="ISO 8601 end (UTC when no offset); omit for open-ended."
    )
    reason: str = Field(description="Why: the account's owner reads it.", **_REASON)


class TakeDownOut(BaseModel):
    id: int
    post_id: int | None = Field(description="null once the owner deleted the post.")
    post_title: str
    reason: str
    created_at: datetime
    restored: bool
    restored_at: datetime | None
    restore_note: str | None = Field(description="The manager's note (staff only).")
    strike_id: int | None = Field(description="The strike it counted towards, if any.")


class PostLabels(BaseModel):
    post_id: int
    labels: list[str]


class StrikeOut(BaseModel):
    id: int
    reason: str = Field(description="The take-downs it was issued for.")
    created_at: datetime
    active: bool
    resolved_at: datetime | None
    resolve_note: str | None


class Standing(BaseModel):
    suspended: bool
    suspended_by: Literal["strikes", "staff"] | None = Field(
        description="Why the account is suspended: active strikes, or staff."
    )
    until: datetime | None = Field(description="When a staff suspension ends (null: open-ended).")
    reason: str | None = Field(description="A staff suspension's reason.")
    active_strikes: int
    suspend_at: int = Field(description="Active strikes that suspend the account.")
    take_downs_per_strike: int


class AccountStanding(BaseModel):
    handle: str
    standing: Standing


class MyStrikes(BaseModel):
    strikes: list[StrikeOut] = Field(description="Newest first.")
    take_downs: list[TakeDownOut] = Field(description="Newest first.")
    standing: Standing
