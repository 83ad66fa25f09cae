from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from skyframe.api import reference as api_reference
from skyframe.api.contract import openapi_document
from skyframe.extensions import db, limiter
from skyframe.main.blueprint import bp

log = logging.getLogger(__name__)


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
    """The app can reach its database (503 if not). An unreachable rate-limit
    store is reported as degraded: limits then count per process."""
    limits = _rate_limit_storage_state()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("readiness check failed")
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", rate_limits=limits), 503
    return jsonify(status="ready", database="ok", rate_limits=limits)


def _rate_limit_storage_state() -> str:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return "off"  # no limits, so no store to reach (nor a traceback to log)
    try:
        return "ok" if limiter.storage.check() else "degraded"
    except Exception:
        log.warning("rate-limit storage check failed", exc_info=True)
        return "degraded"
