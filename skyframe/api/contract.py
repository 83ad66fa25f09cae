"""How every /api/v1 operation is declared.

``operation(...)`` wraps spectree's ``validate``: the same pydantic models
validate the request, check the response and describe both in the OpenAPI
document, together with the operation's authentication and its errors in
SkyFrame's one error shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import get_type_hints

from flask import Response as FlaskResponse
from flask import current_app, g, request
from pydantic import BaseModel
from spectree import Response

from skyframe.extensions import api_spec
from skyframe.validation import ErrorResponse, MalformedBody, UnsupportedBody

# OpenAPI security requirements (schemes are declared in extensions.py).
PUBLIC: list[dict[str, list[str]]] = []
SESSION = {"session": []}
SESSION_AND_CSRF = {"session": [], "csrf": []}
CSRF_ONLY = {"csrf": []}


def operation(
    *,
    tags: Iterable[str],
    ok: int = 200,
    returns: type[BaseModel] | None = None,
    json: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    signed_in: bool = False,
    writes: bool = False,
    errors: Iterable[int] = (),
    also_returns: dict[int, type[BaseModel]] | None = None,
    streams: str | None = None,
    also_codes: Iterable[int] = (),
) -> Callable:
    """Declare an API operation.

    ``signed_in`` operations answer 401 without a session; ``writes``
    operations need the X-CSRFToken header and answer 403 without it. Bodies
    and queries that fail validation answer 422 (400 when the body is not a
    JSON object, 415 when it is not sent as application/json; ``form``
    bodies must be multipart/form-data). ``errors`` lists any further error
    statuses the operation can answer; ``also_returns`` further successes.
    """
    statuses = set(errors)
    if writes:
        statuses.add(403)
    if signed_in:
        statuses.add(401)
    if json is not None or form is not None:
        statuses.update({400, 415, 422})
    if query is not None:
        statuses.add(422)

    documented: dict[str, type[BaseModel]] = {f"HTTP_{code}": ErrorResponse for code in statuses}
    documented.update({f"HTTP_{code}": model for code, model in (also_returns or {}).items()})
    codes: list[str] = [f"HTTP_{code}" for code in also_codes]
    if returns is None:
        codes.append(f"HTTP_{ok}")
    else:
        documented[f"HTTP_{ok}"] = returns

    if writes:
        security = SESSION_AND_CSRF if signed_in else CSRF_ONLY
    else:
        security = SESSION if signed_in else PUBLIC

    validate = api_spec.validate(
        json=json,
        form=form,
        query=query,
        resp=Response(*codes, **documented),
        tags=list(tags),
        security=security,
    )

    body_type = "application/json" if json is not None else "multipart/form-data"

    def decorate(view: Callable) -> Callable:
        if streams is not None:
            return _streaming(validate, view, ok, streams)
        validated = validate(view)
        if json is None and form is None:
            return validated

        @wraps(validated)
        def one_body_type(*args, **kwargs):
            # spectree skips validation for other body types: refuse them here.
            if request.mimetype != body_type:
                raise UnsupportedBody(f"Send the request body as {body_type}.")
            # ... and reads a JSON null, or no body at all, as {}.
            if json is not None and not isinstance(request.get_json(silent=True), dict):
                raise MalformedBody("The request body must be a JSON object.")
            return validated(*args, **kwargs)

        return one_body_type

    return decorate


def _streaming(validate: Callable, view: Callable, ok: int, media_type: str) -> Callable:
    """A view whose success streams: spectree reads a returned response's
    whole body to check it, which for a stream would be the whole stream.
    It is handed a stand-in, and the stream goes out instead."""

    @wraps(view)
    def stand_in(*args, **kwargs):
        result = view(*args, **kwargs)
        if isinstance(result, FlaskResponse) and result.is_streamed:
            g.skyframe_stream = result
            return FlaskResponse(status=result.status_code)
        return result

    # Resolved here: the names in the view's annotations are its module's.
    stand_in.__annotations__ = get_type_hints(view)
    validated = validate(stand_in)

    @wraps(validated)
    def streaming(*args, **kwargs):
        answer = validated(*args, **kwargs)
        return g.pop("skyframe_stream", None) or answer

    streaming.streams = (ok, media_type)  # type: ignore[attr-defined]
    return streaming


def openapi_document() -> dict:
    """The OpenAPI 3.1 document built from the declared operations (cached)."""
    document = api_spec.spec
    _document_streams(document)
    return document


def _document_streams(document: dict) -> None:
    """spectree describes every success as JSON: streamed ones (``streams``)
    get their own media type. Done in place, on the cached document."""
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        if not hasattr(view, "streams"):
            continue
        status, media_type = view.streams
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            spec = document["paths"].get(path, {}).get(method.lower())
            if spec is not None:
                spec["responses"][str(status)]["content"] = {
                    media_type: {"schema": {"type": "string"}}
                }
