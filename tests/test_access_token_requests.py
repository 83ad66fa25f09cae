"""Access tokens on requests (skyframe.web.bearer): accepted only by the API
routes stacked with ``accepts_token(scope)``, where they sign that request
in without CSRF and without a cookie session, counted per token; refused
with 401 when unknown, revoked, out of scope or of an account that may not
act; and everywhere else (API or HTML) treated as absent.

The routes here are test-only probes added to the app of this module's
fixture (endpoints under ``api.`` count as the API's, as the live routes'
do); tests/test_live_uploader_app.py runs the live routes themselves."""

from __future__ import annotations

import io

import pytest
from flask import g, jsonify, request
from flask_login import current_user, login_required

from skyframe.extensions import db, login_manager
from skyframe.models import User, utcnow
from skyframe.web.bearer import accepts_token
from skyframe.web.requests import accepts_uploads
from tests.conftest import login

pytestmark = pytest.mark.one_database


@accepts_token("live")
@login_required
def live_probe():
    return jsonify(
        handle=current_user.handle,
        by_token=g.get("access_token") is not None,
        csrf_checked=g.get("csrf_valid", False),
    )


@accepts_token("live")
@accepts_uploads
@login_required
def upload_probe():
    return jsonify(size=len(request.files["file"].read()))


@accepts_token("photos")
@login_required
def other_scope_probe():
    return jsonify(ok=True)


@accepts_token("live")
@login_required
def page_probe():
    return "<p>a page</p>"


def add_probes(app):
    app.add_url_rule(
        "/api/v1/test/live", "api.test_live", live_probe, methods=["GET", "POST", "DELETE"]
    )
    app.add_url_rule("/api/v1/test/upload", "api.test_upload", upload_probe, methods=["POST"])
    app.add_url_rule("/api/v1/test/photos", "api.test_photos", other_scope_probe, methods=["POST"])
    # A page that (wrongly) says it takes tokens still never gets one.
    app.add_url_rule("/test/page", "main.test_page", page_probe, methods=["GET", "POST"])
    return app


@pytest.fixture
def app(app_factory):
    return add_probes(app_factory(ACCESS_TOKEN_LIMIT="5 per minute"))


@pytest.fixture
def vega(make_user, as_user):
    make_user("vega")
    return as_user("vega")


@pytest.fixture
def secret(vega):
    answer = vega.post("/api/v1/me/tokens", json={"name": "Ekos", "scopes": ["live"]})
    assert answer.status_code == 201
    return answer.get_json()["secret"]


@pytest.fixture
def software(app):
    """A client with no session of its own, as capture software is."""
    return app.test_client()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_signs_in_an_accepting_route_without_csrf_or_cookie(software, secret):
    answer = software.post("/api/v1/test/live", headers=bearer(secret), csrf=False)
    assert answer.status_code == 200
    assert answer.get_json() == {"handle": "vega", "by_token": True, "csrf_checked": False}
    assert "Set-Cookie" not in answer.headers
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert software.get_cookie("skyframe_session") is None
    # Nothing of the request is left behind: the next one without it is anonymous.
    assert software.get("/api/v1/test/live").status_code == 401
    assert software.get("/api/v1/me").status_code == 401


def test_an_upload_route_takes_the_token_before_the_anonymous_gate(software, secret):
    upload = {"file": (io.BytesIO(b"frame bytes"), "frame.jpg")}
    answer = software.post("/api/v1/test/upload", data=upload, headers=bearer(secret), csrf=False)
    assert answer.status_code == 200
    assert answer.get_json() == {"size": 11}
    refused = software.post(
        "/api/v1/test/upload", data={"file": (io.BytesIO(b"x"), "f.jpg")}, csrf=False
    )
    assert refused.status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer sf_pat_unknownunknownunknownunknownunknownunk",
        "Bearer not-a-token",
        "Bearer ",
        "bearer sf_pat_x",
    ],
)
def test_unknown_tokens_are_401_in_the_error_shape(software, secret, header):
    answer = software.post("/api/v1/test/live", headers={"Authorization": header}, csrf=False)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "invalid_token"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_scheme_is_not_a_token(software, secret):
    answer = software.get("/api/v1/test/live", headers={"Authorization": "Basic dmVnYTp4"})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"


def test_a_token_without_the_routes_scope_is_401(software, secret):
    answer = software.post("/api/v1/test/photos", headers=bearer(secret), csrf=False)
    assert answer.status_code == 401
    assert "scope" in answer.get_json()["error"]["message"]


def test_a_revoked_token_is_401(vega, software, secret):
    token_id = vega.get("/api/v1/me/tokens").get_json()["items"][0]["id"]
    assert vega.delete(f"/api/v1/me/tokens/{token_id}").status_code == 204
    answer = software.post("/api/v1/test/live", headers=bearer(secret), csrf=False)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("state", ["disabled", "suspended", "deleted"])
def test_the_tokens_of_an_account_that_may_not_act_are_401(app, software, secret, state):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.handle == "vega"))
        if state == "disabled":
            user.disabled = True
        elif state == "suspended":
            user.suspended_at = utcnow()
        else:
            user.deleted_at = utcnow()
        db.session.commit()
    answer = software.post("/api/v1/test/live", headers=bearer(secret), csrf=False)
    assert answer.status_code == 401


def test_a_valid_token_elsewhere_in_the_api_counts_as_absent(software, secret):
    assert software.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert software.get("/api/v1/me/tokens", headers=bearer(secret)).status_code == 401
    post = software.post(
        "/api/v1/posts",
        data={"title": "M31", "category": "deep-sky", "file": (io.BytesIO(b"x"), "a.jpg")},
        headers=bearer(secret),
        csrf=False,
    )
    assert post.status_code == 401
    # And with a session as well, the session (and its CSRF rule) is what counts.


def test_a_token_never_signs_in_a_page(software, secret):
    page = software.get("/test/page", headers=bearer(secret))
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?")
    # Nor does it lift the form's CSRF check.
    assert software.post("/test/page", headers=bearer(secret), csrf=False).status_code == 403
    assert software.get("/settings", headers=bearer(secret)).status_code == 302
    assert software.get("/settings/tokens", headers=bearer(secret)).status_code in (302, 404)


def test_with_a_session_a_token_elsewhere_changes_nothing(vega, secret):
    me = vega.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200
    # The session still needs its CSRF token where the token is not accepted.
    refused = vega.post(
        "/api/v1/me/tokens",
        json={"name": "x", "scopes": ["live"]},
        headers=bearer(secret),
        csrf=False,
    )
    assert refused.status_code == 403


def test_a_signed_in_browser_still_needs_csrf_on_an_accepting_route(vega):
    assert vega.post("/api/v1/test/live", csrf=False).status_code == 403
    answer = vega.post("/api/v1/test/live")
    assert answer.status_code == 200
    assert answer.get_json()["by_token"] is False


def test_requests_are_counted_per_token(vega, software, secret):
    other = vega.post("/api/v1/me/tokens", json={"name": "N.I.N.A.", "scopes": ["live"]})
    other_secret = other.get_json()["secret"]
    statuses = [
        software.post("/api/v1/test/live", headers=bearer(secret), csrf=False).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    limited = software.post("/api/v1/test/live", headers=bearer(secret), csrf=False)
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    # Another token of the same account, and the browser session, have their own count.
    assert (
        software.post("/api/v1/test/live", headers=bearer(other_secret), csrf=False).status_code
        == 200
    )
    assert vega.post("/api/v1/test/live").status_code == 200


def test_flask_login_never_reads_the_header(app):
    assert login_manager._request_callback is None
    assert getattr(login_manager, "_header_callback", None) is None


def test_last_use_shows_in_the_list(vega, software, secret):
    assert vega.get("/api/v1/me/tokens").get_json()["items"][0]["last_used_at"] is None
    software.post("/api/v1/test/live", headers=bearer(secret), csrf=False)
    assert vega.get("/api/v1/me/tokens").get_json()["items"][0]["last_used_at"] is not None


def test_login_still_works_after_a_token_request(app, software, secret, make_user):
    software.post("/api/v1/test/live", headers=bearer(secret), csrf=False)
    assert login(software, "vega").status_code == 200
    assert software.get("/api/v1/me").get_json()["handle"] == "vega"
