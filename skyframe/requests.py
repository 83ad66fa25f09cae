"""SkyFrame's request class."""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from flask import Request, current_app
from werkzeug.exceptions import BadRequest

# Room for the form fields that come with an uploaded file.
FORM_OVERHEAD_BYTES = 1024 * 1024


def accepts_uploads(view: Callable) -> Callable:
    """Mark a view as taking file uploads: its requests may be as large as
    UPLOAD_MAX_BYTES (checked before the body is read)."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


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
        return tempfile.NamedTemporaryFile("wb+", prefix="upload-", dir=storage.spool_directory())

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self._takes_uploads():
            return current_app.config["UPLOAD_MAX_BYTES"] + FORM_OVERHEAD_BYTES
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
