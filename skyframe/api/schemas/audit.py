"""The audit log over JSON: its filters and its entries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from skyframe.api.schemas.common import PageQuery
from skyframe.moderation.audit import Action


class AuditQuery(PageQuery):
    actor: str | None = Field(
        default=None,
        max_length=40,
        description="A handle (`@` optional): that account's actions only. "
        "No account with that handle: 422.",
    )
    action: Action | None = Field(default=None, description="One kind of action only.")
    target_type: str | None = Field(
        default=None,
        max_length=20,
        description="One kind of target only: post, user, strike, report, comment …",
    )


class AuditActor(BaseModel):
    handle: str
    display_name: str


class AuditEntryOut(BaseModel):
    id: int
    actor: AuditActor | None = Field(
        description="Who did it; null when SkyFrame itself did (source system), "
        "an operator at the command line (source cli), or the account is gone."
    )
    action: str
    target_type: str
    target_id: int
    reason: str
    source: str = Field(description="web, api, cli or system")
    created_at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None
    has_more: bool
