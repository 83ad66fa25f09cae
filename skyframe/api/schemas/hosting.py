"""Hosting over JSON: whether others may host me, my hosting list, typeahead."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool

from skyframe.api.schemas.common import TEXT_CAP, Payload
from skyframe.api.schemas.posts import UserRef
from skyframe.models.user import HANDLE_MAX_LENGTH


class HostingSettingsIn(Payload):
    allow_hosting: StrictBool = Field(description="Other observers may host my channel.")


class HostingSettingsOut(BaseModel):
    allow_hosting: bool


class HostingTargetIn(Payload):
    handle: str = Field(
        min_length=1,
        max_length=HANDLE_MAX_LENGTH + 1,  # a leading @ is allowed
        description="The observer to add to my hosting list (a leading @ is ignored).",
    )


class HostingTargetOut(BaseModel):
    handle: str
    display_name: str
    avatar_url: str | None
    status: Literal["ready", "hosting", "error"] = Field(
        description=(
            "ready: in the rotation; hosting: promoted on my channel now (one at most); "
            "error: no longer qualifies, checked again on every run of the job."
        )
    )
    last_hosted_at: datetime | None = Field(description="When I last hosted them; null: never.")


class HostingTargetList(BaseModel):
    items: list[HostingTargetOut]


class SuggestQuery(BaseModel):
    q: str = Field(
        default="",
        max_length=TEXT_CAP,
        description=(
            "The start of a handle (any case; % _ and \\ are literal). "
            f"Longer than {HANDLE_MAX_LENGTH} characters finds nothing."
        ),
    )


class SuggestPage(BaseModel):
    items: list[UserRef]
