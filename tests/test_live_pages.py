"""Channel pages (/live/<handle>) and the owner's forms (skyframe/main/live.py)."""

from __future__ import annotations

import io

import pytest

from skyframe.extensions import db
from skyframe.main import live as live_pages
from skyframe.models import User, utcnow
from tests import media_samples as samples

pytestmark = pytest.mark.one_database


@pytest.fixture
def people(make_user):
    return {"vega": make_user("vega"), "mira": make_user("mira")}


def push(client, session_id, tmp_path):
    image = samples.write_image(tmp_path / "f.jpg", 320, 200).read_bytes()
    answer = client.post(
        f"/api/v1/live/{session_id}/frames",
        data={"file": (io.BytesIO(image), "f.jpg")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201
    return answer.get_json()


def test_a_live_channel_shows_the_newest_frame_title_target_and_strip(people, as_user, tmp_path):
    vega = as_user("vega")
    live = vega.post("/api/v1/live", json={"title": "Orion tonight", "object": "M42"})
    session_id = live.get_json()["session"]["id"]
    first, newest = push(vega, session_id, tmp_path), push(vega, session_id, tmp_path)
    page = as_user("mira").get("/live/vega")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Orion tonight" in html
    assert "M42" in html
    assert "/o/NGC1976" in html
    assert "LIVE" in html
    assert f'src="{newest["display"][1]["url"]}"' in html
    assert f'data-frame-id="{first["id"]}"' in html
    assert f'data-frames-url="/api/v1/live/{session_id}/frames"' in html
    assert "watching" in html
    assert "Go live" not in html  # not the owner's page


def test_an_offline_channel_shows_the_last_frame_and_offline(people, as_user, tmp_path):
    vega = as_user("vega")
    session_id = vega.post("/api/v1/live", json={"title": "Jupiter"}).get_json()["session"]["id"]
    frame = push(vega, session_id, tmp_path)
    vega.post(f"/api/v1/live/{session_id}/end")
    html = as_user("mira").get("/live/vega").get_data(as_text=True)
    assert "Offline" in html
    assert frame["display"][1]["url"] in html
    assert 'data-status="offline"' in html


def test_a_channel_never_live_says_so(people, client):
    html = client.get("/live/vega").get_data(as_text=True)
    assert "has not gone live yet" in html


def test_the_owner_goes_live_and_ends_with_the_forms(app, people, as_user):
    vega = as_user("vega")
    html = vega.get("/live/vega").get_data(as_text=True)
    assert 'data-role="go-live"' in html
    started = vega.post("/live", data={"title": "From the phone", "object": "Saturn"})
    assert started.status_code == 302
    html = vega.get("/live/vega").get_data(as_text=True)
    assert "From the phone" in html
    assert 'data-role="end-live"' in html
    with app.app_context():
        assert db.session.get(User, people["vega"].id).channel_status == "live"
    session_id = vega.get("/api/v1/users/vega/live").get_json()["session"]["id"]
    assert as_user("mira").post(f"/live/sessions/{session_id}/end").status_code == 404
    assert vega.post(f"/live/sessions/{session_id}/end").status_code == 302
    assert vega.get("/api/v1/users/vega/live").status_code == 404


def test_a_bad_title_in_the_form_is_flashed_and_nothing_starts(people, as_user):
    vega = as_user("vega")
    answer = vega.post("/live", data={"title": "x" * 121}, follow_redirects=True)
    assert "At most 120 characters." in answer.get_data(as_text=True)
    assert vega.get("/api/v1/users/vega/live").status_code == 404


def test_a_suspended_owner_is_told_and_stays_offline(app, people, as_user):
    vega = as_user("vega")
    with app.app_context():
        db.session.get(User, people["vega"].id).suspended_at = utcnow()
        db.session.commit()
    answer = vega.post("/live", data={"title": "Orion"}, follow_redirects=True)
    assert "suspended" in answer.get_data(as_text=True)


def test_profiles_link_their_channel(people, as_user):
    html = as_user("mira").get("/u/vega").get_data(as_text=True)
    assert 'href="/live/vega"' in html
    as_user("vega").post("/api/v1/live", json={"title": "Now"})
    assert "Live now" in as_user("mira").get("/u/vega").get_data(as_text=True)


def test_a_disabled_owners_channel_is_404(app, people, client):
    with app.app_context():
        db.session.get(User, people["vega"].id).disabled = True
        db.session.commit()
    assert client.get("/live/vega").status_code == 404


def test_the_hosting_hook_can_send_a_viewer_elsewhere(people, client, monkeypatch):
    monkeypatch.setattr(
        live_pages, "channel_redirect", lambda owner, reader, context: ("", 302, {"Location": "/x"})
    )
    assert client.get("/live/vega").headers["Location"] == "/x"
