"""What every payload shares: the base model, documented constraints, pages and cursors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from skyframe import cursors

# Every string is capped here against abuse; the precise rules (and their
# messages) live in skyframe.accounts so that forms, API and CLI share them.
TEXT_CAP = 1000


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=TEXT_CAP)

    @field_validator("*", mode="after")
    @classmethod
    def no_nul_characters(cls, value):
        # Databases refuse NUL in text (PostgreSQL raises); no field needs one.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


def documented(**constraints) -> dict:
    """Constraints shown in the OpenAPI document; skyframe.accounts enforces
    them with messages written for people."""
    return {"json_schema_extra": constraints}


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


ID_MAX = 2**31 - 1
