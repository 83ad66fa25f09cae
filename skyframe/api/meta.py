"""The API's own description: the OpenAPI document and its reference page."""

from __future__ import annotations

from flask import jsonify

from skyframe.api.blueprint import bp
from skyframe.api.contract import openapi_document


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())
