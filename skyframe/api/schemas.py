"""Payloads of the JSON API, declared once: they validate requests and
responses and describe both in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from skyframe.accounts import HANDLE_PATTERN
from skyframe.models.user import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from skyframe.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from skyframe.validation import ErrorResponse

__all__ = ["ErrorResponse"]

# Inputs are capped generously here; the precise rules (and their messages)
# live in skyframe.accounts so that forms, API and CLI share them.
_TEXT_CAP = 1000


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=_TEXT_CAP)


class RegisterRequest(Payload):
    email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["vega@example.org"])
    handle: str = Field(
        max_length=64,
        description="1–24 letters A–Z, digits or underscores; unique whatever the case.",
        json_schema_extra={"pattern": f"^{HANDLE_PATTERN.pattern}$"},
    )
    display_name: str = Field(
        max_length=DISPLAY_NAME_MAX_LENGTH * 2,
        description=f"1–{DISPLAY_NAME_MAX_LENGTH} characters after trimming spaces.",
    )
    password: str = Field(
        max_length=PASSWORD_MAX_LENGTH,
        description=(
            f"At least {PASSWORD_MIN_LENGTH} characters with an upper-case letter, "
            "a lower-case letter, a digit and a symbol."
        ),
        json_schema_extra={"minLength": PASSWORD_MIN_LENGTH},
    )


class LoginRequest(Payload):
    login: str = Field(max_length=EMAIL_MAX_LENGTH, description="E-mail address or handle.")
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
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
    return Me(
        id=user.id,
        handle=user.handle,
        display_name=user.display_name,
        bio=user.bio,
        role=user.role,
        created_at=user.created_at,
        email=user.email,
        last_login=user.last_login,
    )
