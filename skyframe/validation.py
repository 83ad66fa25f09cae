"""SkyFrame's one API error shape, and the hook that turns spectree's
request-validation failures into it."""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, Field
from spectree.model_adapter.pydantic_adapter import PydanticModelAdapter

from skyframe.exceptions import DomainError, ValidationFailed


class ModelAdapter(PydanticModelAdapter):
    """spectree's pydantic adapter, without echoing inputs in error lists:
    spectree serialises the list before SkyFrame's hook sees it, and inputs
    may be uploaded files (or secrets such as passwords)."""

    def validation_errors(self, err):
        return err.errors(include_context=False, include_input=False, include_url=False)


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. validation_failed.")
    message: str = Field(description="A sentence a person can read.")
    fields: dict[str, str] | None = Field(
        default=None, description="Field name → what is wrong with it (validation errors)."
    )


class ErrorResponse(BaseModel):
    """Every error answer of the API."""

    error: ErrorDetail


class UnsupportedBody(DomainError):
    code = "unsupported_media_type"
    status = 415


class MalformedBody(DomainError):
    code = "malformed_body"
    status = 400


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    """pydantic's error list as field → first message ("body" for the whole body)."""
    fields: dict[str, str] = {}
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
        fields.setdefault(location or "body", error.get("msg", "Invalid value."))
    return fields


class ResponseContractBroken(RuntimeError):
    """The view answered something its declared response model does not allow."""


def raise_response_error(req, resp, resp_validation_error, instance, model_adapter) -> None:
    """spectree ``after`` hook: a response that breaks the contract is a bug
    (logged, rolled back and answered as a normal 500)."""
    if resp_validation_error is not None:
        problems = model_adapter.validation_errors(resp_validation_error)
        raise ResponseContractBroken(f"{request.method} {request.path}: {problems}")


def raise_validation_error(req, resp, req_validation_error, instance, model_adapter) -> None:
    """spectree ``before`` hook: stop the request with a 400/422 in our shape."""
    if req_validation_error is None:
        return
    if request.mimetype == "application/json" and request.content_length:
        body = request.get_json(silent=True)
        if body is None:
            raise MalformedBody("The request body must be JSON (Content-Type: application/json).")
        if not isinstance(body, dict):
            raise MalformedBody("The request body must be a JSON object.")
    raise ValidationFailed(
        "Some fields need attention.",
        fields=field_errors(model_adapter.validation_errors(req_validation_error)),
    )
