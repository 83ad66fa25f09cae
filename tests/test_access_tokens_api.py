"""Personal access tokens over JSON: made (the secret shown once), listed
without secrets, revoked by their owner only, and managed with the session
and CSRF token alone."""

from __future__ import annotations

import pytest

from skyframe.extensions import db
from skyframe.models import AccessToken
from tests.conftest import login

TOKEN_FIELDS = {"id", "name", "scopes", "created_at", "last_used_at"}


@pytest.fixture
def vega(make_user, as_user):
    make_user("vega")
    return as_user("vega")


def make(client, name="SharpCap laptop", scopes=("live",)):
    return client.post("/api/v1/me/tokens", json={"name": name, "scopes": list(scopes)})


def test_making_a_token_shows_its_secret_once(app, vega):
    answer = make(vega)
    assert answer.status_code == 201
    body = answer.get_json()
    assert set(body) == {"token", "secret"}
    assert set(body["token"]) == TOKEN_FIELDS
    assert body["token"]["name"] == "SharpCap laptop"
    assert body["token"]["scopes"] == ["live"]
    assert body["token"]["last_used_at"] is None
    secret = body["secret"]
    assert secret.startswith("sf_pat_")
    listed = vega.get("/api/v1/me/tokens")
    assert listed.status_code == 200
    assert listed.get_json()["items"] == [body["token"]]
    assert secret not in listed.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(AccessToken, body["token"]["id"])
        assert secret not in (row.secret_hash, row.name, row.scopes)


def test_bad_names_and_scopes_are_refused_with_their_field(vega):
    for body, field in [
        ({"name": "", "scopes": ["live"]}, "name"),
        ({"name": "x" * 61, "scopes": ["live"]}, "name"),
        ({"name": "Cam", "scopes": []}, "scopes"),
        ({"name": "Cam", "scopes": ["admin"]}, "scopes"),
    ]:
        answer = vega.post("/api/v1/me/tokens", json=body)
        assert answer.status_code == 422, body
        assert field in answer.get_json()["error"]["fields"], body
    assert vega.post("/api/v1/me/tokens", json={"name": "Cam"}).status_code == 422
    assert vega.get("/api/v1/me/tokens").get_json()["items"] == []


def test_the_number_of_tokens_is_capped(app_factory, make_user):
    app = app_factory(ACCESS_TOKENS_PER_USER=2)
    client = app.test_client()
    make_user("vega")
    login(client, "vega")
    first = make(client).get_json()["token"]["id"]
    make(client)
    full = make(client)
    assert full.status_code == 409
    assert full.get_json()["error"]["code"] == "token_limit_reached"
    assert client.delete(f"/api/v1/me/tokens/{first}").status_code == 204
    assert make(client).status_code == 201


def test_revoking_is_for_the_owner(vega, as_user, make_user):
    make_user("mira")
    mira = as_user("mira")
    theirs = make(mira).get_json()["token"]["id"]
    mine = make(vega).get_json()["token"]["id"]
    assert vega.delete(f"/api/v1/me/tokens/{theirs}").status_code == 404
    assert vega.delete("/api/v1/me/tokens/999999").status_code == 404
    assert [t["id"] for t in mira.get("/api/v1/me/tokens").get_json()["items"]] == [theirs]
    assert vega.delete(f"/api/v1/me/tokens/{mine}").status_code == 204
    assert vega.delete(f"/api/v1/me/tokens/{mine}").status_code == 404
    assert vega.get("/api/v1/me/tokens").get_json()["items"] == []


def test_managing_tokens_needs_the_session_and_csrf(client, vega):
    assert client.get("/api/v1/me/tokens").status_code == 401
    assert make(client).status_code == 401
    no_csrf = vega.post("/api/v1/me/tokens", json={"name": "Cam", "scopes": ["live"]}, csrf=False)
    assert no_csrf.status_code == 403
    made = make(vega).get_json()
    assert vega.delete(f"/api/v1/me/tokens/{made['token']['id']}", csrf=False).status_code == 403


def test_a_token_cannot_manage_tokens(app, vega):
    made = make(vega).get_json()
    software = app.test_client()
    bearer = {"Authorization": f"Bearer {made['secret']}"}
    assert software.get("/api/v1/me/tokens", headers=bearer).status_code == 401
    assert (
        software.post(
            "/api/v1/me/tokens", json={"name": "Next", "scopes": ["live"]}, headers=bearer
        ).status_code
        == 401
    )
    assert (
        software.delete(f"/api/v1/me/tokens/{made['token']['id']}", headers=bearer).status_code
        == 401
    )
    assert len(vega.get("/api/v1/me/tokens").get_json()["items"]) == 1


def test_the_document_describes_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    create = document["paths"]["/api/v1/me/tokens"]["post"]
    assert create["security"] == [{"session": [], "csrf": []}]
