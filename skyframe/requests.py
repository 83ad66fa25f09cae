"""SkyFrame's request class."""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from flask import Request, current_app
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

# Room for the form fields that come with an uploaded file.
FORM_OVERHEAD_BYTES = 1024 * 1024
# Multipart bodies sent to views that take no files.
FORM_ONLY_MAX_BYTES = 1024 * 1024


def accepts_uploads(view: Callable) -> Callable:
    """Mark a view as taking file uploads from signed-in users: its requests
    may be as large as UPLOAD_MAX_BYTES, and nobody else's body is read
    (see refuse_anonymous_uploads)."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def upload_rate_limit(view: Callable) -> Callable:
    """Uploads of posts and avatars share one per-user limit (POST only)."""
    from skyframe.ratelimit import per_user_limit

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


def _without_unnamed(values: ImmutableMultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(k, v) for k, v in values.items(multi=True) if k is not None])


class SkyFrameRequest(Request):
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
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app:
            if self._takes_uploads():
                return current_app.config["UPLOAD_MAX_BYTES"] + FORM_OVERHEAD_BYTES
            if self.mimetype == "multipart/form-data":
                return FORM_ONLY_MAX_BYTES
        # JSON bodies are small: cap them before anything (CSRF checks, rate
        # limit keys) reads the body, with the app-wide limit for the rest.
        limit = super().max_content_length
        if self._max_content_length is None and current_app and self.is_json:
            json_limit = current_app.config["API_MAX_JSON_BYTES"]
            return json_limit if limit is None else min(limit, json_limit)
        return limit

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
