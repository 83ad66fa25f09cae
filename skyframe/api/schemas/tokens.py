"""Personal access tokens over JSON (skyframe.accounts.tokens)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from skyframe.accounts.tokens import SCOPES

# The rules (and their messages) are skyframe.accounts.tokens'; these caps
# only keep payloads small.
_NAME_CAP = 400
ScopeName = Annotated[str, Field(max_length=40)]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        max_length=_NAME_CAP,
        description="Up to 60 characters: the software or computer that will use it.",
    )
    scopes: list[ScopeName] = Field(
        max_length=10,
        description=f"What the token may do, at least one of: {', '.join(sorted(SCOPES))} "
        "(live: start and end live sessions and push their frames).",
    )


class TokenOut(BaseModel):
    id: int = Field(description="Revoke it with DELETE /api/v1/me/tokens/{id}.")
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None = Field(description="To within a minute.")


class NewTokenOut(BaseModel):
    token: TokenOut
    secret: str = Field(
        description="Shown this once: send it as Authorization: Bearer <secret>. "
        "SkyFrame keeps only its hash."
    )


class TokenList(BaseModel):
    items: list[TokenOut]
