"""One error shape for the JSON API, error pages for everything else.

JSON errors look like ``{"error": {"code": "...", "message": "...",
"fields": {...}}}``; ``fields`` maps a field name to what is wrong with it and
is present only for validation errors.
"""

from __future__ import annotations

import contextlib
import logging
import time

from flask import Flask, Response, jsonify, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from skyframe.exceptions import DomainError
from skyframe.extensions import db, limiter
from skyframe.storage import StorageFull, is_out_of_space

log = logging.getLogger(__name__)

# Codes for the statuses the API answers with; anything else uses the
# status phrase in snake case.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
    507: "insufficient_storage",
}


API_PREFIX = "/api/v1/"


def wants_json() -> bool:
    """Errors on the JSON API answer JSON; everything else gets a page."""
    return request.path.startswith(API_PREFIX)


def json_error(
    status: int, message: str, *, code: str | None = None, fields: dict[str, str] | None = None
) -> Response:
    error: dict[str, object] = {
        "code": code or STATUS_CODES.get(status, "error"),
        "message": message,
    }
    if fields:
        error["fields"] = fields
    response = jsonify({"error": error})
    response.status_code = status
    return response


# When even the error page cannot be drawn (the database is down and the
# layout asks who is signed in), this plain page still answers.
PLAIN_ERROR_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} {title} · SkyFrame</title></head>
<body><main><h1>{status} {title}</h1><p>{message}</p>
<p><a href="/">Back to SkyFrame</a></p></main></body></html>"""


def _error_page(
    status: int, title: str, message: str, retry_after: int | None = None
) -> tuple[str, int]:
    try:
        body = render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message,
            retry_after=retry_after,
        )
    except Exception:
        if status < 500:
            raise
        log.exception("the error page itself failed")
        db.session.rollback()
        body = PLAIN_ERROR_PAGE.format(status=status, title=escape(title), message=escape(message))
    return body, status


def _respond(
    status: int,
    title: str,
    message: str,
    *,
    code: str | None = None,
    fields: dict[str, str] | None = None,
    headers=None,
):
    if wants_json():
        response = json_error(status, message, code=code, fields=fields)
    else:
        retry_after = next(
            (int(v) for k, v in headers or () if k.lower() == "retry-after" and str(v).isdigit()),
            None,
        )
        body, _ = _error_page(status, title, message, retry_after)
        response = Response(body, status=status, mimetype="text/html")
    if headers:
        response.headers.extend(headers)
    return response


FRIENDLY_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "There is nothing here. The page may have moved or never existed.",
    405: "That method is not allowed here.",
    413: "That upload is too large.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
}


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        db.session.rollback()
    message = FRIENDLY_MESSAGES.get(status) or exc.description or exc.name
    # Content-Range: a 416 says how long the file is (bytes */length).
    kept = {"allow", "retry-after", "content-range"}
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() in kept]
    return _respond(status, exc.name, message, headers=headers)


def handle_csrf_error(exc: CSRFError):
    # 403 like Django: the request is well-formed but not allowed without a
    # valid token (over HTTPS also without a same-site Referer).
    reason = (exc.description or "").rstrip(".")
    return _respond(
        403,
        "Form expired",
        f"{reason}. Reload the page and try again." if reason else FRIENDLY_MESSAGES[403],
        code="csrf_failed",
    )


def handle_rate_limit(exc: RateLimitExceeded):
    # Flask-Limiter adds its headers after the response is made; the page
    # needs the wait now, from the limit that was hit.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() == "retry-after"]
    current = limiter.current_limit
    if not headers and current is not None:
        headers = [("Retry-After", str(max(1, int(current.reset_at - time.time()))))]
    return _respond(429, "Slow down", FRIENDLY_MESSAGES[429], code="rate_limited", headers=headers)


def handle_domain_error(exc: DomainError):
    # Pages name missing and forbidden things as the HTTP errors do ("Not Found").
    title = HTTP_STATUS_CODES[exc.status] if exc.status in (403, 404) else "Request refused"
    headers = None
    if exc.retry_after:
        headers = [("Retry-After", str(exc.retry_after))]
        # Else Flask-Limiter raises it to the reset of the route's own limit.
        limiter.context.view_rate_limit = None
    return _respond(
        exc.status, title, exc.message, code=exc.code, fields=exc.fields, headers=headers
    )


DATABASE_RETRY_SECONDS = 5


def handle_database_unavailable(exc: Exception):
    """The database cannot be reached (restarting, failed over, out of
    connections): a quick 503 the client may retry, not a 500 with a
    traceback. Nothing was written: the transaction never committed."""
    # The connection is gone: drop it without a ROLLBACK (which would fail
    # again, here or when the request's session is removed); the pool opens
    # a fresh one for the next request.
    with contextlib.suppress(Exception):
        db.session().invalidate()
    reason = str(getattr(exc, "orig", None) or exc).strip()
    log.warning(
        "database unavailable on %s %s: %s",
        request.method,
        request.path,
        reason.splitlines()[0] if reason else type(exc).__name__,
    )
    return _respond(
        503,
        "Unavailable",
        "SkyFrame is briefly unavailable. Please try again in a moment.",
        code="unavailable",
        headers=[("Retry-After", str(DATABASE_RETRY_SECONDS))],
    )


STORAGE_FULL_RETRY_SECONDS = 60


def handle_out_of_space(exc: Exception):
    """The disk (the request spool, the uploads folder) or the bucket is
    full: 507, and nothing kept — a file being written is removed by the
    storage backend, and no row was committed."""
    if not (isinstance(exc, StorageFull) or is_out_of_space(exc)):
        return handle_unexpected(exc)
    db.session.rollback()
    limiter.context.view_rate_limit = None  # the Retry-After is ours
    log.error("out of space on %s %s: %s", request.method, request.path, exc)
    return _respond(
        507,
        "Out of space",
        "SkyFrame has run out of room for files. Nothing was saved; please try again later.",
        code="insufficient_storage",
        headers=[("Retry-After", str(STORAGE_FULL_RETRY_SECONDS))],
    )


def handle_unexpected(exc: Exception):
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    for unavailable in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(unavailable, handle_database_unavailable)
    app.register_error_handler(StorageFull, handle_out_of_space)
    app.register_error_handler(OSError, handle_out_of_space)
    app.register_error_handler(Exception, handle_unexpected)
