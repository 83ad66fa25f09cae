"""Live sessions and frames through the JSON API (skyframe/api/live.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from skyframe.extensions import db
from skyframe.models import Follow, Notification, Post, Role, User, utcnow
from skyframe.models.live import LiveFrame, LiveSession
from tests import media_samples as samples

SESSION_KEYS = {
    "id",
    "owner",
    "title",
    "object",
    "status",
    "started_at",
    "ended_at",
    "frame_count",
    "viewer_count",
    "latest_frame",
}


@pytest.fixture
def people(make_user):
    return {
        "vega": make_user("vega"),
        "mira": make_user("mira"),
        "mod": make_user("mod", role=Role.MODERATOR),
    }


def go_live(client, title="Orion tonight", **extra):
    return client.post("/api/v1/live", json={"title": title, **extra})


def push(client, session_id, path, name="frame.jpg"):
    return client.post(
        f"/api/v1/live/{session_id}/frames",
        data={"file": (io.BytesIO(path.read_bytes()), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def jpeg(tmp_path):
    return samples.write_image(tmp_path / "f.jpg", 2400, 1600)


def test_going_live_answers_the_session_in_its_exact_shape(people, as_user):
    vega = as_user("vega")
    answer = go_live(vega, object="M42")
    assert answer.status_code == 201, answer.get_json()
    live = answer.get_json()["session"]
    assert set(live) == SESSION_KEYS
    assert live["owner"] == {
        "handle": "vega",
        "display_name": "Vega",
        "avatar_url": live["owner"]["avatar_url"],
    }
    assert live["status"] == "live"
    assert live["ended_at"] is None
    assert live["object"]["id"] == "NGC1976"
    assert live["object"]["name"] == "M42"
    assert live["frame_count"] == 0
    assert live["latest_frame"] is None
    assert answer.headers["Location"].endswith(f"/api/v1/live/{live['id']}")
    again = vega.get(f"/api/v1/live/{live['id']}").get_json()["session"]
    assert again["id"] == live["id"]
    assert vega.get("/api/v1/users/vega/live").get_json()["session"]["id"] == live["id"]


def test_a_second_live_session_is_409_already_live(people, as_user):
    vega = as_user("vega")
    assert go_live(vega).status_code == 201
    second = go_live(vega, title="Another")
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "already_live"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x" * 121}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "ok", "object": "o" * 81}, "object"),
        ({"title": "a\u202eb"}, "title"),
    ],
)
def test_bad_titles_and_objects_are_refused_by_field(people, as_user, body, field):
    answer = as_user("vega").post("/api/v1/live", json=body)
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["fields"]


def test_ending_sets_offline_and_counts_live_seconds(app, people, as_user):
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    with app.app_context():
        assert db.session.get(User, people["vega"].id).channel_status == "live"
    assert as_user("mira").post(f"/api/v1/live/{live['id']}/end").status_code == 403
    ended = vega.post(f"/api/v1/live/{live['id']}/end")
    assert ended.status_code == 200
    assert ended.get_json()["session"]["status"] == "ended"
    assert vega.post(f"/api/v1/live/{live['id']}/end").status_code == 200  # no change
    with app.app_context():
        assert db.session.get(User, people["vega"].id).channel_status == "offline"
    assert vega.get("/api/v1/users/vega/live").status_code == 404
    assert "live_seconds" in vega.get("/api/v1/me").get_json()


def test_staff_may_end_anyones_session(people, as_user):
    live = go_live(as_user("vega")).get_json()["session"]
    assert as_user("mod").post(f"/api/v1/live/{live['id']}/end").status_code == 200


def test_a_suspended_user_cannot_go_live(app, people, as_user):
    vega = as_user("vega")
    with app.app_context():
        db.session.get(User, people["vega"].id).suspended_at = utcnow()
        db.session.commit()
    answer = go_live(vega)
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "suspended"


def test_going_live_notifies_followers_once_per_cooldown(app, people, as_user):
    with app.app_context():
        db.session.add(Follow(follower_id=people["mira"].id, followee_id=people["vega"].id))
        db.session.commit()
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    vega.post(f"/api/v1/live/{live['id']}/end")
    go_live(vega)
    with app.app_context():
        sent = db.session.scalars(db.select(Notification).where(Notification.kind == "live")).all()
        assert [n.recipient_id for n in sent] == [people["mira"].id]
    listed = as_user("mira").get("/api/v1/notifications").get_json()["items"]
    assert listed[0]["message"] == "Vega is live"
    assert listed[0]["url"] == "/live/vega"


def test_a_pushed_frame_is_small_stripped_and_shown(app, people, as_user, tmp_path):
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    source = samples.jpeg_with_exif(tmp_path / "gps.jpg", width=2400, height=1600)
    answer = push(vega, live["id"], source)
    assert answer.status_code == 201, answer.get_json()
    frame = answer.get_json()
    assert frame["width"] == 2400
    assert frame["session_id"] == live["id"]
    display_jpeg = frame["display"][1]["url"]
    served = as_user("mira").get(display_jpeg)
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) == 1600
    assert len(image.getexif()) == 0
    thumb = Image.open(io.BytesIO(as_user("mira").get(frame["thumb"][1]["url"]).data))
    assert max(thumb.size) == 320
    after = vega.get(f"/api/v1/live/{live['id']}").get_json()["session"]
    assert after["frame_count"] == 1
    assert after["latest_frame"]["id"] == frame["id"]


def test_frames_are_polled_after_an_id(people, as_user, jpeg):
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    ids = [push(vega, live["id"], jpeg).get_json()["id"] for _ in range(3)]
    page = vega.get(f"/api/v1/live/{live['id']}/frames", query_string={"after": ids[0]})
    assert [f["id"] for f in page.get_json()["items"]] == ids[1:]
    newest = vega.get(f"/api/v1/live/{live['id']}/frames", query_string={"limit": 2})
    assert [f["id"] for f in newest.get_json()["items"]] == ids[1:]
    assert newest.get_json()["status"] == "live"


def test_only_the_owner_pushes_and_not_to_an_ended_session(people, as_user, jpeg):
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    assert push(as_user("mira"), live["id"], jpeg).status_code == 404
    vega.post(f"/api/v1/live/{live['id']}/end")
    ended = push(vega, live["id"], jpeg)
    assert ended.status_code == 409
    assert ended.get_json()["error"]["code"] == "session_ended"


def test_a_file_that_is_not_an_image_is_refused_with_nothing_kept(app, people, as_user, tmp_path):
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image at all")
    answer = push(vega, live["id"], junk)
    assert answer.status_code == 422
    assert "file" in answer.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LiveFrame)) == 0
    assert not list((tmp_path / "uploads").rglob("live/*"))


def test_frames_beyond_the_kept_number_go_with_their_files(app_factory, make_user, tmp_path):
    app = app_factory(LIVE_FRAMES_KEPT=2, RATELIMIT_ENABLED=False)
    make_user("vega")
    client = app.test_client()
    client.post("/api/v1/auth/login", json={"login": "vega", "password": "Orion-Nebula-42"})
    small = samples.write_image(tmp_path / "s.jpg", 64, 48)
    live = go_live(client).get_json()["session"]
    frames = [push(client, live["id"], small).get_json() for _ in range(4)]
    kept = client.get(f"/api/v1/live/{live['id']}/frames").get_json()["items"]
    assert [f["id"] for f in kept] == [f["id"] for f in frames[2:]]
    assert client.get(frames[0]["display"][0]["url"]).status_code == 404
    with app.app_context():
        keys = set(db.session.scalars(db.select(LiveFrame.media_key)))
    stored = {p.parent.name for p in (tmp_path / "uploads").rglob("live/*/*")}
    assert stored == keys


def test_a_frame_becomes_a_post_with_copied_files(app, people, as_user, jpeg):
    vega = as_user("vega")
    live = go_live(vega, object="M42").get_json()["session"]
    frame = push(vega, live["id"], jpeg).get_json()
    url = f"/api/v1/live/{live['id']}/frames/{frame['id']}/publish"
    assert as_user("mira").post(url, json={"category": "deep-sky"}).status_code == 404
    answer = vega.post(url, json={"category": "deep-sky"})
    assert answer.status_code == 201, answer.get_json()
    post = answer.get_json()
    assert post["title"] == "Orion tonight"
    assert post["object"]["id"] == "NGC1976"
    assert post["status"] == "ready"
    assert vega.get(post["media"]["display"][0]["url"]).status_code == 200
    missing = vega.post(url, json={"title": "No category"})
    assert missing.status_code == 422


def test_a_taken_down_frame_disappears_but_for_owner_and_staff(app, people, as_user, jpeg):
    vega, mira, mod = as_user("vega"), as_user("mira"), as_user("mod")
    live = go_live(vega).get_json()["session"]
    frame = push(vega, live["id"], jpeg).get_json()
    url = f"/api/v1/admin/live/frames/{frame['id']}/take-down"
    assert mira.post(url, json={"reason": "No."}).status_code == 403
    assert mod.post(url, json={"reason": "Not astronomy."}).status_code == 200
    assert mod.post(url, json={"reason": "Again."}).get_json()["error"]["code"] == (
        "already_taken_down"
    )
    assert mira.get(frame["display"][0]["url"]).status_code == 404
    assert mira.get(f"/api/v1/live/{live['id']}/frames").get_json()["items"] == []
    assert mira.get(f"/api/v1/live/{live['id']}").get_json()["session"]["latest_frame"] is None
    assert vega.get(frame["display"][0]["url"]).status_code == 200
    assert mod.get(f"/api/v1/live/{live['id']}/frames").get_json()["items"][0]["taken_down"]


def test_a_disabled_owners_channel_is_hidden(app, people, as_user):
    live = go_live(as_user("vega")).get_json()["session"]
    with app.app_context():
        db.session.get(User, people["vega"].id).disabled = True
        db.session.commit()
    assert as_user("mira").get(f"/api/v1/live/{live['id']}").status_code == 404
    assert as_user("mira").get("/api/v1/users/vega/live").status_code == 404
    assert as_user("mod").get(f"/api/v1/live/{live['id']}").status_code == 200


def test_no_published_post_without_a_commit(app, people, as_user, jpeg):
    # The frame's post is a normal post: it lists and counts as one.
    vega = as_user("vega")
    live = go_live(vega).get_json()["session"]
    frame = push(vega, live["id"], jpeg).get_json()
    vega.post(
        f"/api/v1/live/{live['id']}/frames/{frame['id']}/publish", json={"category": "deep-sky"}
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Post)) == 1
        assert db.session.get(LiveSession, live["id"]).frame_count == 1
