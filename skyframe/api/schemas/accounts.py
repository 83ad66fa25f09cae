"""Accounts over JSON: registration, login, the signed-in user, passwords and login sessions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, StrictBool
from spectree.model_adapter.pydantic_adapter import BaseFile

from skyframe.accounts.passwords import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from skyframe.accounts.users import HANDLE_PATTERN
from skyframe.api.schemas.common import Payload, documented
from skyframe.extensions import db
from skyframe.live import sessions
from skyframe.models import utcnow
from skyframe.models.user import DISPLAY_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH, HANDLE_MAX_LENGTH
from skyframe.web.urls import avatar_url


class RegisterRequest(Payload):
    email: str = Field(
        examples=["vega@example.org"],
        **documented(format="email", maxLength=EMAIL_MAX_LENGTH),
    )
    handle: str = Field(
        description="Letters A–Z, digits or underscores; unique whatever the case.",
        **documented(pattern=f"^{HANDLE_PATTERN.pattern}$", maxLength=HANDLE_MAX_LENGTH),
    )
    display_name: str = Field(
        description="Spaces at the ends are trimmed.",
        **documented(minLength=1, maxLength=DISPLAY_NAME_MAX_LENGTH),
    )
    password: str = Field(
        description=("Needs an upper-case letter, a lower-case letter, a digit and a symbol."),
        **documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class LoginRequest(Payload):
    login: str = Field(
        description="E-mail address or handle.", **documented(maxLength=EMAIL_MAX_LENGTH)
    )
    password: str = Field(**documented(maxLength=PASSWORD_MAX_LENGTH))
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
    avatar_url: str
    gravatar: bool = Field(
        description="Show the Gravatar of the e-mail address when no avatar is uploaded."
    )
    live_seconds: int = Field(
        default=0,
        description="Live hours in seconds: ended sessions' durations and a running one's age.",
    )


class ProfileEdit(Payload):
    display_name: str | None = Field(default=None, **documented(minLength=1, maxLength=50))
    bio: str | None = Field(default=None, **documented(maxLength=300))
    gravatar: StrictBool | None = None


class AvatarUpload(BaseModel):
    file: BaseFile = Field(description="JPEG, PNG or WebP; cropped to a 256 px square.")


class AuthResult(BaseModel):
    user: Me
    csrf_token: str = Field(description="The new session's CSRF token for X-CSRFToken.")


class CsrfToken(BaseModel):
    csrf_token: str


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
        avatar_url=avatar_url(user),
        gravatar=user.gravatar,
        live_seconds=sessions.live_seconds_of(
            user, sessions.running_session(db.session, user.id), utcnow()
        ),
    )


_POLICY_DESCRIPTION = (
    "At least 10 characters with upper- and lower-case letters, a digit and a symbol; "
    "not a common password, and not containing the handle or the e-mail's name part."
)


class PasswordChange(Payload):
    current_password: str = Field(**documented(maxLength=PASSWORD_MAX_LENGTH))
    new_password: str = Field(
        description=_POLICY_DESCRIPTION,
        **documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class PasswordResetRequest(Payload):
    email: str = Field(
        examples=["vega@example.org"],
        **documented(format="email", maxLength=EMAIL_MAX_LENGTH),
    )


class PasswordResetConfirm(Payload):
    token: str = Field(
        description="The token from the e-mailed link (…/reset-password/<token>).",
        **documented(maxLength=128),
    )
    new_password: str = Field(
        description=_POLICY_DESCRIPTION,
        **documented(minLength=PASSWORD_MIN_LENGTH, maxLength=PASSWORD_MAX_LENGTH),
    )


class LoginSessionOut(BaseModel):
    id: str = Field(description="Revoke it with DELETE /api/v1/me/sessions/{id}.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="To within five minutes.")
    client_address: str | None = Field(
        description="The address it signed in from (IPv6: its /64): an approximate place."
    )
    user_agent: str | None
    remember: bool = Field(description='Signed in with "keep me signed in".')
    current: bool = Field(description="The session this request was made with.")


class LoginSessionList(BaseModel):
    items: list[LoginSessionOut]


class SessionsRevoked(BaseModel):
    revoked: int = Field(description="How many sessions were ended.")
