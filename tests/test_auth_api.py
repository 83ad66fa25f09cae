"""Accounts over JSON: /api/v1/auth/* and /api/v1/me."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from tests.conftest import STRONG_PASSWORD, login

NEW_ACCOUNT = {
    "email": "hubble@example.org",
    "handle": "hubble",
    "display_name": "Edwin Hubble",
    "password": STRONG_PASSWORD,
}


def test_register_creates_account_and_signs_in(client):
    response = client.post("/api/v1/auth/register", json=NEW_ACCOUNT)
    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["handle"] == "hubble"
    assert body["user"]["email"] == "hubble@example.org"
    assert body["user"]["role"] == "user"
    assert "password" not in str(body).lower().replace("password_hash", "")
    assert body["csrf_token"]
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["handle"] == "hubble"


def test_me_is_401_when_signed_out(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_register_validation_errors_name_each_field(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "x", "handle": "no spaces", "display_name": "", "password": "weak"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"email", "handle", "display_name", "password"}


def test_register_missing_and_mistyped_fields_are_422(client):
    response = client.post("/api/v1/auth/register", json={"email": 5})
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"email", "handle", "display_name", "password"} <= set(fields)


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "[" * 100_000])
def test_malformed_bodies_are_400(client, body):
    response = client.post("/api/v1/auth/register", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in {"malformed_body", "bad_request"}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("a=b", "text/plain"),
        ({"login": "vega", "password": "x"}, None),
        ("<x/>", "application/xml"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/auth/register", "/api/v1/auth/login"])
def test_non_json_bodies_are_415(client, path, data, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post(path, data=data, **kwargs)
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_oversized_json_is_413(client):
    response = client.post("/api/v1/auth/login", json={"login": "x" * 300_000, "password": "y"})
    assert response.status_code == 413


@pytest.mark.parametrize("login_name", ["vega\x00@example.org", "ve\x00ga", "\x00"])
def test_nul_characters_are_refused_not_crashed_on(client, make_user, login_name):
    make_user("vega")
    response = login(client, login_name)
    assert response.status_code == 422
    page = client.post("/login", data={"login": login_name, "password": STRONG_PASSWORD})
    assert page.status_code == 401


def test_duplicate_registration_is_409(client, make_user):
    make_user("hubble")
    response = client.post(
        "/api/v1/auth/register", json={**NEW_ACCOUNT, "email": "new@example.org"}
    )
    assert response.status_code == 409
    assert "handle" in response.get_json()["error"]["fields"]


def test_over_long_inputs_are_refused_cleanly(client):
    response = client.post(
        "/api/v1/auth/register",
        json={**NEW_ACCOUNT, "handle": "h" * 5000, "display_name": "d" * 5000},
    )
    assert response.status_code == 422
    assert {"handle", "display_name"} <= set(response.get_json()["error"]["fields"])


def test_login_by_handle_and_logout(client, make_user):
    make_user("vega")
    response = login(client, "vega")
    assert response.status_code == 200
    assert response.get_json()["user"]["handle"] == "vega"
    assert client.get("/api/v1/me").status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_login_by_email(client, make_user):
    make_user("vega")
    assert login(client, "VEGA@example.org").status_code == 200


def test_login_failures_do_not_reveal_whether_the_account_exists(client, make_user):
    make_user("vega")
    make_user("mira", disabled=True)
    answers = [
        login(client, "nobody-here"),
        login(client, "vega", "Wrong-password-1"),
        login(client, "mira"),  # disabled: right password, same answer
        login(client, "ghost@example.org"),
    ]
    assert {r.status_code for r in answers} == {401}
    assert len({r.get_data() for r in answers}) == 1


def test_login_token_from_before_login_is_not_reused(client, make_user):
    """The session is rotated at login: the old CSRF token stops working."""
    make_user("vega")
    old_token = client.csrf_token()
    response = client.post(
        "/api/v1/auth/login",
        json={"login": "vega", "password": STRONG_PASSWORD},
        headers={"X-CSRFToken": old_token},
    )
    new_token = response.get_json()["csrf_token"]
    assert new_token != old_token
    stale = client.post("/api/v1/auth/logout", headers={"X-CSRFToken": old_token})
    assert stale.status_code == 403
    fresh = client.post("/api/v1/auth/logout", headers={"X-CSRFToken": new_token})
    assert fresh.status_code == 204


def test_disabling_an_account_ends_its_sessions(app, client, make_user):
    from skyframe.extensions import db
    from skyframe.models import User

    user = make_user("vega")
    login(client, "vega")
    with app.app_context():
        db.session.get(User, user.id).disabled = True
        db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def _cookie_lifetime(set_cookie: str) -> timedelta | None:
    match = re.search(r"Expires=([^;]+)", set_cookie)
    if not match:
        return None
    return parsedate_to_datetime(match.group(1)) - datetime.now(UTC)


def _set_cookie(response, name: str) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "="))


def test_remember_me_sets_a_30_day_http_only_cookie(client, make_user):
    make_user("vega")
    response = client.post(
        "/api/v1/auth/login", json={"login": "vega", "password": STRONG_PASSWORD, "remember": True}
    )
    remember = _set_cookie(response, "remember_token")
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember
    assert timedelta(days=29) < _cookie_lifetime(remember) <= timedelta(days=30)


def test_without_remember_me_the_session_ends_with_the_browser(client, make_user):
    make_user("vega")
    response = login(client, "vega")
    assert _cookie_lifetime(_set_cookie(response, "skyframe_session")) is None
    assert not [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")
    ]


def test_logout_ends_the_remembered_session_too(client, make_user):
    make_user("vega")
    client.post(
        "/api/v1/auth/login", json={"login": "vega", "password": STRONG_PASSWORD, "remember": True}
    )
    response = client.post("/api/v1/auth/logout")
    assert "remember_token=;" in _set_cookie(response, "remember_token")
    assert client.get("/api/v1/me").status_code == 401


def test_cookies_replayed_after_logout_are_refused(app, make_user):
    make_user("vega")
    client = app.test_client()
    client.post(
        "/api/v1/auth/login", json={"login": "vega", "password": STRONG_PASSWORD, "remember": True}
    )
    session_cookie = client.get_cookie("skyframe_session").value
    remember_cookie = client.get_cookie("remember_token").value
    client.post("/api/v1/auth/logout")

    thief = app.test_client()
    thief.set_cookie("skyframe_session", session_cookie)
    assert thief.get("/api/v1/me").status_code == 401
    thief = app.test_client()
    thief.set_cookie("remember_token", remember_cookie)
    assert thief.get("/api/v1/me").status_code == 401
