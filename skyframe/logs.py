"""How SkyFrame's processes log: text for a person at a terminal, or one JSON
object per line (``LOG_FORMAT=json``, production's default) for a log
collector, each record carrying the request id and user id of the request it
happened in (skyframe/web/request_log.py sets them)."""

from __future__ import annotations

import logging
import sys

from flask import Flask, g, has_request_context
from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "[%(asctime)s] %(levelname)s %(name)s %(request_id)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s"


class RequestFields(logging.Filter):
    """Adds ``request_id`` and ``user_id`` to every record ("-"/None outside a
    request), so any line can be traced to the request that wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        in_request = has_request_context()
        record.request_id = g.get("request_id", "-") if in_request else "-"
        # The user only when the request loaded them anyway: logging must not
        # cost a query.
        record.user_id = getattr(g.get("_login_user"), "id", None) if in_request else None
        return True


def configure_logging(app: Flask) -> None:
    """One handler on the ``skyframe`` logger (the app's own), in the format
    ``LOG_FORMAT`` names; configuring again (another app in the same
    process, as tests do) replaces it instead of adding a second."""
    logger = logging.getLogger("skyframe")
    logger.setLevel(app.config["LOG_LEVEL"])
    for handler in list(logger.handlers):
        logger.removeHandler(handler)  # Flask's default handler, or ours from an earlier app
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestFields())
    logger.addHandler(handler)
