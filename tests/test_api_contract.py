"""The OpenAPI document is the API's contract: it covers every /api/v1 route,
is valid OpenAPI 3.1, and states auth and errors for every operation."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from skyframe.api.contract import openapi_document

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# The document does not describe itself.
UNDOCUMENTED = {"/api/v1/openapi.json"}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def routed_operations(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if not path.startswith("/api/v1/") or path in UNDOCUMENTED:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operations.add((method, path))
    return operations


def documented_operations(document) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    routed = routed_operations(app)
    documented = documented_operations(document)
    assert routed - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routed == set(), "documented operations with no route"
    assert len(routed) >= 7


def test_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_operation_states_auth_and_errors(app):
    with app.app_context():
        document = openapi_document()
    for path, item in document["paths"].items():
        for method, spec in item.items():
            where = f"{method.upper()} {path}"
            assert spec.get("summary"), f"{where} has no summary"
            assert "security" in spec, f"{where} does not state its authentication"
            schemes = {name for requirement in spec["security"] for name in requirement}
            if method.upper() in UNSAFE:
                assert "csrf" in schemes, f"{where} writes without documenting CSRF"
                assert "403" in spec["responses"], f"{where} does not document 403 (CSRF)"
            if "session" in schemes:
                assert "401" in spec["responses"], f"{where} needs a session but has no 401"
            for status, response in spec["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, where


def test_documented_error_shape_is_what_the_api_sends(client):
    body = client.post("/api/v1/auth/register", json={}).get_json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} >= set(body["error"]) >= {"code", "message"}


def test_reference_page_lists_every_operation(app, client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for method, path in routed_operations(app):
        assert f"{method} {path}" in html
    assert "cdn" not in html.lower()
    assert "ErrorResponse" in html
