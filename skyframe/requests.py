"""SkyFrame's request class."""

from __future__ import annotations

from flask import Request, current_app
from werkzeug.exceptions import BadRequest


class SkyFrameRequest(Request):
    @property
    def max_content_length(self) -> int | None:
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
