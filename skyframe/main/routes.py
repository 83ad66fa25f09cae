from __future__ import annotations

import contextlib
import logging

from flask import current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from skyframe.api import reference as api_reference
from skyframe.api.contract import openapi_document
from skyframe.extensions import db, limiter
from skyframe.jobs import current_jobs
from skyframe.main.blueprint import bp
from skyframe.services import broker, current_storage
from skyframe.storage import StorageError

log = logging.getLogger(__name__)
# A key no file has: asking for it reaches the storage without writing.
READINESS_PROBE_KEY = "readiness-probe"


@bp.get("/api/docs")
def api_docs():
    """A readable reference of the JSON API, rendered from its OpenAPI document."""
    document = openapi_document()
    return render_template(
        "api/docs.html",
        info=document["info"],
        openapi_version=document["openapi"],
        groups=api_reference.operations_by_tag(document),
        schemas=api_reference.schemas(document),
    )


# Probes are answered over plain HTTP (load balancers call them directly, see
# security.PLAIN_HTTP_ENDPOINTS) and are never rate limited.
@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up and serving requests."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Whether the app can serve: its database (503 if unreachable), and
    how the parts it can go on without are doing: the rate-limit store (when
    unreachable, limits count per process), the file storage and the job
    queue, and the live events' broker ("degraded" overall when one of them
    is not "ok")."""
    limits = _rate_limit_storage_state()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("readiness check: the database is unreachable (%s)", type(exc).__name__)
        with contextlib.suppress(SQLAlchemyError):
            db.session().invalidate()  # no ROLLBACK on a connection that is gone
        return jsonify(status="unavailable", database="unreachable", rate_limits=limits), 503
    storage, jobs, events = _storage_state(), _job_queue_state(), _events_state()
    parts = (limits, storage, jobs["state"], events["state"])
    status = "ready" if all(part in ("ok", "off") for part in parts) else "degraded"
    return jsonify(
        status=status,
        database="ok",
        rate_limits=limits,
        storage=storage,
        jobs=jobs,
        events=events,
    )


def _storage_state() -> str:
    try:
        current_storage().exists(READINESS_PROBE_KEY)
    except StorageError:
        log.warning("storage check failed", exc_info=True)
        return "unreachable"
    return "ok"


def _job_queue_state() -> dict:
    counts = current_jobs().counts()
    state = "unreachable" if counts.error else "ok"
    return {"state": state, "backend": counts.backend, "queued": counts.queued}


def _events_state() -> dict:
    events = broker()
    state = events.state()
    if state != "ok":
        log.warning("readiness check: the live events' %s is %s", events.backend, state)
    return {"state": state, "backend": events.backend}


def _rate_limit_storage_state() -> str:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return "off"  # no limits, so no store to reach (nor a traceback to log)
    try:
        return "ok" if limiter.storage.check() else "degraded"
    except Exception:
        log.warning("rate-limit storage check failed", exc_info=True)
        return "degraded"
