"""Security by default: CSRF everywhere, headers, cookies, production guards."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing.converters import NumberConverter

from config import ConfigError, load_config
from skyframe import create_app
from tests.conftest import login

pytestmark = pytest.mark.one_database

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _sample_url(app, rule) -> str:
    """Build a URL for a rule, filling path arguments with plausible values."""
    values = {}
    for name in rule.arguments:
        numeric = isinstance(rule._converters[name], NumberConverter)
        values[name] = 1 if numeric else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_every_state_changing_route_refuses_requests_without_csrf_token(app, client, make_user):
    make_user("vega")
    login(client, "vega")  # signed in, so refusals are about CSRF, not auth
    checked = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & UNSAFE_METHODS):
            url = _sample_url(app, rule)
            for kwargs in ({"json": {}}, {"data": {"x": "1"}}):
                response = client.open(url, method=method, csrf=False, **kwargs)
                assert response.status_code == 403, (
                    f"{method} {url} answered {response.status_code}"
                )
                if url.startswith("/api/"):
                    assert response.get_json()["error"]["code"] == "csrf_failed"
            forged = client.open(url, method=method, headers={"X-CSRFToken": "forged"}, json={})
            assert forged.status_code == 403, f"{method} {url} accepted a forged token"
            checked.append(f"{method} {rule.rule}")
    # The walk must really have covered the known routes.
    assert {"POST /login", "POST /register", "POST /logout", "POST /api/v1/auth/login"} <= set(
        checked
    )


def test_csrf_token_is_in_a_meta_tag_on_every_page(client):
    for path in ("/", "/login", "/register", "/does-not-exist"):
        page = client.get(path).get_data(as_text=True)
        assert re.search(r'<meta name="csrf-token" content="[^"]+">', page), path


def _csp(response) -> str:
    return response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/auth/csrf", "/api/v1/me", "/healthz"])
def test_security_headers_on_html_and_json(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in headers["Permissions-Policy"]
    csp = _csp(response)
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    # Development/testing is plain HTTP: no HSTS there.
    assert "Strict-Transport-Security" not in headers


def test_csp_nonce_is_fresh_per_request_and_on_every_script(client):
    nonces = []
    for _ in range(3):
        response = client.get("/")
        nonce = re.search(r"'nonce-([^']+)'", _csp(response)).group(1)
        page = response.get_data(as_text=True)
        scripts = re.findall(r"<script\b[^>]*>", page)
        assert scripts
        for tag in scripts:
            assert f'nonce="{nonce}"' in tag, tag
        assert "onclick=" not in page
        assert "onload=" not in page
        nonces.append(nonce)
    assert len(set(nonces)) == 3
    assert all(len(n) >= 16 for n in nonces)


def test_session_cookie_flags(client, make_user):
    make_user("vega")
    response = login(client, "vega")
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("skyframe_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def production_app(database_url, **overrides):
    overrides.setdefault("TRUSTED_HOSTS", ["localhost", "skyframe.example"])
    return create_app(
        "production",
        SECRET_KEY="x" * 40 + "production-test-key",
        SQLALCHEMY_DATABASE_URI=database_url,
        **overrides,
    )


def test_production_adds_hsts_secure_cookies_and_https(database_url, app_factory, make_user):
    app_factory()  # empties the tables afterwards
    app = production_app(database_url)
    client = app.test_client()
    response = client.get("/login", base_url="https://skyframe.example")
    assert "max-age=63072000" in response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    # Plain HTTP is redirected to HTTPS …
    insecure = client.get("/login", base_url="http://skyframe.example")
    assert insecure.status_code == 301
    assert insecure.headers["Location"].startswith("https://")
    # … but load-balancer probes answer over HTTP.
    assert client.get("/healthz", base_url="http://skyframe.example").status_code == 200


def test_production_behind_a_proxy_sees_https_from_x_forwarded_proto(database_url, app_factory):
    """With PROXY_FIX_X_PROTO=1 the app takes the scheme from the proxy, so it
    builds https:// URLs. (Talisman also reads X-Forwarded-Proto for its
    redirect, which is why the README tells operators to let the proxy
    overwrite that header.)"""
    app_factory()
    app = production_app(database_url, PROXY_FIX_X_PROTO=1)

    @app.get("/_scheme")
    def scheme():
        from flask import request

        return request.scheme

    client = app.test_client()
    response = client.get("/_scheme", headers={"X-Forwarded-Proto": "https"})
    assert response.get_data(as_text=True) == "https"


@pytest.mark.parametrize(
    "key", [None, "", "short", "testing-only-secret-key-not-for-production-use"]
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    environ = {"PUBLIC_URL": "https://skyframe.example"}
    if key is not None:
        environ["SECRET_KEY"] = key
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config("production", environ=environ)


def test_oversized_request_is_413_json(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post(
        "/api/v1/auth/login", data="x" * 4096, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_wrong_method_is_405_with_allow_header(client):
    response = client.get("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_unexpected_errors_are_500_json_and_roll_back(app, client, monkeypatch):
    from skyframe.extensions import db
    from skyframe.models import User

    @app.get("/api/v1/_boom")
    def boom():
        db.session.add(
            User(
                email="half@example.org",
                email_key="half@example.org",
                handle="half",
                display_name="h",
                password_hash="x",
            )
        )
        db.session.flush()
        raise RuntimeError("boom")

    @app.get("/_boom")
    def boom_page():
        raise RuntimeError("boom")

    rollbacks = []
    real_rollback = db.session.rollback
    monkeypatch.setattr(db.session, "rollback", lambda: rollbacks.append(1) or real_rollback())
    response = client.get("/api/v1/_boom")
    assert rollbacks, "the 500 handler did not roll back"
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {"code": "internal_error", "message": response.get_json()["error"]["message"]}
    }
    page = client.get("/_boom")
    assert page.status_code == 500
    assert "text/html" in page.content_type
    with app.app_context():
        assert db.session.query(User).filter_by(handle="half").count() == 0


def test_https_redirect_does_not_believe_a_client_x_forwarded_proto(database_url, app_factory):
    app_factory()
    client = production_app(database_url).test_client()
    spoofed = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert spoofed.status_code == 301
    assert spoofed.headers["Location"] == "https://localhost/login"
    form_post = client.post("/login", data={})
    assert form_post.status_code == 308


def test_csrf_refusal_says_why(client):
    response = client.post("/api/v1/auth/logout", csrf=False)
    assert response.status_code == 403
    assert "missing" in response.get_json()["error"]["message"].lower()


def test_a_response_that_breaks_its_contract_is_a_logged_500(app, client, monkeypatch):
    from skyframe.api.contract import operation
    from skyframe.api.schemas.accounts import CsrfToken
    from skyframe.web import errors

    logged = []
    monkeypatch.setattr(errors.log, "exception", lambda *args: logged.append(args))

    @app.get("/api/v1/_broken")
    @operation(tags=["test"], returns=CsrfToken)
    def broken():
        return {"csrf_token": 42}

    response = client.get("/api/v1/_broken")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert logged, "the broken response was not logged"
