"""SkyFrame's request class, and the body caps every request is held to.

Each route gets the smallest body it needs, decided from the headers (the
route, the declared type and length) before anything reads the body — the
CSRF check, the login limit's key (``ratelimit.submitted_account`` reads the
form) and the login lookup all come after ``refuse_oversized_body``:

- multipart on a view marked ``accepts_uploads``: UPLOAD_MAX_BYTES + 1 MiB;
- JSON (``application/json``, ``+json``): API_MAX_JSON_BYTES (256 KiB);
- url-encoded forms to the HTML pages: FORM_MAX_BYTES (256 KiB; the longest
  legitimate one, a post edit with 5,000 four-byte characters of notes, is
  ~60 KB);
- everything else (url-encoded to the API, multipart off the upload views,
  other or no types): BODY_MAX_BYTES (64 KiB).

A body without Content-Length (chunked) is counted the same way while it
streams: past the cap, reading raises 413 (Werkzeug's own limited stream
stops at the limit and lets the parser see a silently cut body). Every
refusal is counted per client address by OVERSIZE_LIMIT; past it the answer
is 429.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable

from flask import Request, Response, current_app, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from skyframe.extensions import limiter
from skyframe.web.client import client_address
from skyframe.web.errors import (
    FRIENDLY_MESSAGES,
    PLAIN_ERROR_PAGE,
    handle_http_exception,
    json_error,
    wants_json,
)
from skyframe.web.ratelimit import per_user_limit

log = logging.getLogger(__name__)

# Room for the form fields that come with an uploaded file.
FORM_OVERHEAD_BYTES = 1024 * 1024


def accepts_uploads(view: Callable) -> Callable:
    """Mark a view as taking file uploads from signed-in users: its requests
    may be as large as UPLOAD_MAX_BYTES, and nobody else's body is read
    (see refuse_anonymous_uploads)."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def upload_rate_limit(view: Callable) -> Callable:
    """Uploads of posts and avatars share one per-user limit (POST only)."""
    return per_user_limit("UPLOAD_LIMIT", scope="uploads", methods=["POST"])(view)


def refuse_anonymous_uploads():
    """Before anything parses the body (the CSRF check would spool the files),
    turn away upload requests from visitors who are not signed in."""
    from flask import request
    from flask_login import current_user

    if request.method != "POST" or not request._takes_uploads():  # type: ignore[attr-defined]
        return None
    if current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()


class CappedStream(io.RawIOBase):
    """A request body of unknown length that raises 413 as soon as more than
    ``cap`` bytes arrive (it reads one byte past the cap to know)."""

    def __init__(self, stream, cap: int) -> None:
        self._stream = stream
        self._cap = cap
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._cap + 1 - self._read)
        if wanted <= 0:
            raise RequestEntityTooLarge()
        data = self._stream.read(wanted)
        self._read += len(data)
        if self._read > self._cap:
            raise RequestEntityTooLarge()
        buffer[: len(data)] = data
        return len(data)


def refuse_oversized_body():
    """First before-request work after the host check: refuse a body over its
    route's cap from Content-Length, or, for a body of unknown length, from
    reading at most cap + 1 bytes of it (upload views stream it through a
    CappedStream instead)."""
    cap = request.body_cap  # type: ignore[attr-defined]
    length = request.content_length
    if length is not None:
        if length > cap:
            raise RequestEntityTooLarge()
        return None
    environ = request.environ
    if not environ.get("wsgi.input_terminated"):
        return None  # Werkzeug reads no body without a length from such servers
    stream = CappedStream(environ["wsgi.input"], cap)
    if request._takes_uploads():  # type: ignore[attr-defined]
        environ["wsgi.input"] = stream  # refused while it is parsed (on disk)
    else:
        body = stream.read()  # at most cap bytes, or 413
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        request.__dict__.pop("content_length", None)
    request.__dict__["_body_streamed"] = True
    return None


def count_oversized(exc: RequestEntityTooLarge):
    """Error handler for 413: counts the refusal against the client's
    OVERSIZE_LIMIT (a Flask-Limiter limit keyed by client address); past it the
    client gets 429. Off the upload views the answer is drawn without
    templates or the database (nobody legitimate sends those bodies); on them
    people who picked too big a file get the usual error page."""
    retry_after = _hit_oversize_limit()
    uploads = request._takes_uploads()  # type: ignore[attr-defined]
    if retry_after is None and uploads:
        return handle_http_exception(exc)
    status, title, message = 413, "Content Too Large", "That request is too large."
    if retry_after is not None:
        status, title, message = 429, "Slow down", FRIENDLY_MESSAGES[429]
    if wants_json():
        response = json_error(status, message)
    else:
        response = Response(
            PLAIN_ERROR_PAGE.format(status=status, title=title, message=message),
            status=status,
            mimetype="text/html",
        )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _hit_oversize_limit() -> int | None:
    """Count one oversized request; the seconds to wait once over the limit."""
    import time

    from limits import parse_many

    config = current_app.config
    if not config["RATELIMIT_ENABLED"] or not config["OVERSIZE_LIMIT"]:
        return None
    key = (config["RATELIMIT_KEY_PREFIX"], "oversize", client_address())
    try:
        strategy = limiter.limiter
        for item in parse_many(config["OVERSIZE_LIMIT"]):
            if not strategy.hit(item, *key):
                reset = strategy.get_window_stats(item, *key).reset_time
                return max(1, int(reset - time.time()))
    except Exception:
        # The request is refused anyway; a limit store that is down must not
        # turn the refusal into a 500 (limits count in memory once
        # Flask-Limiter notices, and /readyz reports it).
        log.warning("could not count an oversized request", exc_info=True)
    return None


def _without_unnamed(values: ImmutableMultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(k, v) for k, v in values.items(multi=True) if k is not None])


class SkyFrameRequest(Request):
    @property
    def trusted_hosts(self) -> None:
        # SkyFrameApp.create_url_adapter checks TRUSTED_HOSTS itself (Werkzeug
        # cannot match IPv6 literals); Werkzeug gets no list to check again.
        return None

    @trusted_hosts.setter
    def trusted_hosts(self, value) -> None:
        pass

    def _takes_uploads(self) -> bool:
        view = current_app.view_functions.get(self.endpoint or "")
        return bool(getattr(view, "accepts_uploads", False))

    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        """Spool uploaded files to named files beside the storage, so a local
        backend can link them in without copying (see Storage.spool_directory)."""
        storage = current_app.extensions["skyframe.storage"]
        spooled = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in close())
            "wb+", prefix="upload-", dir=storage.spool_directory()
        )
        # Kept here too: a body refused half-way (413) never reaches request.files.
        self.__dict__.setdefault("_spooled_files", []).append(spooled)
        return spooled

    def _load_form_data(self) -> None:
        super()._load_form_data()
        # A multipart part without a name arrives under the key None, which
        # Flask-WTF (and most code) cannot handle: such parts are dropped.
        form, files = self.__dict__.get("form"), self.__dict__.get("files")
        if form is not None and None in form:
            self.__dict__["form"] = _without_unnamed(form)
        if files is not None and None in files:
            self.__dict__["files"] = _without_unnamed(files)

    def close(self) -> None:
        super().close()
        for spooled in self.__dict__.pop("_spooled_files", []):
            spooled.close()  # also deletes it

    @property
    def body_cap(self) -> int:
        """The largest body this request may have (see the module's notes)."""
        config = current_app.config
        if self.mimetype == "multipart/form-data" and self._takes_uploads():
            return config["UPLOAD_MAX_BYTES"] + FORM_OVERHEAD_BYTES
        if self.is_json:
            cap = config["API_MAX_JSON_BYTES"]
        elif self.mimetype == "application/x-www-form-urlencoded" and not self.path.startswith(
            "/api/"
        ):
            cap = config["FORM_MAX_BYTES"]
        else:
            cap = config["BODY_MAX_BYTES"]
        limit = config["MAX_CONTENT_LENGTH"]
        return cap if limit is None else min(cap, limit)

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        if self.__dict__.get("_body_streamed"):
            # Already limited by a CappedStream, which refuses the byte past
            # the cap (Werkzeug's LimitedStream would stop there silently).
            return None
        return self.body_cap

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def on_json_loading_failed(self, e: ValueError | None):
        raise BadRequest("The request body is not valid JSON.")

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        # Deeply nested JSON makes the parser recurse until Python gives up;
        # treat it like any other unreadable body instead of a server error.
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("The request body is nested too deeply.") from None
