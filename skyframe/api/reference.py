"""Turns the OpenAPI document into what the /api/docs page shows: operations
grouped by tag, with readable parameter, body and response tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SECURITY_LABELS = {
    "session": "session cookie",
    "csrf": "X-CSRFToken header",
    "bearer": "access token (Authorization: Bearer)",
}


@dataclass
class FieldRow:
    name: str
    type: str
    required: bool
    notes: str
    description: str


@dataclass
class ResponseRow:
    status: str
    description: str
    schema: str | None


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    auth: str
    parameters: list[FieldRow] = field(default_factory=list)
    body_schema: str | None = None
    responses: list[ResponseRow] = field(default_factory=list)


@dataclass
class Schema:
    name: str
    description: str
    fields: list[FieldRow]


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def describe_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        return " or ".join(describe_type(option) for option in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {describe_type(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {describe_type(schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _notes(schema: dict[str, Any]) -> str:
    notes = []
    for key, label in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "min"),
        ("maximum", "max"),
        ("pattern", "pattern"),
    ):
        if key in schema:
            notes.append(f"{label} {schema[key]}")
    if "default" in schema and schema["default"] is not None:
        notes.append(f"default {schema['default']!r}")
    if "enum" in schema:
        notes.append("one of " + ", ".join(map(str, schema["enum"])))
    return "; ".join(notes)


def schema_fields(schema: dict[str, Any]) -> list[FieldRow]:
    required = set(schema.get("required", ()))
    return [
        FieldRow(
            name=name,
            type=describe_type(prop),
            required=name in required,
            notes=_notes(prop),
            description=prop.get("description", ""),
        )
        for name, prop in schema.get("properties", {}).items()
    ]


def _auth_label(security: list[dict[str, list[str]]]) -> str:
    if not security:
        return "none"
    return " or ".join(
        " + ".join(SECURITY_LABELS.get(name, name) for name in requirement)
        for requirement in security
    )


def _json_schema_name(content: dict[str, Any] | None) -> str | None:
    schema = (content or {}).get("application/json", {}).get("schema")
    return describe_type(schema) if schema else None


def operations_by_tag(document: dict[str, Any]) -> dict[str, list[Operation]]:
    grouped: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            operation = Operation(
                method=method.upper(),
                path=path,
                anchor=spec.get("operationId", f"{method}-{path}"),
                summary=spec.get("summary", ""),
                description=spec.get("description", ""),
                auth=_auth_label(spec.get("security", document.get("security", []))),
                parameters=[
                    FieldRow(
                        name=f"{p['name']} ({p['in']})",
                        type=describe_type(p.get("schema", {})),
                        required=p.get("required", False),
                        notes=_notes(p.get("schema", {})),
                        description=p.get("description", ""),
                    )
                    for p in spec.get("parameters", [])
                ],
                body_schema=_json_schema_name(spec.get("requestBody", {}).get("content")),
                responses=[
                    ResponseRow(
                        status,
                        response.get("description", ""),
                        _json_schema_name(response.get("content")),
                    )
                    for status, response in sorted(spec.get("responses", {}).items())
                ],
            )
            for tag in spec.get("tags") or ["other"]:
                grouped.setdefault(tag, []).append(operation)
    return grouped


def schemas(document: dict[str, Any]) -> list[Schema]:
    components = document.get("components", {}).get("schemas", {})
    return [
        Schema(name, schema.get("description", ""), schema_fields(schema))
        for name, schema in sorted(components.items())
    ]
