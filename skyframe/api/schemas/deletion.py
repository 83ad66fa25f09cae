"""Deleting accounts over JSON."""

from __future__ import annotations

from pydantic import BaseModel, Field

from skyframe.accounts.passwords import PASSWORD_MAX_LENGTH
from skyframe.api.schemas.common import Payload, documented


class AccountDeletion(Payload):
    password: str = Field(
        description="The account's password, to confirm.",
        **documented(maxLength=PASSWORD_MAX_LENGTH),
    )


class AccountDeleted(BaseModel):
    handle: str = Field(description="Stays reserved: nobody can register it again.")
    deleted: bool = True
