"""Werkzeug's development server as `make run` serves it: without the
``Server: Werkzeug/… Python/…`` header, which tells a visitor which versions
to look up vulnerabilities for (production answers through gunicorn, whose
header names no version, behind a proxy that sends its own)."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class QuietRequestHandler(WSGIRequestHandler):
    def send_response(self, code: int, message: str | None = None) -> None:
        # http.server's own, less the Server header.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
