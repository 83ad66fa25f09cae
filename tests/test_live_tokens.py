"""Personal access tokens on the live routes: start, end and push-frame take
``Authorization: Bearer`` with the ``live`` scope and no CSRF token; an
unknown, revoked or out-of-scope token is 401; a valid token anywhere else
(other API routes, HTML pages) counts as absent; the secret is shown once
and stored only as its hash."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select, update

from skyframe.extensions import db
from skyframe.models import AccessToken, User, utcnow
from skyframe.models.live import LiveFrame, LiveSession
from tests import media_samples as samples


@pytest.fixture
def vega(make_user, as_user):
    make_user("vega")
    return as_user("vega")


@pytest.fixture
def secret(vega):
    made = vega.post("/api/v1/me/tokens", json={"name": "SharpCap", "scopes": ["live"]})
    assert made.status_code == 201
    return made.get_json()["secret"]


@pytest.fixture
def software(app):
    return app.test_client()


@pytest.fixture
def jpeg(tmp_path):
    return samples.write_image(tmp_path / "f.jpg", 800, 600)


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def start(client, secret, **body):
    return client.post(
        "/api/v1/live", json={"title": "Orion", **body}, headers=bearer(secret), csrf=False
    )


def push(client, secret, session_id, path):
    return client.post(
        f"/api/v1/live/{session_id}/frames",
        data={"file": (io.BytesIO(path.read_bytes()), "frame.jpg")},
        content_type="multipart/form-data",
        headers=bearer(secret),
        csrf=False,
    )


def end(client, secret, session_id):
    return client.post(f"/api/v1/live/{session_id}/end", headers=bearer(secret), csrf=False)


def test_a_token_starts_feeds_and_ends_a_session_without_csrf(app, software, secret, jpeg):
    started = start(software, secret, object="M42")
    assert started.status_code == 201, started.get_json()
    live = started.get_json()["session"]
    assert live["owner"]["handle"] == "vega"
    assert "Set-Cookie" not in started.headers
    frame = push(software, secret, live["id"], jpeg)
    assert frame.status_code == 201, frame.get_json()
    assert frame.get_json()["session_id"] == live["id"]
    ended = end(software, secret, live["id"])
    assert ended.status_code == 200
    assert ended.get_json()["session"]["status"] == "ended"
    assert software.get_cookie("skyframe_session") is None
    with app.app_context():
        assert db.session.scalar(select(LiveFrame.session_id)) == live["id"]
        token = db.session.scalar(select(AccessToken))
        assert token.last_used_at is not None


def test_a_browser_session_still_needs_csrf_on_the_live_routes(vega):
    assert vega.post("/api/v1/live", json={"title": "Orion"}, csrf=False).status_code == 403
    assert vega.post("/api/v1/live", json={"title": "Orion"}).status_code == 201


@pytest.mark.parametrize(
    "header",
    ["Bearer sf_pat_" + "A" * 43, "Bearer nonsense", "Bearer "],
)
def test_unknown_tokens_are_401_on_every_live_route(software, header, vega):
    live_id = vega.post("/api/v1/live", json={"title": "Orion"}).get_json()["session"]["id"]
    for path in ("/api/v1/live", f"/api/v1/live/{live_id}/end", f"/api/v1/live/{live_id}/frames"):
        answer = software.post(path, headers={"Authorization": header}, csrf=False)
        assert answer.status_code == 401, path
        assert answer.get_json()["error"]["code"] == "invalid_token"


def test_a_revoked_token_is_401(vega, software, secret):
    token_id = vega.get("/api/v1/me/tokens").get_json()["items"][0]["id"]
    assert vega.delete(f"/api/v1/me/tokens/{token_id}").status_code == 204
    answer = start(software, secret)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "invalid_token"


def test_a_token_without_the_live_scope_is_401(app, software, secret):
    with app.app_context():
        db.session.execute(update(AccessToken).values(scopes="photos"))
        db.session.commit()
    answer = start(software, secret)
    assert answer.status_code == 401
    assert "live" in answer.get_json()["error"]["message"]


def test_a_suspended_accounts_token_is_401(app, software, secret):
    with app.app_context():
        db.session.execute(update(User).values(suspended_at=utcnow()))
        db.session.commit()
    assert start(software, secret).status_code == 401


def test_a_token_acts_for_its_owner_only(make_user, as_user, software, secret):
    make_user("mira")
    theirs = as_user("mira").post("/api/v1/live", json={"title": "Mine"})
    theirs_id = theirs.get_json()["session"]["id"]
    assert end(software, secret, theirs_id).status_code in (403, 404)


def test_a_valid_token_elsewhere_counts_as_absent(software, secret, jpeg):
    assert software.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    upload = {
        "title": "M42",
        "category": "deep-sky",
        "file": (io.BytesIO(jpeg.read_bytes()), "a.jpg"),
    }
    post = software.post(
        "/api/v1/posts",
        data=upload,
        content_type="multipart/form-data",
        headers=bearer(secret),
        csrf=False,
    )
    assert post.status_code == 401
    assert software.get("/api/v1/me/tokens", headers=bearer(secret)).status_code == 401
    for page in ("/settings", "/settings/tokens", "/upload", "/notifications"):
        answer = software.get(page, headers=bearer(secret))
        assert answer.status_code == 302, page
        assert answer.headers["Location"].startswith("/login?"), page
    # A public page shows the visitor's view, with nobody signed in.
    channel = software.get("/live/vega", headers=bearer(secret))
    assert channel.status_code == 200
    assert 'href="/settings"' not in channel.get_data(as_text=True)


def test_the_secret_is_shown_once_and_stored_as_its_hash(app, vega, secret):
    listed = vega.get("/api/v1/me/tokens")
    assert secret not in listed.get_data(as_text=True)
    assert secret not in vega.get("/settings/tokens").get_data(as_text=True)
    with app.app_context():
        row = db.session.execute(select(AccessToken.__table__)).one()._asdict()
    assert secret not in [str(value) for value in row.values()]
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()


def test_requests_are_limited_per_token(app_factory, make_user):
    from tests.conftest import login

    app = app_factory(ACCESS_TOKEN_LIMIT="2 per minute")
    make_user("vega")
    browser = app.test_client()
    login(browser, "vega")
    made = browser.post("/api/v1/me/tokens", json={"name": "Cam", "scopes": ["live"]})
    secret = made.get_json()["secret"]
    software = app.test_client()
    assert start(software, secret).status_code == 201
    assert start(software, secret).status_code == 409  # already live: counted all the same
    limited = start(software, secret)
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(LiveSession)) == 1


def test_the_document_offers_the_token_on_the_three_routes(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/live",
        "/api/v1/live/{session_id}/end",
        "/api/v1/live/{session_id}/frames",
    ):
        security = document["paths"][path]["post"]["security"]
        assert {"bearer": ["live"]} in security, path
        assert {"session": [], "csrf": []} in security, path
    publish = document["paths"]["/api/v1/live/{session_id}/frames/{frame_id}/publish"]["post"]
    assert all("bearer" not in requirement for requirement in publish["security"])
