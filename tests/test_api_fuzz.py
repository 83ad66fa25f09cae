"""Property-based fuzzing of the whole JSON API with schemathesis.

Every documented operation gets generated requests (valid and invalid) from
the OpenAPI document, sent as a signed-in user with a valid CSRF token; the
answers must never be 5xx and must conform to the document (status codes,
content types, bodies). Set SKYFRAME_FUZZ_EXAMPLES to fuzz harder.
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import STRONG_PASSWORD

EXAMPLES_PER_OPERATION = int(os.environ.get("SKYFRAME_FUZZ_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


# Operations without inputs that must succeed for the fuzzing user.
ANSWERED_FOR_A_SIGNED_IN_USER = {"/api/v1/me", "/api/v1/motd", "/api/v1/auth/csrf"}


@pytest.fixture
def fuzz_app(app_factory):
    # Rate limits are tested on their own; here they would only cut the run short.
    # A live session's event stream (text/event-stream) ends after a second,
    # so a case that opens one does not hold the run.
    return app_factory(RATELIMIT_ENABLED=False, LIVE_STREAM_MAX_SECONDS=1, LIVE_HEARTBEAT_SECONDS=1)


@pytest.fixture
def sign_in(fuzz_app):
    """Returns a fresh session cookie and CSRF token of a new user on each call:
    a fuzzed POST /auth/logout really ends the session it is sent with, and
    a fuzzed POST /me/sessions/revoke-others (or a password change) really
    ends every other session of its user, so no two calls share a user."""
    counter = itertools.count(1)

    def credentials():
        handle = f"fuzzer{next(counter)}"
        # Registered through fuzz_app itself: another app built now would
        # re-bind the shared rate limiter with its own settings.
        client = fuzz_app.test_client()
        answer = client.post(
            "/api/v1/auth/register",
            json={
                "email": f"{handle}@example.org",
                "handle": handle,
                "display_name": "Fuzzer",
                "password": STRONG_PASSWORD,
            },
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)
        token = answer.get_json()["csrf_token"]
        cookie = client.get_cookie(fuzz_app.config["SESSION_COOKIE_NAME"])
        return {"cookies": {cookie.key: cookie.value}, "headers": {"X-CSRFToken": token}}

    return credentials


# Operations that end the session they are sent with (a sign-in or sign-up
# ends the browser's previous session, whoever it belonged to), every other
# one of its user, or the user: each of their cases gets a user of its own. All
# other cases share one signed-in user, whose sign-up is the fuzz run's
# largest cost when paid per case (three thousand cases).
SESSION_ENDING = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("POST", "/api/v1/auth/logout"),
    ("DELETE", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/me/sessions/revoke-others"),
    ("DELETE", "/api/v1/me/sessions/{session_id}"),
}


@pytest.fixture
def api_schema(fuzz_app, sign_in):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    # Credentials come from the provider below, so that the ignored_auth
    # check can strip them and expect 401/403; they are not fuzzed themselves.
    schema.config.generation.update(with_security_parameters=False, modes=["positive", "negative"])

    shared = {}

    @schema.auth(refresh_interval=None)
    class SignedInUser:
        def get(self, case, context):
            if (case.method.upper(), case.operation.path) in SESSION_ENDING:
                return sign_in()
            if not shared:
                shared.update(sign_in())
            return shared

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), **data["headers"]}
            case.cookies = {**(case.cookies or {}), **data["cookies"]}

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_document(case):
    checks = CHECKS
    if (case.media_type or "").startswith("multipart/"):
        # Form fields are text on the wire: a "boolean" or "number" generated
        # to break the schema arrives as a valid string, so "rejected negative
        # data" cannot be judged for multipart bodies.
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    # The WSGI transport hands schemathesis the body as the app sent it and
    # does not decompress; compressed answers are tested in test_compression.
    response = case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})
    if case.method == "GET" and case.operation.path in ANSWERED_FOR_A_SIGNED_IN_USER:
        # Proves the requests really carried the user's session.
        assert response.status_code == 200, response.text
