"""Errors raised by SkyFrame's domain modules.

They carry a machine-readable ``code`` and the HTTP status a web caller should
answer with, so routes, the JSON API and the CLI all report them the same way.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "bad_request"
    status = 400
    retry_after: int | None = None  # seconds, sent as Retry-After when set

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class Suspended(PermissionDenied):
    """The account is suspended from posting, commenting, going live and hosting."""

    code = "suspended"


class AuthenticationFailed(DomainError):
    code = "invalid_credentials"
    status = 401


class Busy(DomainError):
    """Too much of one kind of work at once (e.g. password hashing): try again soon."""

    code = "unavailable"
    status = 503
    retry_after = 1
