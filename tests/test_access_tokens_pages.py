"""The access tokens settings page: listed with name, scopes, dates and a
revoke button that works as a plain form; made through a form that shows
the secret once; linked from the settings page."""

from __future__ import annotations

import re

import pytest

from skyframe.extensions import db
from skyframe.models import AccessToken

pytestmark = pytest.mark.one_database


@pytest.fixture
def vega(make_user, as_user):
    make_user("vega")
    return as_user("vega")


def secret_on(page: str) -> str:
    return re.search(r'value="(sf_pat_[^"]+)"', page).group(1)


def test_the_settings_page_links_to_it(vega):
    assert 'href="/settings/tokens"' in vega.get("/settings").get_data(as_text=True)


def test_it_needs_a_session(client):
    answer = client.get("/settings/tokens")
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_making_a_token_shows_the_secret_once(app, vega):
    empty = vega.get("/settings/tokens")
    assert empty.status_code == 200
    assert "No tokens yet" in empty.get_data(as_text=True)
    made = vega.post("/settings/tokens", data={"name": "SharpCap laptop", "scopes": ["live"]})
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    secret = secret_on(page)
    assert secret.startswith("sf_pat_")
    assert "shown this once" in page
    assert 'data-role="copy-token"' in page
    assert "js/tokens.js" in page
    assert made.headers["Cache-Control"] == "private, no-store"
    again = vega.get("/settings/tokens").get_data(as_text=True)
    assert "SharpCap laptop" in again
    assert "never used" in again
    assert secret not in again
    assert secret not in vega.get("/api/v1/me/tokens").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(AccessToken.secret_hash)) != secret


def test_a_bad_name_is_shown_at_its_field(vega):
    answer = vega.post("/settings/tokens", data={"name": "", "scopes": ["live"]})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "is-invalid" in page
    assert "Name the token" in page
    assert "sf_pat_" not in page
    no_scope = vega.post("/settings/tokens", data={"name": "Cam"})
    assert no_scope.status_code == 422
    assert "at least one scope" in no_scope.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(vega):
    answer = vega.post("/settings/tokens", data={"name": "Cam", "scopes": ["live"]}, csrf=False)
    assert answer.status_code in (400, 403)
    assert vega.get("/api/v1/me/tokens").get_json()["items"] == []


def test_revoking_through_the_form(vega, as_user, make_user):
    vega.post("/settings/tokens", data={"name": "Ekos", "scopes": ["live"]})
    token_id = vega.get("/api/v1/me/tokens").get_json()["items"][0]["id"]
    page = vega.get("/settings/tokens").get_data(as_text=True)
    assert f'action="/settings/tokens/{token_id}/revoke"' in page
    make_user("mira")
    mira = as_user("mira")
    assert mira.post(f"/settings/tokens/{token_id}/revoke").status_code == 404
    done = vega.post(f"/settings/tokens/{token_id}/revoke")
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/settings/tokens")
    assert vega.get("/api/v1/me/tokens").get_json()["items"] == []
    assert vega.post(f"/settings/tokens/{token_id}/revoke").status_code == 404


def test_at_the_limit_the_form_gives_way_to_a_notice(app_factory, make_user):
    from tests.conftest import login

    app = app_factory(ACCESS_TOKENS_PER_USER=1)
    make_user("vega")
    client = app.test_client()
    login(client, "vega")
    client.post("/settings/tokens", data={"name": "One", "scopes": ["live"]})
    page = client.get("/settings/tokens").get_data(as_text=True)
    assert "the most an account may hold" in page
    full = client.post("/settings/tokens", data={"name": "Two", "scopes": ["live"]})
    assert full.status_code == 409
