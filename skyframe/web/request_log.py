"""Every request gets an id: the caller's ``X-Request-ID`` when it is a sane
token (nginx's ``$request_id``, a load balancer's), else a fresh one. It is
echoed in the response, carried by every log line of the request, and with
``LOG_REQUESTS`` one line per request says what was asked, by whom, with what
result and how long it took."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, current_app, g, request

from skyframe.web.client import client_address

REQUEST_ID_HEADER = "X-Request-ID"
# Long enough for a UUID or a tracing id; nothing a log reader could trip on.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access_log = logging.getLogger("skyframe.requests")


def init_request_log(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_finish)


def request_id_from(header: str | None) -> str:
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _begin() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a before_request ahead of ours answered first
        request_id = g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    response.headers[REQUEST_ID_HEADER] = request_id
    if current_app.config["LOG_REQUESTS"]:
        started = g.get("request_started")
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                if started is not None
                else None,
                "client": client_address(),
                "bytes": response.content_length,
            },
        )
    return response
