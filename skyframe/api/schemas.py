"""Payloads of the JSON API, declared once: they validate requests and
responses and describe both in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from skyframe.accounts import HANDLE_PATTERN
from skyframe.models.user import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH, HANDLE_MAX_LENGTH
from skyframe.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from skyframe.validation import ErrorResponse

__all__ = ["ErrorResponse"]

# Every string is capped here against abuse; the precise rules (and their
# messages) live in skyframe.accounts so that forms, API and CLI share them.
_TEXT_CAP = 1000


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=_TEXT_CAP)

    @field_validator("*", mode="after")
    @classmethod
    def no_nul_characters(cls, value):
        # Databases refuse NUL in text (PostgreSQL raises); no field needs one.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


def _documented(**constraints) -> dict:
    """Constraints shown in the OpenAPI document; skyframe.accounts enforces
    them with messages written for people."""
    return {"json_schema_extra": constraints}


class RegisterRequest(Payload):
    email: str = Field(
        examples=["vega@example.org"],
        **_documented(format="email", maxLength=EMAIL_MAX_LENGTH),
    )
    handle: str = Field(
        description="Letters A–Z, digits or underscores; unique whatever the case.",
        **_documented(pattern=f"^{HANDLE_PATTERN.pattern}$", maxLength=HANDLE_MAX_LENGTH),
    )
    display_name: str = Field(
        description="Spaces at the ends are trimmed.",
        **_documented(minLength=1, maxLength=DISPLAY_NAME_MAX_LENGTH),
    )
    password: str = Field(
        description=("Needs an upper-case letter, a lower-case letter, a digit and a symbol."),
        **_documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class LoginRequest(Payload):
    login: str = Field(
        description="E-mail address or handle.", **_documented(maxLength=EMAIL_MAX_LENGTH)
    )
    password: str = Field(**_documented(maxLength=PASSWORD_MAX_LENGTH))
    remember: bool = Field(default=False, description="Keep the session for 30 days.")


class PublicUser(BaseModel):
    id: int
    handle: str
    display_name: str
    bio: str
    role: str
    created_at: datetime


class Me(PublicUser):
    email: str
    last_login: datetime | None


class AuthResult(BaseModel):
    user: Me
    csrf_token: str = Field(description="The new session's CSRF token for X-CSRFToken.")


class CsrfToken(BaseModel):
    csrf_token: str


class MotdItem(BaseModel):
    id: int
    title: str
    body: str
    published_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None


class MotdList(BaseModel):
    items: list[MotdItem]


def me_payload(user) -> Me:
    return Me.model_validate(user, from_attributes=True)
