"""Payloads of the JSON API, declared once: they validate requests and
responses and describe both in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from skyframe.models.user import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH
from skyframe.passwords import PASSWORD_MAX_LENGTH

# Inputs are capped generously here; the precise rules (and their messages)
# live in skyframe.accounts so that forms, API and CLI share them.
_TEXT_CAP = 1000


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=_TEXT_CAP)


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. validation_failed.")
    message: str = Field(description="A sentence a person can read.")
    fields: dict[str, str] | None = Field(
        default=None, description="Field name → what is wrong with it (validation errors)."
    )


class ErrorResponse(BaseModel):
    error: ErrorDetail


class RegisterRequest(Payload):
    email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["vega@example.org"])
    handle: str = Field(
        max_length=64, description="1–24 letters A–Z, digits or underscores; unique."
    )
    display_name: str = Field(max_length=DISPLAY_NAME_MAX_LENGTH * 2)
    password: str = Field(
        max_length=PASSWORD_MAX_LENGTH,
        description="At least 10 characters with upper, lower, digit and symbol.",
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
