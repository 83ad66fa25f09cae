"""Accounts: registration rules, authentication, roles and account state.

Plain functions over a SQLAlchemy session, shared by the HTML pages, the JSON
API and the admin CLI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skyframe.accounts import login_sessions
from skyframe.accounts.passwords import PasswordHashing, password_refusal
from skyframe.exceptions import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from skyframe.models import Role, User, utcnow
from skyframe.models.user import (
    BIO_MAX_LENGTH,
    DISPLAY_NAME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    HANDLE_MAX_LENGTH,
)
from skyframe.policy import is_suspended, set_account_hidden, suspended_accounts
from skyframe.text import (
    escape_like,
    hidden_formatting,
    hidden_formatting_message,
    is_invisible_in_names,
    text_problem,
    too_long,
)

HANDLE_PATTERN = re.compile(rf"[A-Za-z0-9_]{{1,{HANDLE_MAX_LENGTH}}}", re.ASCII)
# One message for every way a login can fail, so answers reveal nothing.
LOGIN_FAILED_MESSAGE = "Incorrect login or password."
EMAIL_UNAVAILABLE_MESSAGE = (
    "This e-mail address cannot be used for a new account. If it is yours, log in instead."
)


@dataclass(frozen=True)
class Registration:
    email: str
    handle: str
    display_name: str
    password: str


def handle_problem(handle: str) -> str | None:
    if not handle:
        return "Choose a handle."
    if len(handle) > HANDLE_MAX_LENGTH:
        return f"Handles are at most {HANDLE_MAX_LENGTH} characters."
    if not HANDLE_PATTERN.fullmatch(handle):
        return "Handles use only letters A–Z, digits and underscores."
    return None


def normalise_email(email: str) -> str:
    """The canonical form of an address, or ValueError with a readable reason."""
    email = email.strip()
    if not email:
        raise ValueError("Enter your e-mail address.")
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValueError(f"E-mail addresses are at most {EMAIL_MAX_LENGTH} characters.")
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"Enter a valid e-mail address ({exc}).") from exc


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def clean_display_name(sent: str) -> str:
    name = " ".join(sent.split())
    if not name:
        raise ValueError("Enter a display name.")
    if too_long(sent, name, DISPLAY_NAME_MAX_LENGTH):
        raise ValueError(f"Display names are at most {DISPLAY_NAME_MAX_LENGTH} characters.")
    if found := hidden_formatting(name):
        raise ValueError(hidden_formatting_message(found))
    if any(is_invisible_in_names(ch) for ch in name):
        raise ValueError("Display names cannot contain control characters.")
    return name


def validate_registration(
    email: str, handle: str, display_name: str, password: str
) -> Registration:
    """Check every field at once; raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except ValueError as exc:
        errors["email"] = str(exc)
    handle = handle.strip()
    if problem := handle_problem(handle):
        errors["handle"] = problem
    try:
        display_name = clean_display_name(display_name)
    except ValueError as exc:
        errors["display_name"] = str(exc)
    if refusal := password_refusal(password, handle=handle, email=email):
        errors["password"] = refusal
    if errors:
        raise ValidationFailed("Some fields need attention.", fields=errors)
    return Registration(email, handle, display_name, password)


def user_by_handle(session: Session, handle: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.handle) == handle.lower()))


def email_key(email: str) -> str:
    """The form e-mail addresses are compared in: Unicode-normalised and case-folded."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email_key == email_key(email)))


def user_by_login(session: Session, login: str) -> User | None:
    """A login is an e-mail address (it has an @) or a handle."""
    login = login.strip()
    if not login or len(login) > EMAIL_MAX_LENGTH or _has_control_characters(login):
        return None
    if "@" in login:
        return user_by_email(session, login)
    if handle_problem(login):
        return None
    return user_by_handle(session, login)


def get_user(session: Session, handle_or_email: str) -> User:
    user = user_by_login(session, handle_or_email)
    if user is None:
        raise NotFound(f"No user {handle_or_email!r}.")
    return user


def register_user(
    session: Session,
    hashing: PasswordHashing,
    *,
    email: str,
    handle: str,
    display_name: str,
    password: str,
    role: Role = Role.USER,
) -> User:
    """Create an account, or raise ValidationFailed / Conflict. Flushes, does not commit."""
    reg = validate_registration(email, handle, display_name, password)
    taken: dict[str, str] = {}
    # Handles are public, so saying one is taken reveals nothing; for e-mail
    # addresses the answer stays vague (see the per-address rate limit).
    if user_by_handle(session, reg.handle):
        taken["handle"] = "That handle is taken."
    elif user_by_email(session, reg.email):
        taken["email"] = EMAIL_UNAVAILABLE_MESSAGE
    if taken:
        raise Conflict("These details cannot be used for a new account.", fields=taken)
    user = User(
        email=reg.email,
        email_key=email_key(reg.email),
        handle=reg.handle,
        display_name=reg.display_name,
        password_hash=hashing.hash(reg.password),
        role=role.value,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise Conflict("These details cannot be used for a new account.") from exc
    return user


def authenticate(
    session: Session, hashing: PasswordHashing, login: str, password: str, now: datetime
) -> User:
    """The user whose credentials these are, or AuthenticationFailed.

    Unknown accounts, wrong passwords, disabled and deleted accounts fail
    with the same message after exactly one password hash, so neither the
    answer nor its timing tells them apart.
    """
    user = user_by_login(session, login)
    result = hashing.verify(user.password_hash if user else None, password)
    if user is None or not result.ok or not user.is_active:
        raise AuthenticationFailed(LOGIN_FAILED_MESSAGE)
    if result.new_hash:
        user.password_hash = result.new_hash
    user.last_login = now
    return user


NOT_CURRENT_MESSAGE = "That is not your current password."


def set_password(
    session: Session,
    hashing: PasswordHashing,
    user: User,
    new_password: str,
    *,
    field: str = "password",
) -> None:
    """Give the account a new password under the policy (ValidationFailed on
    ``field`` otherwise). Ending sessions is the caller's choice."""
    if refusal := password_refusal(new_password, handle=user.handle, email=user.email):
        raise ValidationFailed(refusal, fields={field: refusal})
    user.password_hash = hashing.hash(new_password)


def change_password(
    session: Session,
    hashing: PasswordHashing,
    user: User,
    current_password: str,
    new_password: str,
    *,
    keep_token: str | None,
) -> None:
    """Change a password knowing the current one, and end every session of the
    account but ``keep_token``'s. Raises ValidationFailed per field."""
    if not hashing.verify(user.password_hash, current_password).ok:
        raise ValidationFailed(
            NOT_CURRENT_MESSAGE, fields={"current_password": NOT_CURRENT_MESSAGE}
        )
    set_password(session, hashing, user, new_password, field="new_password")
    login_sessions.end_all(session, user.id, except_token=keep_token)


def set_role(user: User, role: str) -> None:
    try:
        user.role = Role(role).value
    except ValueError as exc:
        known = ", ".join(r.value for r in Role)
        raise ValidationFailed(f"Unknown role {role!r}; choose one of {known}.") from exc


def set_disabled(session: Session, user: User, disabled: bool) -> int:
    """Disable or re-enable an account: a disabled one cannot log in, its login
    sessions end at once (every device is signed out), and its posts and
    comments are hidden from everyone but staff. Returns how many sessions
    were ended."""
    if bool(user.disabled) != disabled:
        set_account_hidden(session, user.id, disabled)
    user.disabled = disabled
    if disabled:
        return login_sessions.end_all(session, user.id)
    return 0


USER_STATES = ("active", "suspended", "disabled", "deleted")


def account_state(user: User, now: datetime) -> str:
    """active, suspended (by strikes or staff: policy.is_suspended), disabled
    or deleted."""
    if user.deleted_at is not None:
        return "deleted"
    if user.disabled:
        return "disabled"
    return "suspended" if is_suspended(user, now) else "active"


def list_users(
    session: Session,
    role: str | None = None,
    *,
    state: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> Sequence[User]:
    """Accounts by id, optionally only one role, one state (active,
    suspended, disabled or deleted: account_state), those whose handle or
    e-mail address contains ``search`` (case-insensitive, taken literally),
    and at most ``limit`` of them."""
    errors: dict[str, str] = {}
    if role is not None and role not in {r.value for r in Role}:
        errors["role"] = f"Choose one of {', '.join(r.value for r in Role)}."
    if state is not None and state not in USER_STATES:
        errors["state"] = f"Choose one of {', '.join(USER_STATES)}."
    if limit is not None and limit < 1:
        errors["limit"] = "At least 1."
    if search is not None and _has_control_characters(search):
        errors["search"] = "Remove control characters."
    if errors:
        raise ValidationFailed("The filters are not valid.", fields=errors)
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == role)
    if state == "deleted":
        query = query.where(User.deleted_at.is_not(None))
    elif state is not None:
        query = query.where(User.deleted_at.is_(None), User.disabled.is_(state == "disabled"))
        if state != "disabled":
            suspended = suspended_accounts(now or utcnow())
            query = query.where(suspended if state == "suspended" else ~suspended)
    if search:
        # Handles are ASCII (lower() agrees on both databases); e-mail
        # addresses are compared through their case-folded key.
        handle_pattern = f"%{escape_like(search.strip().lower())}%"
        email_pattern = f"%{escape_like(email_key(search))}%"
        query = query.where(
            or_(
                func.lower(User.handle).like(handle_pattern, escape="\\"),
                User.email_key.like(email_pattern, escape="\\"),
            )
        )
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def update_profile(
    user: User,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    gravatar: bool | None = None,
) -> None:
    """Change what others see of a user; raise ValidationFailed per field."""
    errors: dict[str, str] = {}
    if display_name is not None:
        try:
            user.display_name = clean_display_name(display_name)
        except ValueError as exc:
            errors["display_name"] = str(exc)
    if bio is not None:
        kept = unicodedata.normalize("NFC", bio).strip()
        if too_long(bio, kept, BIO_MAX_LENGTH):
            errors["bio"] = f"At most {BIO_MAX_LENGTH} characters."
        elif problem := text_problem(kept):
            errors["bio"] = problem
        else:
            user.bio = kept
    if gravatar is not None:
        user.gravatar = gravatar
    if errors:
        raise ValidationFailed("Some fields need attention.", fields=errors)
