"""The API's own description: the OpenAPI document and its reference page."""

from __future__ import annotations

from flask import jsonify

from skyframe.api import bp
from skyframe.extensions import api_spec


def openapi_document() -> dict:
    """The OpenAPI 3.1 document built from the declared operations (cached)."""
    return api_spec.spec


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())
